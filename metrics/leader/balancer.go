package leader

import (
	"sort"
	"strconv"

	"github.com/segmentio/kafka-go"
)

// stickyLead assigns the coordination partition to the member that led the
// newest term, else to the first member by id. With kafka-go's range
// balancer every process that starts would take the lead whenever its member
// id sorted first, cancelling the leader's runs for nothing; with this one a
// joining standby leaves the leader leading, and a deposed leader that comes
// back (a process paused past the session timeout) does not take the lead
// back from its successor.
type stickyLead struct{ e *Elector }

const protocolName = "cxpulse-kpi-leader"

func (stickyLead) ProtocolName() string { return protocolName }

// UserData is the generation of the term this member led in its last group
// generation, empty when it did not lead.
func (b stickyLead) UserData() ([]byte, error) {
	if g := b.e.held.Load(); g > 0 {
		return []byte(strconv.FormatUint(g, 10)), nil
	}
	return nil, nil
}

func (stickyLead) AssignGroups(members []kafka.GroupMember, partitions []kafka.Partition) kafka.GroupMemberAssignments {
	out := kafka.GroupMemberAssignments{}
	if len(members) == 0 {
		return out
	}
	sorted := append([]kafka.GroupMember(nil), members...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].ID < sorted[j].ID })
	chosen, newest := sorted[0], uint64(0)
	for _, m := range sorted {
		if g, err := strconv.ParseUint(string(m.UserData), 10, 64); err == nil && g > newest {
			chosen, newest = m, g
		}
	}
	for _, m := range sorted {
		out[m.ID] = map[string][]int{}
	}
	for _, p := range partitions {
		out[chosen.ID][p.Topic] = append(out[chosen.ID][p.Topic], p.ID)
	}
	return out
}
