package testcluster

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
)

// connPeerPID returns which of pids holds the other end of c, a loopback
// TCP connection this process accepted. It finds the dialer's socket in
// /proc/net/tcp{,6} (local address = c's remote address) and then the
// process with a descriptor on that socket's inode. Brokers all dial from
// 127.0.0.1, so the process is the only way to tell them apart.
func connPeerPID(c net.Conn, pids []int) (int, bool) {
	remote, ok1 := c.RemoteAddr().(*net.TCPAddr)
	local, ok2 := c.LocalAddr().(*net.TCPAddr)
	if !ok1 || !ok2 || len(pids) == 0 {
		return 0, false
	}
	inode := ""
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		if inode = findSocketInode(table, remote, local); inode != "" {
			break
		}
	}
	if inode == "" {
		return 0, false
	}
	want := "socket:[" + inode + "]"
	for _, pid := range pids {
		dir := "/proc/" + strconv.Itoa(pid) + "/fd"
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if link, err := os.Readlink(dir + "/" + e.Name()); err == nil && link == want {
				return pid, true
			}
		}
	}
	return 0, false
}

// findSocketInode returns the inode of the socket in table whose local
// address is local and remote address remote, or "".
func findSocketInode(table string, local, remote *net.TCPAddr) string {
	f, err := os.Open(table)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 10 {
			continue
		}
		l, err1 := parseProcAddr(fields[1])
		r, err2 := parseProcAddr(fields[2])
		if err1 != nil || err2 != nil {
			continue
		}
		if sameAddr(l, local) && sameAddr(r, remote) {
			return fields[9]
		}
	}
	return ""
}

func sameAddr(a, b *net.TCPAddr) bool { return a.Port == b.Port && a.IP.Equal(b.IP) }

// parseProcAddr parses /proc/net/tcp's "0100007F:1F90": the address as
// 32-bit words in host (little-endian) order, the port big-endian.
func parseProcAddr(s string) (*net.TCPAddr, error) {
	host, port, ok := strings.Cut(s, ":")
	if !ok {
		return nil, fmt.Errorf("testcluster: bad /proc address %q", s)
	}
	raw, err := hex.DecodeString(host)
	if err != nil || len(raw)%4 != 0 {
		return nil, fmt.Errorf("testcluster: bad /proc address %q", s)
	}
	ip := make(net.IP, len(raw))
	for w := 0; w < len(raw); w += 4 {
		ip[w], ip[w+1], ip[w+2], ip[w+3] = raw[w+3], raw[w+2], raw[w+1], raw[w]
	}
	p, err := strconv.ParseUint(port, 16, 16)
	if err != nil {
		return nil, fmt.Errorf("testcluster: bad /proc port %q", s)
	}
	return &net.TCPAddr{IP: ip, Port: int(p)}, nil
}

// canIdentifyPeers reports whether connPeerPID works on this system.
func canIdentifyPeers() bool {
	_, err := os.Stat("/proc/net/tcp")
	return err == nil
}
