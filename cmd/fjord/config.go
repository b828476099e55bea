package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/fjordlog/fjord/server/cluster"
	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"
)

// serveConfig is the configuration of `fjord serve`. Every field is a flag;
// every flag except --config is also a config file key of the same name and
// an environment variable FJORD_<NAME> (upper snake case). Precedence:
// flag > environment > config file > built-in default.
type serveConfig struct {
	ConfigFile string

	Data                     string
	Listen                   string
	HTTP                     string
	NodeID                   int32
	AdvertisedAddr           string
	DefaultPartitions        int32
	DefaultReplicationFactor int32
	AutoCreateTopics         bool
	MaxRecvMsgBytes          byteSize
	MaxConcurrentStreams     uint32
	MaxOpenFiles             int
	ShutdownTimeout          time.Duration
	LogLevel                 string
	LogFormat                string
	OTLPEndpoint             string
	OTLPProtocol             string
	OTLPInsecure             bool

	Raft              string
	RaftAdvertise     string
	Peers             string
	Bootstrap         bool
	Join              string
	Rack              string
	SessionTimeout    time.Duration
	HeartbeatInterval time.Duration
	RaftTimeout       time.Duration
	ReplicaLagTimeMax time.Duration
	ReplicaFetchWait  time.Duration

	ProducerIDExpiration time.Duration

	OffsetsTopicPartitions        int32
	OffsetsTopicReplicationFactor int32
	GroupSessionTimeout           time.Duration
	GroupMinSessionTimeout        time.Duration
	GroupMaxSessionTimeout        time.Duration
	GroupHeartbeatInterval        time.Duration
	OffsetsRetention              time.Duration
	MetricsPerPartition           bool
	Authorizer                    string
	SuperUsers                    string

	Security securityConfig // TLS and authentication (serve.go)
}

const configFlag = "config"

// notSetting reports flags that are not settings: --config names the file
// and --help is cobra's.
func notSetting(name string) bool { return name == configFlag || name == "help" }

