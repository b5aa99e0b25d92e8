package main

import (
	"net/http"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/cxpulse/cxpulse/cmd/cxpulse/config"
	"github.com/cxpulse/cxpulse/metrics/kpi"
	"github.com/cxpulse/cxpulse/metrics/web"
)

// newWeb builds the API and the overview page (package web) over conn.
func (a *app) newWeb(conn driver.Conn) (*web.Server, error) {
	if _, err := a.kpiParams(); err != nil {
		return nil, err
	}
	params := func() kpi.Params { p, _ := a.kpiParams(); return p }
	return web.New(a.readEngine(conn), params, a.log.With().Str("component", "web").Logger()), nil
}

// readEngine is the engine of what reads KPIs on demand (the API, the page,
// cxpulse compare): under the election it never folds, the elected
// scheduler alone does.
func (a *app) readEngine(conn driver.Conn) *kpi.Engine {
	engine := a.newEngine(conn)
	if !a.cfg.KPI.Leader.Disabled {
		engine.ReadOnly()
	}
	return engine
}

// webRoutes adds the API and the page behind http.auth, read per request.
func (a *app) webRoutes(get func() *web.Server) func(mux *http.ServeMux) {
	return web.Routes(a.cfg.HTTP.Addr, func() web.Credentials { return credentials(a.httpAuth()) }, get, a.log)
}

// credentials are the configuration's credentials as package web reads them.
func credentials(c config.HTTPAuth) web.Credentials {
	return web.Credentials{Token: c.Token, Basic: c.Basic}
}
