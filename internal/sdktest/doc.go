// Package sdktest holds integration tests of the Go SDK (clients/go) against
// a real in-process broker (server.New on a temporary data directory). It has
// no non-test code: each test starts its own broker on 127.0.0.1:0 and shuts
// it down in t.Cleanup, and goleak checks that the SDK and the broker stop
// every goroutine they start.
package sdktest
