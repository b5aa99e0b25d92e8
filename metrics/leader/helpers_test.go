package leader

import "github.com/segmentio/kafka-go"

type kafkaMember struct{ id, data string }

func groupMembers(ms []kafkaMember) []kafka.GroupMember {
	var out []kafka.GroupMember
	for _, m := range ms {
		out = append(out, kafka.GroupMember{ID: m.id, Topics: []string{"coord"}, UserData: []byte(m.data)})
	}
	return out
}

func partitions(topic string, n int) []kafka.Partition {
	var out []kafka.Partition
	for i := range n {
		out = append(out, kafka.Partition{Topic: topic, ID: i})
	}
	return out
}
