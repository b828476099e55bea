package server

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	// Every broker goroutine (flushers, maintenance, stream readers) must end
	// with Shutdown.
	goleak.VerifyTestMain(m)
}
