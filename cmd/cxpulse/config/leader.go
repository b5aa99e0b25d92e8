package config

import (
	"fmt"
	"time"
)

// Leader configures the election of the one process that runs the KPI
// scheduler among every cxpulse compute/run process on a database
// (metrics/leader, README "Scaling"). The others stand by, serving the
// stored snapshots, and the first to notice a dead leader takes over within
// session_timeout + 2 × heartbeat_interval.
type Leader struct {
	// Disabled runs the scheduler in this process without an election:
	// only for a database that one process computes
	// (default false).
	Disabled bool `yaml:"disabled"`
	// Topic is the coordination topic on kafka.brokers, created with one
	// partition when absent (default "cxpulse.kpi.leader"). One topic serves
	// any number of databases: each elects in its own group.
	Topic string `yaml:"topic"`
	// GroupID is the consumer group of the election (default
	// "cxpulse-kpi-" + clickhouse.database, so that one scheduler runs per
	// database).
	GroupID string `yaml:"group_id"`
	// SessionTimeout is how long the group coordinator waits for a silent
	// leader before a standby takes over (default 10s; Kafka brokers accept
	// 6s to 30m by default: group.min/max.session.timeout.ms).
	SessionTimeout time.Duration `yaml:"session_timeout"`
	// HeartbeatInterval is how often every member checks in, and so how soon
	// a standby learns that the lead is free (default 1s, at most a third of
	// session_timeout).
	HeartbeatInterval time.Duration `yaml:"heartbeat_interval"`
	// StandbyRefresh is how often a standby reads the newest stored
	// snapshots for /metrics (default 5s).
	StandbyRefresh time.Duration `yaml:"standby_refresh"`
}

func defaultLeader() Leader {
	return Leader{Topic: "cxpulse.kpi.leader", SessionTimeout: 10 * time.Second, HeartbeatInterval: time.Second, StandbyRefresh: 5 * time.Second}
}

// LeaderGroupID is the election's consumer group: kpi.leader.group_id or
// the database's default.
func (c *Config) LeaderGroupID() string {
	if c.KPI.Leader.GroupID != "" {
		return c.KPI.Leader.GroupID
	}
	return "cxpulse-kpi-" + c.ClickHouse.Database
}

// validateLeader checks kpi.leader, naming each bad field.
func (c *Config) validateLeader() []error {
	l := c.KPI.Leader
	if l.Disabled {
		return nil
	}
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("kpi.leader.%s: %s", field, fmt.Sprintf(format, args...)))
	}
	if !topicName.MatchString(l.Topic) {
		bad("topic", "%q is not a valid topic name", l.Topic)
	} else if l.Topic == c.Kafka.Topic || l.Topic == c.Kafka.DeadLetterTopic {
		bad("topic", "%q is an events topic; the coordination topic must be its own", l.Topic)
	}
	if l.GroupID != "" && l.GroupID == c.Kafka.GroupID {
		bad("group_id", "%q is the ingest group (kafka.group_id); the election needs its own", l.GroupID)
	}
	if l.SessionTimeout < 6*time.Second || l.SessionTimeout > 30*time.Minute {
		bad("session_timeout", "must be between 6s and 30m (what Kafka brokers accept by default), got %s", l.SessionTimeout)
	}
	if l.HeartbeatInterval <= 0 || l.HeartbeatInterval > l.SessionTimeout/3 {
		bad("heartbeat_interval", "must be positive and at most a third of session_timeout (%s), got %s", l.SessionTimeout, l.HeartbeatInterval)
	}
	if l.StandbyRefresh < time.Second {
		bad("standby_refresh", "must be at least 1s, got %s", l.StandbyRefresh)
	}
	return errs
}
