package calendar

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// Set holds the calendars of the branches that have one. A branch without a
// calendar, and every branch of a nil Set, is open 24/7 in UTC.
type Set struct {
	byBranch map[string]*Calendar
	branches []string
}

// NewSet checks every spec and returns their set. The error joins every
// problem of every branch, branches in sorted order, each prefixed with its
// path in the configuration: `calendars.praha-1.hours.wed[1]: …`.
func NewSet(specs map[string]Spec) (*Set, error) {
	s := &Set{byBranch: make(map[string]*Calendar, len(specs))}
	for b := range specs {
		s.branches = append(s.branches, b)
	}
	slices.Sort(s.branches)
	var errs []error
	for _, b := range s.branches {
		c, problems := build(specs[b])
		for _, p := range problems {
			errs = append(errs, fmt.Errorf("calendars.%s.%w", b, p))
		}
		s.byBranch[b] = c
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return s, nil
}

// For returns the calendar of branch, nil (open 24/7) when it has none.
func (s *Set) For(branch string) *Calendar {
	if s == nil {
		return nil
	}
	return s.byBranch[branch]
}

// BusinessSeconds returns the business seconds of [start, end) in branch's
// calendar; see Calendar.BusinessSeconds.
func (s *Set) BusinessSeconds(branch string, start, end time.Time) float64 {
	return s.For(branch).BusinessSeconds(start, end)
}

// Location returns the time zone of branch's calendar, UTC when it has none.
func (s *Set) Location(branch string) *time.Location {
	return s.For(branch).Location()
}

// Branches returns the branches that have a calendar, sorted.
func (s *Set) Branches() []string {
	if s == nil {
		return nil
	}
	return slices.Clone(s.branches)
}
