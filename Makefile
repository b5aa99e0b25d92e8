# The two commands of the README: `make demo` and `make test`.
SHELL := /bin/bash
GO    ?= go
BIN   := bin/cxpulse
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
# The commit in cxpulse_build_info, also where -buildvcs=false leaves no VCS stamp.
REVISION ?= $(shell git rev-parse HEAD 2>/dev/null)

.PHONY: build demo test unit servers-up servers-down bench-ingest bench-kpi bench-kpi-growth chdb-check fmt-check
.PHONY: image image-offline compose-up compose-down deploy-check

build:
	$(GO) build -ldflags "-X main.version=$(VERSION) -X github.com/prometheus/common/version.Revision=$(REVISION)" -o $(BIN) ./cmd/cxpulse

# The demo: embedded Kafka, a local ClickHouse (started through deploy/local
# when none answers on 127.0.0.1:9000), generated data, the live pipeline.
demo: build
	@if ! (exec 3<>/dev/tcp/127.0.0.1/9000) 2>/dev/null; then deploy/local/clickhouse.sh start; fi
	$(BIN) demo --log-format console

# The whole test suite against real servers: starts (idempotently) the local
# ClickHouse and Kafka, then vets and runs every test. Packages run one at a
# time because the outage test stops the shared ClickHouse.
test:
	deploy/local/up.sh clickhouse kafka kcat
	deploy/local/prometheus.sh install
	deploy/local/alertmanager.sh install
	deploy/local/chromium.sh install
	deploy/prometheus/check.sh
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...
	$(GO) test -p 1 -count=1 -timeout 40m ./...
	deploy/chdb/run.sh
	# issue 13: the image (built offline on Debian's docker.io, run against the
	# test servers), the compose file, the Helm chart (README: Deploy)
	deploy/image/check.sh
	deploy/compose/check.sh
	deploy/helm/check.sh

# The schema and every KPI query on a current ClickHouse (chDB) give the
# numbers ClickHouse 18.16 gives (installs chDB into deploy/chdb/.venv).
chdb-check:
	deploy/chdb/run.sh

# Fast tests only (no servers needed for these packages).
unit:
	$(GO) test -count=1 ./ingest/event/ ./ingest/gen/ ./cmd/cxpulse/config/

servers-up:
	deploy/local/up.sh all

servers-down:
	deploy/local/down.sh

# Loads the same 2 million generated events through cxpulse and through
# kcat | clickhouse-client, and prints events/s of each, the ratio and
# cxpulse's peak RSS. EVENTS=… to change the size.
bench-ingest: build
	deploy/local/up.sh clickhouse kafka kcat
	deploy/bench/ingest.sh

# Full KPI refresh and breaching-now at 1 M and 10 M events, 100,000 a day
# (SIZES=… to change).
bench-kpi: build
	deploy/local/up.sh clickhouse
	$(BIN) bench kpi --sizes $${SIZES:-1M,10M} --log-format console

# How the refresh grows with history alone: 10 M and 50 M events at 24,000 a
# day, so that even the 10 M history (416 days) fills everything the jobs
# read back (13 cohort months). Needs about 3 GB of disk.
bench-kpi-growth: build
	deploy/local/up.sh clickhouse
	$(BIN) bench kpi --sizes 10M,50M --events-per-day 24000 --repeat 5 --log-format console

# ---- Deploy (issue 13; README: Deploy) ----------------------------------
# The image, multi-stage from deploy/Dockerfile (pulls golang:1.26.8-bookworm).
image:
	deploy/image/build.sh

# The same image without any registry: the static binary is built here and
# copied into FROM scratch (what CI does).
image-offline:
	deploy/image/build.sh --offline

# The whole stack with docker compose (the plugin, else docker-compose 1.x).
COMPOSE ?= $(shell docker compose version >/dev/null 2>&1 && echo "docker compose" || echo docker-compose)
compose-up:
	deploy/compose/secrets.sh
	$(COMPOSE) -p cxpulse -f deploy/compose/compose.yaml up -d --build

compose-down:
	$(COMPOSE) -p cxpulse -f deploy/compose/compose.yaml down

# The deploy checks of make test alone (image, compose, chart).
deploy-check:
	deploy/image/check.sh
	deploy/compose/check.sh
	deploy/helm/check.sh