// register defines the flags with their built-in defaults.
func (c *serveConfig) register(fs *pflag.FlagSet) {
	fs.StringVar(&c.ConfigFile, configFlag, "", "YAML config file; keys are the flag names (env FJORD_CONFIG)")
	fs.StringVar(&c.Data, "data", "fjord-data", "data directory")
	fs.StringVar(&c.Listen, "listen", "127.0.0.1:9092", "gRPC listen address HOST:PORT")
	fs.StringVar(&c.HTTP, "http", "127.0.0.1:8081", `HTTP listen address HOST:PORT (health, readiness, Prometheus /metrics and the schema registry REST API), or "off"`)
	fs.Int32Var(&c.NodeID, "node-id", 1, "broker id (>= 1)")
	fs.StringVar(&c.AdvertisedAddr, "advertised-addr", "", "HOST:PORT clients should dial (default: the bound listen address)")
	fs.Int32Var(&c.DefaultPartitions, "default-partitions", 1, "partitions of a topic created without a count")
	fs.Int32Var(&c.DefaultReplicationFactor, "default-replication-factor", 1, "replication factor of a topic created without one")
	fs.BoolVar(&c.AutoCreateTopics, "auto-create-topics", false, "create unknown topics when a client asks for their metadata")
	c.MaxRecvMsgBytes = 64 << 20
	fs.Var(&c.MaxRecvMsgBytes, "max-recv-msg-bytes", "largest gRPC request the broker accepts (bytes; KiB/MiB/GiB suffixes allowed)")
	fs.Uint32Var(&c.MaxConcurrentStreams, "max-concurrent-streams", 1024, "gRPC streams per connection")
	fs.IntVar(&c.MaxOpenFiles, "max-open-files", 1024, "segment read handles kept open across all partitions (each partition also holds its active segment open)")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", 30*time.Second, "how long a graceful shutdown may take")
	fs.StringVar(&c.LogLevel, "log-level", "info", "debug, info, warn or error")
	fs.StringVar(&c.LogFormat, "log-format", "text", "text or json (written to stderr)")
	fs.StringVar(&c.OTLPEndpoint, "otlp-endpoint", "", "OpenTelemetry collector HOST:PORT or URL receiving metrics and traces (default: OTEL_EXPORTER_OTLP_ENDPOINT, else no export)")
	fs.StringVar(&c.OTLPProtocol, "otlp-protocol", "grpc", "OTLP protocol: grpc or http (protobuf)")
	fs.BoolVar(&c.OTLPInsecure, "otlp-insecure", false, "talk to the OTLP collector without TLS (implied by an http:// endpoint)")
	fs.StringVar(&c.Raft, "raft", "", "controller quorum (raft) listen address HOST:PORT; empty runs a single node")
	fs.StringVar(&c.RaftAdvertise, "raft-advertise", "", "raft address peers dial when it differs from --raft (e.g. --raft 0.0.0.0:9093)")
	fs.StringVar(&c.Peers, "peers", "", "static controller quorum including this node: ID@HOST:PORT,... (raft addresses)")
	fs.BoolVar(&c.Bootstrap, "bootstrap", false, "start a new cluster whose quorum is this node alone (others --join it)")
	fs.StringVar(&c.Join, "join", "", "gRPC address HOST:PORT of a broker of the cluster to join")
	fs.StringVar(&c.Rack, "rack", "", "rack of this broker, for rack-aware replica placement")
	fs.DurationVar(&c.SessionTimeout, "session-timeout", 1500*time.Millisecond, "a broker silent this long is fenced and its leaderships move")
	fs.DurationVar(&c.HeartbeatInterval, "heartbeat-interval", 300*time.Millisecond, "how often the broker heartbeats to the controller")
	fs.DurationVar(&c.RaftTimeout, "raft-timeout", 500*time.Millisecond, "controller quorum heartbeat and election timeout (cluster mode)")
	fs.DurationVar(&c.ReplicaLagTimeMax, "replica-lag-time-max", 10*time.Second, "a follower not caught up this long leaves the ISR")
	fs.DurationVar(&c.ReplicaFetchWait, "replica-fetch-wait", 500*time.Millisecond, "how long a leader holds an idle follower fetch")
	fs.DurationVar(&c.ProducerIDExpiration, "producer-id-expiration", 24*time.Hour, "forget an idempotent producer's sequence state after this long without writes")
	fs.Int32Var(&c.OffsetsTopicPartitions, "offsets-topic-partitions", 50, "partitions of __consumer_offsets when the broker creates it (never change it afterwards)")
	fs.Int32Var(&c.OffsetsTopicReplicationFactor, "offsets-topic-replication-factor", 0, "replication factor of __consumer_offsets when the broker creates it; 0 = 3, or the live brokers if fewer")
	fs.DurationVar(&c.GroupSessionTimeout, "group-session-timeout", 45*time.Second, "session timeout of a consumer group member asking for none")
	fs.DurationVar(&c.GroupMinSessionTimeout, "group-min-session-timeout", 6*time.Second, "smallest session timeout a group member may ask for")
	fs.DurationVar(&c.GroupMaxSessionTimeout, "group-max-session-timeout", 30*time.Minute, "largest session timeout a group member may ask for")
	fs.DurationVar(&c.GroupHeartbeatInterval, "group-heartbeat-interval", 5*time.Second, "how often group members heartbeat (at most a third of their session timeout)")
	fs.DurationVar(&c.OffsetsRetention, "offsets-retention", 168*time.Hour, "drop an empty group's committed offsets this long after its last commit")
	fs.BoolVar(&c.MetricsPerPartition, "metrics-per-partition", false, "add per-partition series (log size, consumer group lag) to /metrics")
	fs.StringVar(&c.Authorizer, "authorizer", "off", `"off" (everyone may do everything) or "acl" (check every call against the cluster's ACLs; deny by default)`)
	fs.StringVar(&c.SuperUsers, "super-users", "", "comma-separated principals that bypass ACLs, e.g. User:admin")
	c.Security.register(fs)
}

