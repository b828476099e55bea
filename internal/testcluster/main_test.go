package testcluster

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	// Proxies, workloads, process waiters and client connections must all
	// end at test cleanup.
	goleak.VerifyTestMain(m)
}
