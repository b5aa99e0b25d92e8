package main

import (
	"fmt"
	"net"
	"strconv"

	"github.com/twmb/franz-go/pkg/kfake"
)

// startEmbeddedKafka starts an in-process Kafka-compatible broker on addr so
// that the demo needs no Kafka installation; ordinary clients (kcat, kafka-go)
// can produce to it. It is for the demo and quick trials, not for production:
// its data lives in memory.
func startEmbeddedKafka(addr string, partitions int32, topics ...string) (*kfake.Cluster, error) {
	_, portText, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("--embedded-kafka %q: %w", addr, err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil {
		return nil, fmt.Errorf("--embedded-kafka %q: port: %w", addr, err)
	}
	cluster, err := kfake.NewCluster(
		kfake.Ports(port),
		kfake.ListenFn(func(network, _ string) (net.Listener, error) { return net.Listen(network, addr) }),
		kfake.SeedTopics(partitions, topics...),
		kfake.AllowAutoTopicCreation(),
		kfake.DefaultNumPartitions(int(partitions)),
	)
	if err != nil {
		return nil, fmt.Errorf("start embedded kafka on %s: %w", addr, err)
	}
	return cluster, nil
}
