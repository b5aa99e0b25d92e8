package sla

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/cxpulse/cxpulse/ingest/event"
)

// namePattern keeps policy names usable as Prometheus label values and file
// names without quoting.
var namePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

// Validate checks policies and returns every problem found, joined, each
// naming its field: `sla_policies[1].channel: "fax" is not a channel (want *
// or one of phone email …)`. An Objective of 0 is valid: it means the default.
func Validate(policies []Policy) error {
	var errs []error
	bad := func(i int, field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("sla_policies[%d]%s: %s", i, field, fmt.Sprintf(format, args...)))
	}
	firstUse := map[string]int{}
	for i, p := range policies {
		switch j, seen := firstUse[p.Name]; {
		case p.Name == "":
			bad(i, ".name", "required")
		case !namePattern.MatchString(p.Name):
			bad(i, ".name", "%q does not match %s", p.Name, namePattern)
		case seen:
			bad(i, ".name", "%q is already the name of sla_policies[%d]", p.Name, j)
		default:
			firstUse[p.Name] = i
		}
		if p.Channel != Any && !slices.Contains(event.Channels, p.Channel) {
			bad(i, ".channel", "%q is not a channel (want * or one of %s)", p.Channel, strings.Join(event.Channels, " "))
		}
		if p.Priority != Any && !slices.Contains(event.Priorities, p.Priority) {
			bad(i, ".priority", "%q is not a priority (want * or one of %s)", p.Priority, strings.Join(event.Priorities, " "))
		}
		if p.FirstResponse < 0 {
			bad(i, ".first_response", "%s is negative", p.FirstResponse)
		}
		if p.Resolution < 0 {
			bad(i, ".resolution", "%s is negative", p.Resolution)
		}
		if p.FirstResponse == 0 && p.Resolution == 0 {
			bad(i, "", "no target: set first_response, resolution or both")
		}
		if p.PauseFirstResponse && p.PauseWhenPending != nil && !*p.PauseWhenPending {
			bad(i, ".pause_first_response", "true needs pause_when_pending (false here)")
		}
		// Written so that NaN fails too.
		if p.Objective != 0 && !(p.Objective > 0 && p.Objective < 1) {
			bad(i, ".objective", "%v is not between 0 and 1 (exclusive)", p.Objective)
		}
	}
	return errors.Join(errs...)
}
