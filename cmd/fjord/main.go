// Command fjord is the Fjord binary: `fjord serve` runs a broker and the other
// subcommands (topic, partition, produce, consume, group, cluster, bench)
// operate a cluster.
//
// This package only parses flags and configuration, wires the server and the
// Go SDK together and handles signals; all behaviour lives in those packages.
package main

import (
	"context"
	"os"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], newStdEnv()))
}
