//go:build long

package storage_test

import (
	"fmt"
	"testing"
)

// TestPropertyLong runs many more sequences: go test -tags long.
func TestPropertyLong(t *testing.T) {
	for seed := 1000; seed < 1400; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { runProperty(t, uint64(seed), 600) })
	}
}

// TestFaultInjectionLong: go test -tags long.
func TestFaultInjectionLong(t *testing.T) {
	for seed := 1000; seed < 3000; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { runFaults(t, uint64(seed)) })
	}
}
