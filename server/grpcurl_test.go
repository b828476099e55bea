package server

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// grpcurlPath finds the grpcurl built by `make tools` (.bin/grpcurl).
func grpcurlPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("FJORD_GRPCURL"); p != "" {
		return p
	}
	p, err := filepath.Abs(filepath.Join("..", ".bin", "grpcurl"))
	if err == nil {
		if _, err = os.Stat(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("grpcurl not built (%v); `make tools` builds it", err)
	}
	t.Skipf("grpcurl not built (%v); run `make tools`", err)
	return ""
}

// runGrpcurl calls method (or "list") with an optional JSON request body.
func runGrpcurl(t *testing.T, bin, addr, method, body string) string {
	t.Helper()
	args := []string{"-plaintext"}
	if body != "" {
		args = append(args, "-d", body)
	}
	cmd := exec.Command(bin, append(args, addr, method)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("grpcurl %s: %v\n%s", method, err, stderr.String())
	}
	return stdout.String()
}

// TestGrpcurl drives the broker with a third-party client that knows the
// API only through server reflection, and checks that stored batch bytes
// decode as fjord.v1.RecordBatch.
func TestGrpcurl(t *testing.T) {
	bin := grpcurlPath(t)
	tb := startBroker(t, "")
	addr := tb.srv.Addr().String()

	services := runGrpcurl(t, bin, addr, "list", "")
	for _, want := range []string{"fjord.v1.AdminService", "fjord.v1.FetchService", "fjord.v1.MetadataService", "fjord.v1.ProduceService", "grpc.health.v1.Health"} {
		if !strings.Contains(services, want) {
			t.Errorf("grpcurl list lacks %s:\n%s", want, services)
		}
	}
	if out := runGrpcurl(t, bin, addr, "grpc.health.v1.Health/Check", ""); !strings.Contains(out, "SERVING") {
		t.Errorf("health: %s", out)
	}
	runGrpcurl(t, bin, addr, "fjord.v1.AdminService/CreateTopics", `{"topics":[{"name":"demo","partitions":1}]}`)
	produced := runGrpcurl(t, bin, addr, "fjord.v1.ProduceService/Produce", `{"acks":"ACKS_ALL","topics":[{"topic":"demo","partitions":[{"batches":[
		{"records":{"records":[{"key":"azE=","value":"aGVsbG8=","headers":[{"key":"h","value":"MQ=="}]},{"offsetDelta":1,"value":"d29ybGQ="}]}}]}]}]}`)
	if !strings.Contains(produced, `"lastOffset": "1"`) {
		t.Fatalf("produce via grpcurl: %s", produced)
	}
	fetched := runGrpcurl(t, bin, addr, "fjord.v1.FetchService/Fetch", `{"topics":[{"topic":"demo","partitions":[{"offset":"0"}]}]}`)
	var resp struct {
		Topics []struct {
			Partitions []struct {
				Batches []struct {
					BaseOffset  string `json:"baseOffset"`
					RecordCount int    `json:"recordCount"`
					Records     struct {
						Records []struct {
							Key   []byte `json:"key"`
							Value []byte `json:"value"`
						} `json:"records"`
					} `json:"records"`
				} `json:"batches"`
			} `json:"partitions"`
		} `json:"topics"`
	}
	if err := json.Unmarshal([]byte(fetched), &resp); err != nil {
		t.Fatalf("decode grpcurl output: %v\n%s", err, fetched)
	}
	b := resp.Topics[0].Partitions[0].Batches
	if len(b) != 1 || b[0].RecordCount != 2 || len(b[0].Records.Records) != 2 ||
		string(b[0].Records.Records[0].Key) != "k1" || string(b[0].Records.Records[1].Value) != "world" {
		t.Fatalf("grpcurl did not decode the stored batch as a RecordBatch:\n%s", fetched)
	}
}
