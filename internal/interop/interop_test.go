// Package interop runs every SDK's interop tool against one broker: records
// produced by each SDK are consumed by every SDK with identical keys,
// values, headers, timestamps and offsets, and an Avro value serialized by
// each SDK deserializes in every SDK. `make test-interop` builds the tools
// and sets FJORD_INTEROP to the SDKs to include.
package interop

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	fjord "github.com/fjordlog/fjord/clients/go"
	"github.com/fjordlog/fjord/internal/testcluster"
)

// envSDKs names the SDKs to run, comma separated (go, python, typescript,
// java).
const envSDKs = "FJORD_INTEROP"

type sdk struct {
	name string
	// argv runs the tool; extra are flags only this SDK takes.
	argv  []string
	extra func(n *testcluster.Node) []string
}

func sdks(t *testing.T) []sdk {
	list := os.Getenv(envSDKs)
	if list == "" {
		t.Skipf("%s is not set: `make test-interop` builds every SDK's tool and runs this test", envSDKs)
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	var out []sdk
	for _, name := range strings.Split(list, ",") {
		switch name {
		case "go":
			bin := filepath.Join(t.TempDir(), "gotool")
			cmd := exec.Command("go", "build", "-o", bin, "./internal/interop/gotool")
			cmd.Dir = root
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("build gotool: %v\n%s", err, b)
			}
			out = append(out, sdk{name: name, argv: []string{bin}, extra: func(n *testcluster.Node) []string {
				return []string{"--bootstrap", n.Addr}
			}})
		case "python", "typescript", "java":
			tool := filepath.Join(root, "clients", name, "interop")
			if _, err := os.Stat(tool); err != nil {
				t.Fatalf("%s SDK: %v", name, err)
			}
			out = append(out, sdk{name: name, argv: []string{tool}, extra: func(*testcluster.Node) []string { return nil }})
		default:
			t.Fatalf("%s: unknown SDK %q", envSDKs, name)
		}
	}
	return out
}

func (s sdk) run(t *testing.T, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.argv[0], append(s.argv[1:], args...)...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", s.name, strings.Join(args, " "), err, stderr.String())
	}
}

type header struct {
	Key      string `json:"key"`
	ValueB64 string `json:"value_b64"`
}

type record struct {
	Partition   int32    `json:"partition"`
	KeyB64      *string  `json:"key_b64"`
	ValueB64    *string  `json:"value_b64"`
	Headers     []header `json:"headers"`
	TimestampMS int64    `json:"timestamp_ms"`
	Offset      *int64   `json:"offset,omitempty"`
}

type recordsFile struct {
	Records []record `json:"records"`
}

type acksFile struct {
	Acks []struct {
		Partition int32 `json:"partition"`
		Offset    int64 `json:"offset"`
	} `json:"acks"`
}

func b64(b []byte) *string {
	if b == nil {
		return nil
	}
	s := base64.StdEncoding.EncodeToString(b)
	return &s
}

// inputRecords are what every SDK produces: null and empty keys and values,
// every byte value, repeated and empty headers with non-ASCII names, old and
// recent timestamps, a value of 48 KiB, over three partitions.
func inputRecords() []record {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	return []record{
		{Partition: 0, KeyB64: b64([]byte("user-1")), ValueB64: b64([]byte("hello")), TimestampMS: 1700000000000},
		{Partition: 0, KeyB64: nil, ValueB64: b64([]byte("null key")), TimestampMS: 1700000000001},
		{Partition: 0, KeyB64: b64([]byte{}), ValueB64: b64([]byte{}), TimestampMS: 1700000000002},
		{Partition: 0, KeyB64: b64([]byte("tombstone")), ValueB64: nil, TimestampMS: 1700000000003},
		{Partition: 1, KeyB64: b64(all), ValueB64: b64(all), TimestampMS: 1,
			Headers: []header{{Key: "trace", ValueB64: *b64([]byte{1, 2})}, {Key: "trace", ValueB64: ""}, {Key: "h\u00e9ader-\u6f22", ValueB64: *b64([]byte{0xff})}}},
		{Partition: 1, KeyB64: b64([]byte("k")), ValueB64: b64(bytes.Repeat([]byte("fjord "), 8192)), TimestampMS: 1700000000500},
		{Partition: 2, KeyB64: b64([]byte("\u00fcnic\u00f8de")), ValueB64: b64([]byte("{\"json\":true}")), TimestampMS: 4102444800000,
			Headers: []header{{Key: "", ValueB64: ""}}},
		{Partition: 2, KeyB64: b64([]byte("order")), ValueB64: b64([]byte("second")), TimestampMS: 1699999999999},
	}
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v\n%s", path, err, b)
	}
}

