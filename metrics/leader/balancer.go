package leader

import (
	"sort"

	"github.com/segmentio/kafka-go"
)

// stickyLead assigns the coordination partition to the member that held it
// in the previous group generation, else to the first member by id. With
// kafka-go's range balancer every process that starts would take the lead
// whenever its member id sorted first, cancelling the leader's runs for
// nothing; with this one, a joining standby leaves the leader leading.
type stickyLead struct{ e *Elector }

const (
	protocolName = "cxpulse-kpi-leader"
	heldMark     = "held"
)

func (stickyLead) ProtocolName() string { return protocolName }

func (b stickyLead) UserData() ([]byte, error) {
	if b.e.held.Load() {
		return []byte(heldMark), nil
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
	chosen := sorted[0]
	for _, m := range sorted {
		if string(m.UserData) == heldMark {
			chosen = m
			break
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
