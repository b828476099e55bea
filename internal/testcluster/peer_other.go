//go:build !linux

package testcluster

import "net"

// connPeerPID needs Linux's /proc; elsewhere no connection is identified.
func connPeerPID(net.Conn, []int) (int, bool) { return 0, false }

// canIdentifyPeers reports whether connPeerPID works on this system.
func canIdentifyPeers() bool { return false }