func normalize(rs []record) []record {
	out := make([]record, len(rs))
	for i, r := range rs {
		r.Offset = nil
		if r.Headers == nil {
			r.Headers = []header{}
		}
		out[i] = r
	}
	return out
}

func TestInterop(t *testing.T) {
	tools := sdks(t)
	c := testcluster.StartCluster(t, 1, testcluster.WithHTTP())
	node := c.Nodes[0]
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	client, err := fjord.NewClient(ctx, fjord.SeedBrokers(node.Addr))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	admin := fjord.NewAdmin(client)
	dir := t.TempDir()
	in := inputRecords()
	inFile := filepath.Join(dir, "in.json")
	writeJSON(t, inFile, recordsFile{Records: in})
	// Every SDK writes the records once per codec to its own topic; every
	// SDK then reads the whole topic.
	codecs := []string{"none", "gzip", "snappy", "lz4", "zstd"}

	t.Run("records", func(t *testing.T) {
		for _, producer := range tools {
			topic := "interop-" + producer.name
			if _, err := admin.CreateTopic(ctx, topic, 3, 1, nil); err != nil {
				t.Fatal(err)
			}
			next := map[int32]int64{}
			want := map[[2]int64]record{}
			codecAt := map[[2]int64]string{}
			for _, codec := range codecs {
				acksPath := filepath.Join(dir, producer.name+"-"+codec+"-acks.json")
				producer.run(t, "produce", "--bootstrap", node.Addr, "--topic", topic, "--input", inFile, "--output", acksPath, "--compression", codec)
				var acks acksFile
				readJSON(t, acksPath, &acks)
				if len(acks.Acks) != len(in) {
					t.Fatalf("%s (%s) produced %d acks for %d records", producer.name, codec, len(acks.Acks), len(in))
				}
				for j, a := range acks.Acks {
					if a.Partition != in[j].Partition || a.Offset != next[a.Partition] {
						t.Fatalf("%s (%s): record %d acknowledged at %d/%d, want %d/%d", producer.name, codec, j, a.Partition, a.Offset, in[j].Partition, next[a.Partition])
					}
					next[a.Partition]++
					at := [2]int64{int64(a.Partition), a.Offset}
					want[at] = normalize(in[j : j+1])[0]
					codecAt[at] = codec
				}
			}
			total := len(in) * len(codecs)
			for _, consumer := range tools {
				outPath := filepath.Join(dir, producer.name+"-by-"+consumer.name+".json")
				consumer.run(t, "consume", "--bootstrap", node.Addr, "--topic", topic, "--count", fmt.Sprint(total), "--output", outPath)
				var got recordsFile
				readJSON(t, outPath, &got)
				if len(got.Records) != total {
					t.Fatalf("%s consumed %d records of %s's %d", consumer.name, len(got.Records), producer.name, total)
				}
				seen := map[[2]int64]bool{}
				for _, r := range got.Records {
					if r.Offset == nil {
						t.Fatalf("%s: consumed record without offset", consumer.name)
					}
					at := [2]int64{int64(r.Partition), *r.Offset}
					w, ok := want[at]
					if g := normalize([]record{r})[0]; !ok || seen[at] || !reflect.DeepEqual(g, w) {
						t.Errorf("%s (%s) -> %s at %d/%d (seen before: %v):\n got %+v\nwant %+v", producer.name, codecAt[at], consumer.name, r.Partition, *r.Offset, seen[at], fmtRecord(g), fmtRecord(w))
					}
					seen[at] = true
				}
			}
		}
	})

	t.Run("avro", func(t *testing.T) {
		registry := "http://" + node.HTTPAddr
		for ci, tc := range avroCases {
			subject := fmt.Sprintf("interop-avro-%d", ci)
			schemaPath := filepath.Join(dir, subject+".avsc")
			valuePath := filepath.Join(dir, subject+".json")
			if err := os.WriteFile(schemaPath, []byte(tc.schema), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(valuePath, []byte(tc.value), 0o644); err != nil {
				t.Fatal(err)
			}
			var want any
			if err := json.Unmarshal([]byte(tc.value), &want); err != nil {
				t.Fatal(err)
			}
			encoded := map[string][]byte{}
			for _, enc := range tools {
				hexPath := filepath.Join(dir, subject+"-"+enc.name+".hex")
				enc.run(t, append([]string{"avro-encode", "--registry", registry, "--subject", subject, "--schema", schemaPath, "--json", valuePath, "--output", hexPath}, enc.extra(node)...)...)
				raw, err := os.ReadFile(hexPath)
				if err != nil {
					t.Fatal(err)
				}
				b, err := hex.DecodeString(strings.TrimSpace(string(raw)))
				if err != nil || len(b) < 5 || b[0] != 0 {
					t.Fatalf("%s avro-encode wrote %q: not Confluent wire bytes (%v)", enc.name, raw, err)
				}
				encoded[enc.name] = b
				// Map entries may come in any order (Go's maps have none), so
				// only cases without maps must encode to the same bytes.
				if first := encoded[tools[0].name]; tc.sameBytes && !bytes.Equal(first[5:], b[5:]) {
					t.Errorf("case %d: %s's Avro body %x differs from %s's %x", ci, enc.name, b[5:], tools[0].name, first[5:])
				}
				for _, dec := range tools {
					outPath := filepath.Join(dir, subject+"-"+enc.name+"-by-"+dec.name+".json")
					dec.run(t, append([]string{"avro-decode", "--registry", registry, "--input", hexPath, "--output", outPath}, dec.extra(node)...)...)
					var got any
					readJSON(t, outPath, &got)
					if !reflect.DeepEqual(got, want) {
						t.Errorf("case %d: %s -> %s decoded %v, want %v", ci, enc.name, dec.name, got, want)
					}
				}
			}
		}
	})
}

func fmtRecord(r record) string {
	b, _ := json.Marshal(r)
	if len(b) > 300 {
		b = append(b[:300], "..."...)
	}
	return string(b)
}

// avroCases cover records with every primitive the JSON form carries
// unambiguously, nullable unions both ways, arrays, maps, enums and nested
// records, plus a bare primitive. sameBytes: every SDK must write the same
// body (no map with several entries, whose order is free).
var avroCases = []struct {
	schema, value string
	sameBytes     bool
}{
	{
		schema: `{"type":"record","name":"Order","namespace":"com.example.interop","fields":[
			{"name":"id","type":"long"},
			{"name":"customer","type":"string"},
			{"name":"quantity","type":"int"},
			{"name":"price","type":"double"},
			{"name":"express","type":"boolean"},
			{"name":"note","type":["null","string"],"default":null},
			{"name":"coupon","type":["null","string"],"default":null},
			{"name":"tags","type":{"type":"array","items":"string"}},
			{"name":"attributes","type":{"type":"map","values":"long"}},
			{"name":"status","type":{"type":"enum","name":"Status","symbols":["NEW","PAID","SHIPPED"]}},
			{"name":"address","type":{"type":"record","name":"Address","fields":[{"name":"city","type":"string"},{"name":"zip","type":["null","int"],"default":null}]}}
		]}`,
		value: `{"id":9007199254740991,"customer":"Zo\u00eb \u6f22","quantity":-3,"price":12.5,"express":true,"note":"leave at door","coupon":null,
			"tags":["a","b",""],"attributes":{"weight":1200,"neg":-1},"status":"PAID","address":{"city":"Troms\u00f8","zip":9008}}`,
	},
	{schema: `"string"`, value: `"plain \u00e9 string"`, sameBytes: true},
	{schema: `{"type":"array","items":{"type":"map","values":["null","long"]}}`, value: `[{"a":1,"b":null},{}]`},
	{
		schema: `{"type":"record","name":"Shipment","namespace":"com.example.interop","fields":[
			{"name":"id","type":"long"},
			{"name":"weight","type":"double"},
			{"name":"fragile","type":"boolean"},
			{"name":"carrier","type":["null","string"],"default":null},
			{"name":"stops","type":{"type":"array","items":{"type":"record","name":"Stop","fields":[
				{"name":"city","type":"string"},{"name":"eta","type":["null","long"],"default":null}]}}},
			{"name":"state","type":{"type":"enum","name":"State","symbols":["PACKED","MOVING","DONE"]}},
			{"name":"labels","type":{"type":"map","values":"string"}}
		]}`,
		value: `{"id":-9007199254740991,"weight":0.25,"fragile":false,"carrier":null,
			"stops":[{"city":"Bergen","eta":1700000000000},{"city":"\u00c5lesund","eta":null}],"state":"MOVING","labels":{"only":"one"}}`,
		sameBytes: true,
	},
}