// serveValidators check the semantics of a setting after it parsed.
var serveValidators = map[string]func(v string) error{
	"data": func(v string) error {
		if v == "" {
			return errors.New("must not be empty")
		}
		return nil
	},
	"listen": validateHostPort,
	"http": func(v string) error {
		if v == "" || v == "off" {
			return nil
		}
		return validateHostPort(v)
	},
	"advertised-addr": func(v string) error {
		if v == "" {
			return nil
		}
		host, _, err := net.SplitHostPort(v)
		if err == nil && host == "" {
			return errors.New("must name a host")
		}
		return validateHostPort(v)
	},
	"node-id":                    atLeast(1),
	"default-partitions":         inRange(1, 10000),
	"default-replication-factor": atLeast(1),
	"max-recv-msg-bytes":         atLeast(1 << 20),
	"max-concurrent-streams":     atLeast(1),
	"max-open-files":             atLeast(16),
	"shutdown-timeout": func(v string) error {
		if d, _ := time.ParseDuration(v); d <= 0 {
			return errors.New("must be positive")
		}
		return nil
	},
	"raft": func(v string) error {
		if v == "" {
			return nil
		}
		return validateHostPort(v)
	},
	"raft-advertise": func(v string) error {
		if v == "" {
			return nil
		}
		return validateHostPort(v)
	},
	"peers": func(v string) error {
		_, err := parsePeers(v)
		return err
	},
	"join": func(v string) error {
		if v == "" {
			return nil
		}
		return validateHostPort(v)
	},
	"session-timeout":        positive,
	"heartbeat-interval":     positive,
	"raft-timeout":           positive,
	"replica-lag-time-max":   positive,
	"replica-fetch-wait":     positive,
	"producer-id-expiration": positive,
	"log-level":              oneOf("debug", "info", "warn", "error"),
	"log-format":             oneOf("text", "json"),
	"otlp-protocol":          oneOf("grpc", "http"),

	"offsets-topic-partitions":         inRange(1, 10000),
	"offsets-topic-replication-factor": atLeast(0),
	"group-session-timeout":            positive,
	"group-min-session-timeout":        positive,
	"group-max-session-timeout":        positive,
	"group-heartbeat-interval":         positive,
	"offsets-retention":                positive,
}

func positive(v string) error {
	if d, _ := time.ParseDuration(v); d <= 0 {
		return errors.New("must be positive")
	}
	return nil
}

// parsePeers parses "1@host:port,2@host:port".
func parsePeers(v string) ([]cluster.Peer, error) {
	if strings.TrimSpace(v) == "" {
		return nil, nil
	}
	var out []cluster.Peer
	for _, item := range strings.Split(v, ",") {
		id, addr, ok := strings.Cut(strings.TrimSpace(item), "@")
		n, err := strconv.ParseInt(id, 10, 32)
		if !ok || err != nil || n < 1 {
			return nil, fmt.Errorf("peer %q: want ID@HOST:PORT with ID >= 1", item)
		}
		if err := validateHostPort(addr); err != nil {
			return nil, fmt.Errorf("peer %q: %w", item, err)
		}
		out = append(out, cluster.Peer{ID: int32(n), Addr: addr})
	}
	return out, nil
}

func validateHostPort(v string) error {
	_, port, err := net.SplitHostPort(v)
	if err != nil {
		return errors.New("want HOST:PORT")
	}
	if n, err := strconv.ParseUint(port, 10, 16); err != nil || (n == 0 && port != "0") {
		return fmt.Errorf("bad port %q", port)
	}
	return nil
}

func atLeast(min int64) func(string) error {
	return func(v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < min {
			return fmt.Errorf("must be at least %d", min)
		}
		return nil
	}
}

func inRange(min, max int64) func(string) error {
	return func(v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < min || n > max {
			return fmt.Errorf("must be between %d and %d", min, max)
		}
		return nil
	}
}

func oneOf(allowed ...string) func(string) error {
	return func(v string) error {
		for _, a := range allowed {
			if v == a {
				return nil
			}
		}
		return fmt.Errorf("must be one of %s", strings.Join(allowed, ", "))
	}
}

