package group

import "time"

// Config holds the coordinator's settings. The zero value works:
// EnsureDefaults fills every zero field.
type Config struct {
	// DefaultSessionTimeout applies to members asking for none. Default 45s.
	DefaultSessionTimeout time.Duration
	// MinSessionTimeout and MaxSessionTimeout bound the session timeouts
	// members may ask for. Defaults 6s and 30m.
	MinSessionTimeout time.Duration
	MaxSessionTimeout time.Duration
	// HeartbeatInterval is how often members heartbeat; a member gets
	// min(HeartbeatInterval, its session timeout/3). Default 5s.
	HeartbeatInterval time.Duration
	// DefaultRebalanceTimeout applies to members asking for none. Default 5m.
	DefaultRebalanceTimeout time.Duration
	// OffsetsRetention: the offsets of an empty group are dropped this long
	// after its last commit. Default 7 days.
	OffsetsRetention time.Duration
	// MaxMetadataBytes bounds a commit's metadata string. Default 4096.
	MaxMetadataBytes int
}

// EnsureDefaults returns c with every zero field set to its default.
func (c Config) EnsureDefaults() Config {
	if c.DefaultSessionTimeout <= 0 {
		c.DefaultSessionTimeout = 45 * time.Second
	}
	if c.MinSessionTimeout <= 0 {
		c.MinSessionTimeout = 6 * time.Second
	}
	if c.MaxSessionTimeout <= 0 {
		c.MaxSessionTimeout = 30 * time.Minute
	}
	if c.HeartbeatInterval <= 0 {
		c.HeartbeatInterval = 5 * time.Second
	}
	if c.DefaultRebalanceTimeout <= 0 {
		c.DefaultRebalanceTimeout = 5 * time.Minute
	}
	if c.OffsetsRetention <= 0 {
		c.OffsetsRetention = 7 * 24 * time.Hour
	}
	if c.MaxMetadataBytes <= 0 {
		c.MaxMetadataBytes = 4096
	}
	return c
}
