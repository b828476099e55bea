// Package testcluster runs Fjord brokers as real `fjord serve` processes on
// loopback for process-level fault tests: kill -9, SIGSTOP/SIGCONT,
// graceful stops, restarts on the same data, and network faults. Tests
// only; every process, proxy and goroutine ends at test cleanup and every
// wait is bounded by time.
//
// # Harness
//
//   - Start runs one single-node broker; StartCluster(t, n, opts...) runs
//     n brokers with temporary data directories, free ports and a static
//     --peers controller quorum, with short timeouts (session 1s,
//     heartbeat 200ms, raft 300ms, replica.lag.time.max 2s), and waits
//     until all are active. WithArgs adds flags; WithProxies fronts each
//     node's gRPC and raft ports with a Proxy; WithHTTP gives each node an
//     --http listener (Node.HTTPAddr: health and the schema registry's
//     REST API), which nodes otherwise run without.
//   - Node (a *Broker) is one process: Kill (SIGKILL), Stop (SIGTERM, clean
//     exit required), Restart (same ports and data), Pause (SIGSTOP),
//     Resume (SIGCONT), Log, PID. A process that exits without the harness
//     asking is reported as a test failure at cleanup.
//   - Cluster: Node, Conn, GetMetadata/Metadata, WaitAllActive/WaitActive,
//     Controller, State, Leader, WaitPartition/PollPartition, CreateTopic,
//     WaitTopic, Place (reassign a partition and elect its preferred
//     leader), Isolate/Cut/SplitNetwork/Heal, StopAll.
//   - Proxy forwards a port and blackholes (BlockFrom, BlockAll, Unblock),
//     drops (DropAll) or delays (SetDelay) traffic. Brokers all dial from
//     127.0.0.1, so a proxy tells them apart by the process holding the
//     dialing socket (/proc/net/tcp and /proc/<pid>/fd; Linux only). A
//     proxied node advertises its gRPC proxy (--advertised-addr) and the
//     other nodes' --peers name its raft proxy, so all traffic between two
//     brokers crosses one of their proxies and a cut is symmetric; the
//     test's own clients are never blocked by a cut.
//
// # Checker
//
// A Workload produces unique values (never resent: a retry is a new
// attempt) with the chosen acks, follows leader changes, and records every
// attempt as Acked (with partition and offset), Failed (a definite error:
// must not be in the log) or Unknown (indefinite error, transport error or
// timeout). Verify reads every partition from its leader up to the high
// watermark and checks the log against the attempts; CompareReplicas opens
// each stopped node's copy with storage.Open and requires byte-identical
// batches below the smallest high watermark.
//
// # Environment
//
//   - FJORD_TEST_BINARY: a prebuilt fjord binary instead of building
//     ./cmd/fjord from the working tree.
//   - FJORD_TEST_LOGDIR: write every broker's full output there.
//   - FJORD_TEST_LOG_LEVEL: every broker's --log-level.
package testcluster
