package schedule

import (
	"context"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"
)

func TestNewValidates(t *testing.T) {
	ok := func(context.Context, time.Time) error { return nil }
	good := Job{Name: "nps", Spec: "5m", Timeout: time.Minute, Run: ok}
	with := func(change func(*Job)) Job {
		j := good
		change(&j)
		return j
	}
	for _, tc := range []struct {
		name string
		jobs []Job
		want []string
	}{
		{"empty name", []Job{with(func(j *Job) { j.Name = "" })}, []string{`job 0 (""): name is empty`}},
		{"duplicate name", []Job{good, good}, []string{`job 1 ("nps"): name is used by another job`}},
		{"no schedule", []Job{with(func(j *Job) { j.Spec = "" })}, []string{`job 0 ("nps"): neither schedule nor spec is set`}},
		{"bad spec", []Job{with(func(j *Job) { j.Spec = "every 5 minutes" })}, []string{`job 0 ("nps"): schedule "every 5 minutes": bad cron expression`}},
		{"zero timeout", []Job{with(func(j *Job) { j.Timeout = 0 })}, []string{`job 0 ("nps"): timeout must be > 0, got 0s`}},
		{"negative timeout", []Job{with(func(j *Job) { j.Timeout = -time.Second })}, []string{`timeout must be > 0, got -1s`}},
		{"no run", []Job{with(func(j *Job) { j.Run = nil })}, []string{`job 0 ("nps"): run func is nil`}},
		{"every problem reported", []Job{
			with(func(j *Job) { j.Timeout = 0; j.Run = nil }),
			with(func(j *Job) { j.Name = "csat"; j.Spec = "61 * * * *" }),
		}, []string{
			`job 0 ("nps"): timeout must be > 0, got 0s`,
			`job 0 ("nps"): run func is nil`,
			`job 1 ("csat"): schedule "61 * * * *"`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := New(tc.jobs, nil, zerolog.Nop())
			require.Nil(t, s)
			for _, w := range tc.want {
				require.ErrorContains(t, err, w)
			}
		})
	}
}

func TestNewParsesSpecOrDescribesSchedule(t *testing.T) {
	ok := func(context.Context, time.Time) error { return nil }
	s, err := New([]Job{
		{Name: "nps", Spec: "@hourly", Timeout: time.Minute, Run: ok},
		{Name: "csat", Schedule: interval(time.Minute), Timeout: time.Minute, Run: ok},
	}, nil, zerolog.Nop())
	require.NoError(t, err)
	require.Equal(t, at("13:00:00"), s.jobs[0].Schedule.Next(at("12:00:07")))
	require.Equal(t, "1m0s", s.jobs[1].Spec)

	s, err = New(nil, nil, zerolog.Nop())
	require.NoError(t, err, "no jobs is valid: Run then waits for cancel")
	stop := start(t, s)
	require.NoError(t, stop())
}
