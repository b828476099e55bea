package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

// resolveForTest parses args as `fjord serve` flags, with env as the
// environment and file (if not empty) as the --config file's contents.
func resolveForTest(t *testing.T, args []string, env map[string]string, file string) (*serveConfig, error) {
	t.Helper()
	cfg := &serveConfig{}
	fs := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	cfg.register(fs)
	if file != "" {
		path := filepath.Join(t.TempDir(), "fjord.yaml")
		if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--config", path)
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	return cfg, resolveServeConfig(fs, &cliEnv{lookupEnv: mapEnv(env)})
}

func mapEnv(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

func TestServeConfigPrecedence(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		env   map[string]string
		file  string
		check func(t *testing.T, c *serveConfig)
	}{
		{
			name: "defaults",
			check: func(t *testing.T, c *serveConfig) {
				want := serveConfig{
					Data: "fjord-data", Listen: "127.0.0.1:9092", HTTP: "127.0.0.1:8081", NodeID: 1,
					DefaultPartitions: 1, DefaultReplicationFactor: 1, MaxRecvMsgBytes: 64 << 20,
					MaxConcurrentStreams: 1024, MaxOpenFiles: 1024, ShutdownTimeout: 30 * time.Second, LogLevel: "info", LogFormat: "text", OTLPProtocol: "grpc", Authorizer: "off",
					SessionTimeout: 1500 * time.Millisecond, HeartbeatInterval: 300 * time.Millisecond, RaftTimeout: 500 * time.Millisecond,
					ReplicaLagTimeMax: 10 * time.Second, ReplicaFetchWait: 500 * time.Millisecond, ProducerIDExpiration: 24 * time.Hour,
					OffsetsTopicPartitions: 50, GroupSessionTimeout: 45 * time.Second, GroupMinSessionTimeout: 6 * time.Second,
					GroupMaxSessionTimeout: 30 * time.Minute, GroupHeartbeatInterval: 5 * time.Second, OffsetsRetention: 168 * time.Hour,
					Security: securityConfig{CredentialsReloadInterval: 30 * time.Second},
				}
				if *c != want {
					t.Errorf("got %+v\nwant %+v", *c, want)
				}
			},
		},
		{
			name: "file over default",
			file: "data: /var/lib/fjord\nlisten: 0.0.0.0:9999\nauto-create-topics: true\ndefault-partitions: 3\nhttp: off\nmax-recv-msg-bytes: 2MiB\nshutdown-timeout: 5s\nlog-format: json\n",
			check: func(t *testing.T, c *serveConfig) {
				if c.Data != "/var/lib/fjord" || c.Listen != "0.0.0.0:9999" || !c.AutoCreateTopics || c.DefaultPartitions != 3 ||
					c.HTTP != "off" || c.MaxRecvMsgBytes != 2<<20 || c.ShutdownTimeout != 5*time.Second || c.LogFormat != "json" {
					t.Errorf("got %+v", *c)
				}
			},
		},
		{
			name: "env over file",
			file: "data: from-file\nnode-id: 2\n",
			env:  map[string]string{"FJORD_DATA": "from-env"},
			check: func(t *testing.T, c *serveConfig) {
				if c.Data != "from-env" || c.NodeID != 2 {
					t.Errorf("data = %q, node-id = %d; want from-env, 2", c.Data, c.NodeID)
				}
			},
		},
		{
			name: "flag over env over file",
			args: []string{"--data", "from-flag"},
			file: "data: from-file\n",
			env:  map[string]string{"FJORD_DATA": "from-env", "FJORD_NODE_ID": "7", "FJORD_DEFAULT_REPLICATION_FACTOR": "3"},
			check: func(t *testing.T, c *serveConfig) {
				if c.Data != "from-flag" || c.NodeID != 7 || c.DefaultReplicationFactor != 3 {
					t.Errorf("got data %q node %d rf %d", c.Data, c.NodeID, c.DefaultReplicationFactor)
				}
			},
		},
		{
			name: "empty env counts as unset",
			env:  map[string]string{"FJORD_LISTEN": ""},
			check: func(t *testing.T, c *serveConfig) {
				if c.Listen != "127.0.0.1:9092" {
					t.Errorf("listen = %q", c.Listen)
				}
			},
		},
		{
			name: "bool flag beats file",
			args: []string{"--auto-create-topics=false"},
			file: "auto-create-topics: true\n",
			check: func(t *testing.T, c *serveConfig) {
				if c.AutoCreateTopics {
					t.Error("auto-create-topics from file overrode the flag")
				}
			},
		},
		{
			name: "empty file",
			file: "# nothing\n",
			check: func(t *testing.T, c *serveConfig) {
				if c.Data != "fjord-data" {
					t.Errorf("data = %q", c.Data)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := resolveForTest(t, tt.args, tt.env, tt.file)
			if err != nil {
				t.Fatal(err)
			}
			c.ConfigFile = ""
			tt.check(t, c)
		})
	}
}

func TestServeConfigFromEnvConfigPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(path, []byte("node-id: 9\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := &serveConfig{}
	fs := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	cfg.register(fs)
	if err := resolveServeConfig(fs, &cliEnv{lookupEnv: mapEnv(map[string]string{"FJORD_CONFIG": path})}); err != nil {
		t.Fatal(err)
	}
	if cfg.NodeID != 9 {
		t.Errorf("node-id = %d, want 9 from FJORD_CONFIG file", cfg.NodeID)
	}
}

func TestServeConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		file string
		want []string // substrings of the error
	}{
		{name: "unknown key", file: "data: x\ndatadir: y\n", want: []string{`:2: unknown key "datadir"`, "known keys:"}},
		{name: "config key in file", file: "config: other.yaml\n", want: []string{`key "config" is not allowed`}},
		{name: "help is not a key", file: "help: true\n", want: []string{`unknown key "help"`}},
		{name: "bad int in file", file: "node-id: abc\n", want: []string{`fjord.yaml:1: invalid value "abc" for node-id: want an integer`}},
		{name: "bad bool in file", file: "auto-create-topics: maybe\n", want: []string{`invalid value "maybe" for auto-create-topics: want true or false`}},
		{name: "bad duration in file", file: "\n\nshutdown-timeout: soon\n", want: []string{`:3: invalid value "soon" for shutdown-timeout`}},
		{name: "bad level in file", file: "log-level: loud\n", want: []string{`invalid value "loud" for log-level: must be one of debug, info, warn, error`}},
		{name: "bad listen in file", file: "listen: nowhere\n", want: []string{`for listen: want HOST:PORT`}},
		{name: "bad size in file", file: "max-recv-msg-bytes: lots\n", want: []string{`for max-recv-msg-bytes: want a size`}},
		{name: "small size in file", file: "max-recv-msg-bytes: 1KiB\n", want: []string{`for max-recv-msg-bytes: must be at least 1048576`}},
		{name: "nested value", file: "data:\n  path: x\n", want: []string{`key "data" wants a single value`}},
		{name: "null value", file: "data:\n", want: []string{`key "data" wants a single value`}},
		{name: "duplicate key", file: "data: a\ndata: b\n", want: []string{`key "data" repeats line 1`}},
		{name: "not a mapping", file: "- a\n- b\n", want: []string{"want a mapping"}},
		{name: "yaml syntax", file: "data: [\n", want: []string{"fjord.yaml"}},
		{name: "bad env", env: map[string]string{"FJORD_NODE_ID": "x"}, want: []string{`FJORD_NODE_ID: invalid value "x" for node-id: want an integer`}},
		{name: "bad env overridden by flag still reported", args: []string{"--log-format", "json"}, env: map[string]string{"FJORD_LOG_FORMAT": "xml"},
			want: []string{`FJORD_LOG_FORMAT: invalid value "xml" for log-format: must be one of text, json`}},
		{name: "bad flag value", args: []string{"--node-id", "0"}, want: []string{`invalid value "0" for --node-id: must be at least 1`}},
		{name: "bad flag type", args: []string{"--node-id", "one"}, want: []string{`invalid argument "one" for "--node-id"`}},
		{name: "partitions range", args: []string{"--default-partitions", "20000"}, want: []string{"must be between 1 and 10000"}},
		{name: "bad advertised", env: map[string]string{"FJORD_ADVERTISED_ADDR": ":9092"}, want: []string{"FJORD_ADVERTISED_ADDR", "must name a host"}},
		{name: "missing file", args: []string{"--config", "/nonexistent/fjord.yaml"}, want: []string{"--config: cannot read config file: /nonexistent/fjord.yaml: no such file or directory"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := resolveForTest(t, tt.args, tt.env, tt.file)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

// TestEveryFlagIsConfigurable checks that each serve flag is a config key and
// an environment variable, by setting each to its default both ways.
func TestEveryFlagIsConfigurable(t *testing.T) {
	cfg := &serveConfig{}
	fs := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	cfg.register(fs)
	var file strings.Builder
	env := map[string]string{}
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Name == configFlag {
			return
		}
		v := f.DefValue
		if v == "" {
			v = `""`
		}
		file.WriteString(f.Name + ": " + v + "\n")
		if f.DefValue != "" {
			env[envName(f.Name)] = f.DefValue
		}
	})
	if _, err := resolveForTest(t, nil, nil, file.String()); err != nil {
		t.Errorf("config file with every key: %v", err)
	}
	if _, err := resolveForTest(t, nil, env, ""); err != nil {
		t.Errorf("env with every key: %v", err)
	}
	if got := envName("default-replication-factor"); got != "FJORD_DEFAULT_REPLICATION_FACTOR" {
		t.Errorf("envName = %q", got)
	}
}

func TestServerOptions(t *testing.T) {
	c, err := resolveForTest(t, []string{"--data", "d", "--listen", "127.0.0.1:0", "--http", "off", "--node-id", "3",
		"--advertised-addr", "broker3:9092", "--default-partitions", "6", "--auto-create-topics"}, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	o := c.serverOptions(nil)
	if o.DataDir != "d" || o.ListenAddr != "127.0.0.1:0" || o.HTTPAddr != "off" || o.NodeID != 3 ||
		o.AdvertisedAddr != "broker3:9092" || o.DefaultPartitions != 6 || !o.AutoCreateTopics ||
		o.MaxRecvMsgBytes != 64<<20 || o.MaxConcurrentStreams != 1024 || o.ShutdownTimeout != 30*time.Second {
		t.Errorf("server options %+v", o)
	}
}

func TestParseByteSize(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"1048576", 1 << 20, true},
		{"1MiB", 1 << 20, true},
		{"64 MiB", 64 << 20, true},
		{"2KB", 2000, true},
		{"1GiB", 1 << 30, true},
		{"512B", 512, true},
		{"2GiB", 0, false},
		{"-1", 0, false},
		{"1.5MiB", 0, false},
		{"MiB", 0, false},
	}
	for _, tt := range tests {
		got, err := parseByteSize(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseByteSize(%q) = %d, %v; want %d, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}
