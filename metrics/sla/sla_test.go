package sla_test

import (
	"bytes"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/cxpulse/cxpulse/metrics/calendar"
	"github.com/cxpulse/cxpulse/metrics/sla"
)

// load decodes a policy file strictly, as the configuration loader does.
func load(t *testing.T, path string) ([]sla.Policy, error) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var ps []sla.Policy
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	return ps, dec.Decode(&ps)
}

func TestLoadGood(t *testing.T) {
	ps, err := load(t, "testdata/good.yml")
	require.NoError(t, err)
	require.NoError(t, sla.Validate(ps))
	require.Equal(t, []sla.Policy{
		{Name: "chat-urgent", Channel: "chat", Priority: "urgent", FirstResponse: time.Minute, Resolution: 4 * time.Hour, BusinessHours: true, Objective: 0.9},
		{Name: "default", Channel: "*", Priority: "*", FirstResponse: 4 * time.Hour, Resolution: 72 * time.Hour, BusinessHours: true},
	}, ps)
}

const channels = "phone email chat social web in_person self_service other"

// badPolicies pairs each testdata/*.bad.yml with the error it must produce.
var badPolicies = map[string]string{
	"channel.bad.yml":              `sla_policies[1].channel: "fax" is not a channel (want * or one of ` + channels + `)`,
	"channel-empty.bad.yml":        `sla_policies[0].channel: "" is not a channel (want * or one of ` + channels + `)`,
	"priority.bad.yml":             `sla_policies[0].priority: "critical" is not a priority (want * or one of low normal high urgent)`,
	"name-missing.bad.yml":         `sla_policies[0].name: required`,
	"name-pattern.bad.yml":         `sla_policies[0].name: "Chat Urgent" does not match ^[a-z0-9][a-z0-9_-]{0,63}$`,
	"name-too-long.bad.yml":        `sla_policies[0].name: "a1234567890123456789012345678901234567890123456789012345678901234" does not match ^[a-z0-9][a-z0-9_-]{0,63}$`,
	"name-duplicate.bad.yml":       `sla_policies[2].name: "default" is already the name of sla_policies[0]`,
	"no-target.bad.yml":            `sla_policies[0]: no target: set first_response, resolution or both`,
	"pause-first-response.bad.yml": `sla_policies[0].pause_first_response: true needs pause_when_pending (false here)`,
	"negative.bad.yml": `sla_policies[0].first_response: -1m0s is negative
sla_policies[0].resolution: -2h0m0s is negative`,
	"objective-high.bad.yml":     `sla_policies[0].objective: 1 is not between 0 and 1 (exclusive)`,
	"objective-negative.bad.yml": `sla_policies[0].objective: -0.5 is not between 0 and 1 (exclusive)`,
	"objective-nan.bad.yml":      `sla_policies[0].objective: NaN is not between 0 and 1 (exclusive)`,
	// yaml.v3 takes durations only as text, so a bare number is a typo for seconds.
	"duration-number.bad.yml": "yaml: unmarshal errors:\n  line 1: cannot unmarshal !!int `60` into time.Duration",
	"unknown-field.bad.yml":   "yaml: unmarshal errors:\n  line 1: field first_respons not found in type sla.Policy",
	"many.bad.yml": `sla_policies[0].name: required
sla_policies[0].channel: "fax" is not a channel (want * or one of ` + channels + `)
sla_policies[1].priority: "URGENT" is not a priority (want * or one of low normal high urgent)
sla_policies[1]: no target: set first_response, resolution or both
sla_policies[1].objective: 2 is not between 0 and 1 (exclusive)`,
}

func TestValidateBad(t *testing.T) {
	files, err := filepath.Glob("testdata/*.bad.yml")
	require.NoError(t, err)
	for i, f := range files {
		files[i] = filepath.Base(f)
	}
	require.Equal(t, slices.Sorted(maps.Keys(badPolicies)), files, "every bad file needs its error, every error its file")

	for name, msg := range badPolicies {
		t.Run(name, func(t *testing.T) {
			ps, err := load(t, filepath.Join("testdata", name))
			if err == nil {
				err = sla.Validate(ps)
			}
			require.EqualError(t, err, msg)
		})
	}
}

func TestValidateEmpty(t *testing.T) {
	require.NoError(t, sla.Validate(nil))
}

func TestTargets(t *testing.T) {
	for _, tc := range []struct {
		name   string
		policy sla.Policy
		want   []sla.Target
	}{
		{"both", sla.Policy{FirstResponse: time.Minute, Resolution: time.Hour},
			[]sla.Target{{sla.TargetFirstResponse, time.Minute}, {sla.TargetResolution, time.Hour}}},
		{"first response only", sla.Policy{FirstResponse: time.Minute}, []sla.Target{{sla.TargetFirstResponse, time.Minute}}},
		{"resolution only", sla.Policy{Resolution: time.Hour}, []sla.Target{{sla.TargetResolution, time.Hour}}},
		{"none", sla.Policy{}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, tc.policy.Targets())
		})
	}
}

func TestWithDefaults(t *testing.T) {
	in := []sla.Policy{{Name: "a"}, {Name: "b", Objective: 0.5}}
	out := sla.WithDefaults(in)
	require.Equal(t, []float64{0.95, 0.5}, []float64{out[0].Objective, out[1].Objective})
	require.Zero(t, in[0].Objective, "the input is not changed")
	require.Empty(t, sla.WithDefaults(nil))
}

