package console

import (
	"strings"
	"testing"
)

func TestLineDiff(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want string // ops and lines, one per line
	}{
		{"x\ny", "x\ny", " x| y"},
		{"x\ny", "x\nz\ny", " x|+z| y"},
		{"x\nz\ny", "x\ny", " x|-z| y"},
		{"a\nb", "c", "-a|-b|+c"},
		{"", "a", "-|+a"},
	} {
		var got []string
		for _, l := range lineDiff(tc.a, tc.b) {
			got = append(got, l.Op+l.Text)
		}
		if g := strings.Join(got, "|"); g != tc.want {
			t.Errorf("lineDiff(%q, %q) = %q, want %q", tc.a, tc.b, g, tc.want)
		}
	}
}