// envName maps a flag name to its environment variable: node-id -> FJORD_NODE_ID.
func envName(flag string) string {
	return "FJORD_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// configValue is one key read from a config file.
type configValue struct {
	value string
	line  int
}

// settingError reports a bad setting, naming the key and where it came from.
type settingError struct {
	key    string // flag/config key
	source string // "--key", "FJORD_KEY" or "config FILE:LINE"
	value  string
	err    error
}

func (e *settingError) Error() string {
	if e.source == "--"+e.key {
		return fmt.Sprintf("invalid value %q for --%s: %v", e.value, e.key, e.err)
	}
	return fmt.Sprintf("%s: invalid value %q for %s: %v", e.source, e.value, e.key, e.err)
}

func (e *settingError) Unwrap() error { return e.err }

// resolveServeConfig merges the config file and the environment into the
// parsed flags fs (defined by cfg.register) and validates every setting.
func resolveServeConfig(fs *pflag.FlagSet, env *cliEnv) error {
	path := fs.Lookup(configFlag).Value.String()
	pathSource := "--" + configFlag
	if !fs.Changed(configFlag) {
		if v, ok := env.getenv(envName(configFlag)); ok {
			path, pathSource = v, envName(configFlag)
		}
	}
	var file map[string]configValue
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("%s: cannot read config file: %w", pathSource, unwrapPathError(err))
		}
		if file, err = parseConfigFile(path, data, fs); err != nil {
			return err
		}
	}

	// Check every file and environment value, even one a higher-precedence
	// source overrides, so a broken file never goes unnoticed.
	scratch := pflag.NewFlagSet("scratch", pflag.ContinueOnError)
	new(serveConfig).register(scratch)
	check := func(key, source, value string) error {
		if err := scratch.Lookup(key).Value.Set(value); err != nil {
			return &settingError{key: key, source: source, value: value, err: parseErrorReason(scratch.Lookup(key), err)}
		}
		if validate := validatorFor(key); validate != nil {
			if err := validate(scratch.Lookup(key).Value.String()); err != nil {
				return &settingError{key: key, source: source, value: value, err: err}
			}
		}
		return nil
	}

	var firstErr error
	fs.VisitAll(func(f *pflag.Flag) {
		if firstErr != nil || notSetting(f.Name) {
			return
		}
		var value, source string
		var have bool
		if cv, ok := file[f.Name]; ok {
			value, source, have = cv.value, fmt.Sprintf("config %s:%d", path, cv.line), true
			if firstErr = check(f.Name, source, value); firstErr != nil {
				return
			}
		}
		if v, ok := env.getenv(envName(f.Name)); ok {
			value, source, have = v, envName(f.Name), true
			if firstErr = check(f.Name, source, value); firstErr != nil {
				return
			}
		}
		if f.Changed {
			if validate := validatorFor(f.Name); validate != nil {
				if err := validate(f.Value.String()); err != nil {
					firstErr = &settingError{key: f.Name, source: "--" + f.Name, value: f.Value.String(), err: err}
				}
			}
			return
		}
		if have {
			// Already checked above, so Set cannot fail here.
			firstErr = f.Value.Set(value)
		}
	})
	return firstErr
}

// parseConfigFile reads a flat YAML mapping of flag names to scalar values.
func parseConfigFile(path string, data []byte, fs *pflag.FlagSet) (map[string]configValue, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("config %s: %s", path, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	out := map[string]configValue{}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return out, nil // empty file
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("config %s:%d: want a mapping of keys to values", path, root.Line)
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		key := k.Value
		where := fmt.Sprintf("config %s:%d", path, k.Line)
		if key == configFlag {
			return nil, fmt.Errorf("%s: key %q is not allowed in a config file", where, key)
		}
		if fs.Lookup(key) == nil || notSetting(key) {
			return nil, fmt.Errorf("%s: unknown key %q (known keys: %s)", where, key, strings.Join(configKeys(fs), ", "))
		}
		if prev, dup := out[key]; dup {
			return nil, fmt.Errorf("%s: key %q repeats line %d", where, key, prev.line)
		}
		if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
			return nil, fmt.Errorf("%s: key %q wants a single value", where, key)
		}
		out[key] = configValue{value: v.Value, line: k.Line}
	}
	return out, nil
}

func configKeys(fs *pflag.FlagSet) []string {
	var keys []string
	fs.VisitAll(func(f *pflag.Flag) {
		if !notSetting(f.Name) {
			keys = append(keys, f.Name)
		}
	})
	sort.Strings(keys)
	return keys
}

// parseErrorReason turns a flag parse error into a short reason.
func parseErrorReason(f *pflag.Flag, err error) error {
	switch f.Value.Type() {
	case "int32", "uint32":
		return errors.New("want an integer")
	case "bool":
		return errors.New("want true or false")
	case "duration":
		return errors.New("want a duration such as 30s or 1m")
	}
	return err
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Path, pe.Err)
	}
	return err
}

// byteSize is a pflag.Value for sizes: a plain byte count or a number with a
// KiB, MiB or GiB (also KB, MB, GB: powers of 1000) suffix.
type byteSize int

var _ pflag.Value = (*byteSize)(nil)

func (b *byteSize) String() string { return strconv.Itoa(int(*b)) }
func (b *byteSize) Type() string   { return "bytes" }

func (b *byteSize) Set(s string) error {
	n, err := parseByteSize(s)
	if err != nil {
		return err
	}
	*b = byteSize(n)
	return nil
}

func parseByteSize(s string) (int, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1}}
	num, mult := strings.TrimSpace(s), int64(1)
	for _, u := range units {
		if strings.HasSuffix(num, u.suffix) {
			num, mult = strings.TrimSpace(strings.TrimSuffix(num, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 || n > (1<<31-1)/mult {
		return 0, errors.New("want a size in bytes such as 1048576 or 1MiB, at most 2GiB-1")
	}
	return int(n * mult), nil
}
