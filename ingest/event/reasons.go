package event

import (
	"fmt"
	"time"
)

// Reason says why a message was rejected. It is the value of the dead-letter
// header and of the reason label of the rejected-events metric, so the set is
// small and stable.
type Reason string

// The rejection reasons.
const (
	ReasonNotJSON      Reason = "not_json"
	ReasonTooLarge     Reason = "too_large"
	ReasonMissingField Reason = "missing_field"
	ReasonInvalidField Reason = "invalid_field"
	ReasonScoreRange   Reason = "score_out_of_range"
	ReasonUnknownType  Reason = "unknown_type"
	ReasonInFuture     Reason = "in_future"
)

// Reasons lists every rejection reason, so metrics can be initialised at zero.
var Reasons = []Reason{ReasonNotJSON, ReasonTooLarge, ReasonMissingField, ReasonInvalidField, ReasonScoreRange, ReasonUnknownType, ReasonInFuture}

// Error is a contract violation: the reason, the field at fault (if any) and a
// human-readable message.
type Error struct {
	Reason Reason
	Field  string
	Msg    string
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: field %s: %s", e.Reason, e.Field, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Reason, e.Msg)
}

// Limits are the configurable bounds of the contract.
type Limits struct {
	// MaxBytes is the largest accepted message value (contract default 64 KiB).
	MaxBytes int
	// MaxFutureSkew is how far occurred_at may lie ahead of the ingest clock (default 5m).
	MaxFutureSkew time.Duration
	// Contract is the contract version whose types are accepted: "" for
	// ContractVersion, "1.0" for the thirteen types of 1.0 only (what a
	// consumer built before 1.1 does: the newer types dead-letter with
	// unknown_type).
	Contract string
}

// DefaultLimits are the contract's defaults.
var DefaultLimits = Limits{MaxBytes: 64 << 10, MaxFutureSkew: 5 * time.Minute}