func TestMatch(t *testing.T) {
	policies := []sla.Policy{
		{Name: "chat-urgent", Channel: "chat", Priority: "urgent"},
		{Name: "any-urgent", Channel: "*", Priority: "urgent"},
		{Name: "chat", Channel: "chat", Priority: "*"},
		{Name: "chat-urgent-shadowed", Channel: "chat", Priority: "urgent"},
		{Name: "default", Channel: "*", Priority: "*"},
	}
	for _, tc := range []struct{ channel, priority, want string }{
		{"chat", "urgent", "chat-urgent"},
		{"email", "urgent", "any-urgent"},
		{"chat", "low", "chat"},
		{"phone", "normal", "default"},
		{"", "", "default"},
	} {
		p, ok := sla.Match(policies, tc.channel, tc.priority)
		require.True(t, ok)
		require.Equal(t, tc.want, p.Name, "%s/%s", tc.channel, tc.priority)
	}

	_, ok := sla.Match(policies[:3], "phone", "normal")
	require.False(t, ok, "no policy covers it: no SLA")
	_, ok = sla.Match(nil, "chat", "urgent")
	require.False(t, ok)
}

func TestElapsed(t *testing.T) {
	cal, err := calendar.New(calendar.Spec{
		Timezone: "Europe/Prague",
		Hours:    map[string][]string{"mon": {"08:00-18:00"}, "tue": {"08:00-18:00"}},
	})
	require.NoError(t, err)
	// Monday 2026-10-05 17:00 CEST to Tuesday 09:00:00.5 CEST.
	start := time.Date(2026, 10, 5, 15, 0, 0, 0, time.UTC)
	end := time.Date(2026, 10, 6, 7, 0, 0, 500e6, time.UTC)
	business := sla.Policy{BusinessHours: true}
	calendarTime := sla.Policy{}
	for _, tc := range []struct {
		name       string
		policy     sla.Policy
		cal        *calendar.Calendar
		start, end time.Time
		want       float64
	}{
		{"business hours", business, cal, start, end, 2*3600 + 0.5},
		{"business hours, no calendar", business, nil, start, end, 16*3600 + 0.5},
		{"calendar time ignores the calendar", calendarTime, cal, start, end, 16*3600 + 0.5},
		{"calendar time, no calendar", calendarTime, nil, start, end, 16*3600 + 0.5},
		{"business hours, reversed", business, cal, end, start, 0},
		{"calendar time, reversed", calendarTime, cal, end, start, 0},
		{"calendar time, sub-millisecond dropped", calendarTime, nil, start.Add(999), start.Add(2e6 + 999), 0.002},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.InDelta(t, tc.want, tc.policy.Elapsed(tc.cal, tc.start, tc.end), 1e-9)
		})
	}
}

// Pending time stops the resolution clock by default, the first-response
// clock only when configured, and nothing when pause_when_pending is false.
func TestPauses(t *testing.T) {
	off := false
	require.True(t, sla.Policy{}.Pauses(sla.TargetResolution), "default true")
	require.False(t, sla.Policy{}.Pauses(sla.TargetFirstResponse), "default false")
	require.True(t, sla.Policy{PauseFirstResponse: true}.Pauses(sla.TargetFirstResponse))
	require.False(t, sla.Policy{PauseWhenPending: &off}.Pauses(sla.TargetResolution))

	var ps []sla.Policy
	require.NoError(t, yaml.Unmarshal([]byte("- {name: a, channel: '*', priority: '*', resolution: 1h, pause_when_pending: false}"), &ps))
	require.False(t, ps[0].Pauses(sla.TargetResolution))
}

// ElapsedPaused leaves out the pauses' part of the span, in the policy's
// time: a pause over a closed night costs nothing in business time.
func TestElapsedPaused(t *testing.T) {
	cal, err := calendar.New(calendar.Spec{Timezone: "UTC", Hours: map[string][]string{"mon": {"09:00-17:00"}, "tue": {"09:00-17:00"}}})
	require.NoError(t, err)
	at := func(d, h int) time.Time { return time.Date(2026, 3, d, h, 0, 0, 0, time.UTC) }
	ms := func(t time.Time) int64 { return t.UnixMilli() }
	// Mon 2026-03-02 10:00 -> Tue 11:00, pending Mon 16:00 -> Tue 10:00
	pauses := []sla.Span{{From: ms(at(2, 16)), To: ms(at(3, 10))}}
	business := sla.Policy{BusinessHours: true}
	require.Equal(t, 9*3600.0, business.Elapsed(cal, at(2, 10), at(3, 11)))
	require.Equal(t, 7*3600.0, business.ElapsedPaused(cal, at(2, 10), at(3, 11), pauses), "1h Mon + 1h Tue paused")
	calendarTime := sla.Policy{}
	require.Equal(t, 25*3600.0, calendarTime.Elapsed(cal, at(2, 10), at(3, 11)))
	require.Equal(t, 7*3600.0, calendarTime.ElapsedPaused(cal, at(2, 10), at(3, 11), pauses), "18h paused")
	// a pause open at the end is cut there; one before the start counts nothing
	open := []sla.Span{{From: ms(at(1, 0)), To: ms(at(2, 9))}, {From: ms(at(3, 10)), To: math.MaxInt64}}
	require.Equal(t, 24*3600.0, calendarTime.ElapsedPaused(cal, at(2, 10), at(3, 11), open))
	require.Equal(t, 0.0, calendarTime.ElapsedPaused(cal, at(3, 11), at(3, 11), open))
}
