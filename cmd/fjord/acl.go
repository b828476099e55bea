package main

import "strings"

// splitPrincipals parses --super-users: comma-separated principals, blanks
// dropped (the broker validates each).
func splitPrincipals(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
