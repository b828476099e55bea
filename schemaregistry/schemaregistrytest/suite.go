// Package schemaregistrytest holds a test suite of the schema registry's
// Confluent-compatible REST API, run against the registry alone and
// against a real broker.
package schemaregistrytest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// Client sends REST requests to a registry and checks the answers.
type Client struct {
	T    testing.TB
	Base string // e.g. http://127.0.0.1:8081
}

// Response is a REST answer.
type Response struct {
	Status      int
	ContentType string
	Body        []byte
}

// Do sends a request with a JSON body (none if body is "") and the given
// Content-Type ("" sends none).
func (c *Client) Do(method, path, body, contentType string) Response {
	c.T.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, c.Base+path, r)
	if err != nil {
		c.T.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.T.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.T.Fatal(err)
	}
	return Response{Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"), Body: b}
}

// OK sends a request and checks that it succeeds with a JSON answer equal
// to want (a JSON text; "" skips the comparison). It returns the body.
func (c *Client) OK(method, path, body, want string) []byte {
	c.T.Helper()
	r := c.Do(method, path, body, "application/vnd.schemaregistry.v1+json")
	if r.Status != http.StatusOK {
		c.T.Fatalf("%s %s: status %d, want 200: %s", method, path, r.Status, r.Body)
	}
	if r.ContentType != "application/vnd.schemaregistry.v1+json" {
		c.T.Errorf("%s %s: content type %q", method, path, r.ContentType)
	}
	if want != "" && !SameJSON(r.Body, []byte(want)) {
		c.T.Fatalf("%s %s:\n got %s\nwant %s", method, path, r.Body, want)
	}
	return r.Body
}

// Fails sends a request and checks that it fails with a Confluent error
// code (the HTTP status being its first three digits).
func (c *Client) Fails(method, path, body string, code int) string {
	c.T.Helper()
	r := c.Do(method, path, body, "application/json")
	var e struct {
		ErrorCode int    `json:"error_code"`
		Message   string `json:"message"`
	}
	if err := json.Unmarshal(r.Body, &e); err != nil {
		c.T.Fatalf("%s %s: status %d, body not an error: %s", method, path, r.Status, r.Body)
	}
	status := code
	for status >= 1000 {
		status /= 10
	}
	if e.ErrorCode != code || r.Status != status || e.Message == "" {
		c.T.Fatalf("%s %s: status %d error %d %q, want status %d error %d", method, path, r.Status, e.ErrorCode, e.Message, status, code)
	}
	return e.Message
}

// ID registers a schema (a JSON body) under a subject and returns its id.
func (c *Client) ID(subject, body string) int {
	c.T.Helper()
	var out struct {
		ID int `json:"id"`
	}
	if err := json.Unmarshal(c.OK("POST", "/subjects/"+subject+"/versions", body, ""), &out); err != nil || out.ID <= 0 {
		c.T.Fatalf("register under %s: %v (id %d)", subject, err, out.ID)
	}
	return out.ID
}

// SameJSON reports whether two JSON texts hold the same value.
func SameJSON(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// Body builds a registration body for schema text.
func Body(schema string, extra ...string) string {
	b, _ := json.Marshal(schema)
	s := `{"schema":` + string(b)
	for _, e := range extra {
		s += "," + e
	}
	return s + "}"
}

// Schemas used by the suite.
const (
	recA      = `{"type":"record","name":"Rec","namespace":"t","fields":[{"name":"a","type":"int"}]}`
	recAAlt   = `{"name": "t.Rec", "type": "record", "fields": [ {"type": {"type": "int"}, "name": "a"} ]}`
	recAB     = `{"type":"record","name":"Rec","namespace":"t","fields":[{"name":"a","type":"int"},{"name":"b","type":"string","default":"x"}]}`
	recAC     = `{"type":"record","name":"Rec","namespace":"t","fields":[{"name":"a","type":"int"},{"name":"c","type":"string"}]}`
	customer  = `{"type":"record","name":"Customer","namespace":"com.acme","fields":[{"name":"name","type":"string"}]}`
	order     = `{"type":"record","name":"Order","namespace":"com.acme","fields":[{"name":"id","type":"long"},{"name":"customer","type":"com.acme.Customer"}]}`
	badEnum   = `{"type":"enum","name":"E","symbols":["A","B"],"default":"C"}`
	unknownTy = `{"type":"record","name":"R","fields":[{"name":"x","type":"Nope"}]}`
)

// RunHTTPSuite runs every endpoint and error code of the REST API against
// a fresh registry at base.
func RunHTTPSuite(t *testing.T, base string) {
	c := &Client{T: t, Base: base}
	c.OK("GET", "/", "", `{}`)
	c.OK("GET", "/schemas/types", "", `["AVRO"]`)
	c.OK("GET", "/subjects", "", `[]`)

	// Registration: identity by canonical form, ids shared across subjects.
	id1 := c.ID("sub1", Body(recA))
	if again := c.ID("sub1", Body(recA)); again != id1 {
		t.Fatalf("re-registering gave id %d, want %d", again, id1)
	}
	if alt := c.ID("sub1", Body(recAAlt)); alt != id1 {
		t.Fatalf("an equivalent spelling gave id %d, want %d", alt, id1)
	}
	c.OK("GET", "/subjects/sub1/versions", "", `[1]`)
	if other := c.ID("other", Body(recA)); other != id1 {
		t.Fatalf("the same schema under another subject got id %d, want %d", other, id1)
	}
	id2 := c.ID("sub1", Body(recAB))
	if id2 == id1 {
		t.Fatal("a new schema reused an id")
	}
	c.OK("GET", "/subjects/sub1/versions", "", `[1,2]`)
	msg := c.Fails("POST", "/subjects/sub1/versions", Body(recAC), 409)
	if !strings.Contains(msg, "incompatible") {
		t.Errorf("409 message: %q", msg)
	}
	c.Fails("POST", "/subjects/sub1/versions", Body(`{"type":"record"`), 42201)
	if msg := c.Fails("POST", "/subjects/sub1/versions", Body(badEnum), 42201); !strings.Contains(msg, "C") {
		t.Errorf("enum default message: %q", msg)
	}
	c.Fails("POST", "/subjects/sub1/versions", Body(unknownTy), 42201)
	c.Fails("POST", "/subjects/sub1/versions", Body(`"int"`, `"schemaType":"PROTOBUF"`), 42201)
	c.Fails("POST", "/subjects/sub1/versions", `{"schema":`, 400)

	// Subject versions.
	v2 := fmt.Sprintf(`{"subject":"sub1","version":2,"id":%d,"schema":%q}`, id2, recAB)
	c.OK("GET", "/subjects/sub1/versions/2", "", v2)
	c.OK("GET", "/subjects/sub1/versions/latest", "", v2)
	c.OK("GET", "/subjects/sub1/versions/-1", "", v2)
	if r := c.Do("GET", "/subjects/sub1/versions/1/schema", "", ""); r.Status != 200 || string(r.Body) != recA {
		t.Fatalf("raw schema: %d %s", r.Status, r.Body)
	}
	c.Fails("GET", "/subjects/sub1/versions/3", "", 40402)
	c.Fails("GET", "/subjects/sub1/versions/abc", "", 42202)
	c.Fails("GET", "/subjects/sub1/versions/0", "", 42202)
	c.Fails("GET", "/subjects/nope/versions", "", 40401)
	c.Fails("GET", "/subjects/nope/versions/1", "", 40401)
	c.OK("GET", "/subjects?subjectPrefix=sub&unknown=1", "", `["sub1"]`)
	c.OK("GET", "/subjects", "", `["other","sub1"]`)

	// Lookup.
	c.OK("POST", "/subjects/sub1", Body(recAB), v2)
	c.OK("POST", "/subjects/sub1/", Body(recAB), v2) // trailing slash
	c.Fails("POST", "/subjects/nope", Body(recA), 40401)
	c.Fails("POST", "/subjects/sub1", Body(recAC), 40403)
	c.Fails("POST", "/subjects/sub1", Body(`{"type":`), 42201)

	// Schemas by id.
	c.OK("GET", fmt.Sprintf("/schemas/ids/%d", id1), "", fmt.Sprintf(`{"schema":%q}`, recA))
	c.OK("GET", fmt.Sprintf("/schemas/ids/%d?subject=sub1", id1), "", fmt.Sprintf(`{"schema":%q}`, recA))
	if r := c.Do("GET", fmt.Sprintf("/schemas/ids/%d/schema", id1), "", ""); string(r.Body) != recA {
		t.Fatalf("raw schema by id: %s", r.Body)
	}
	c.OK("GET", fmt.Sprintf("/schemas/ids/%d/subjects", id1), "", `["other","sub1"]`)
	c.OK("GET", fmt.Sprintf("/schemas/ids/%d/versions", id1), "", `[{"subject":"other","version":1},{"subject":"sub1","version":1}]`)
	c.Fails("GET", "/schemas/ids/99999", "", 40403)
	c.Fails("GET", "/schemas/ids/99999/schema", "", 40403)
	c.Fails("GET", "/schemas/ids/99999/subjects", "", 40403)
	c.Fails("GET", "/schemas/ids/99999/versions", "", 40403)

	// Compatibility.
	c.OK("POST", "/compatibility/subjects/sub1/versions/latest", Body(recAC), `{"is_compatible":false}`)
	body := c.OK("POST", "/compatibility/subjects/sub1/versions/latest?verbose=True", Body(recAC), "")
	var verbose struct {
		IsCompatible bool     `json:"is_compatible"`
		Messages     []string `json:"messages"`
	}
	if err := json.Unmarshal(body, &verbose); err != nil || verbose.IsCompatible || len(verbose.Messages) == 0 {
		t.Fatalf("verbose compatibility: %s", body)
	}
	c.OK("POST", "/compatibility/subjects/sub1/versions/1", Body(recAB), `{"is_compatible":true}`)
	c.OK("POST", "/compatibility/subjects/sub1/versions", Body(recAB), `{"is_compatible":true}`)
	c.OK("POST", "/compatibility/subjects/sub1/versions?verbose=true", Body(recAB), `{"is_compatible":true,"messages":[]}`)
	c.OK("POST", "/compatibility/subjects/empty/versions", Body(recAC), `{"is_compatible":true}`)
	c.Fails("POST", "/compatibility/subjects/empty/versions/latest", Body(recAC), 40401)
	c.Fails("POST", "/compatibility/subjects/sub1/versions/9", Body(recAC), 40402)
	c.Fails("POST", "/compatibility/subjects/sub1/versions/x", Body(recAC), 42202)
	c.Fails("POST", "/compatibility/subjects/sub1/versions/latest", Body(`[]`), 42201)

	// Config.
	c.OK("GET", "/config", "", `{"compatibilityLevel":"BACKWARD"}`)
	c.OK("PUT", "/config", `{"compatibility":"FULL"}`, `{"compatibility":"FULL"}`)
	c.OK("GET", "/config", "", `{"compatibilityLevel":"FULL"}`)
	c.Fails("PUT", "/config", `{"compatibility":"SIDEWAYS"}`, 42203)
	c.Fails("GET", "/config/sub1", "", 40408)
	c.OK("GET", "/config/sub1?defaultToGlobal=true", "", `{"compatibilityLevel":"FULL"}`)
	c.OK("PUT", "/config/sub1", `{"compatibility":"none"}`, `{"compatibility":"NONE"}`)
	c.OK("GET", "/config/sub1", "", `{"compatibilityLevel":"NONE"}`)
	id3 := c.ID("sub1", Body(recAC)) // NONE accepts it
	c.OK("GET", "/subjects/sub1/versions", "", `[1,2,3]`)
	c.OK("DELETE", "/config/sub1", "", `{"compatibilityLevel":"NONE"}`)
	c.Fails("DELETE", "/config/sub1", "", 40408)
	c.Fails("DELETE", "/config/nosuch", "", 40401)
	c.OK("DELETE", "/config", "", `{"compatibilityLevel":"FULL"}`)
	c.OK("GET", "/config", "", `{"compatibilityLevel":"BACKWARD"}`)

	// Modes.
	c.OK("GET", "/mode", "", `{"mode":"READWRITE"}`)
	c.Fails("PUT", "/mode", `{"mode":"SOMETIMES"}`, 42204)
	c.OK("PUT", "/mode/sub1", `{"mode":"READONLY"}`, `{"mode":"READONLY"}`)
	c.OK("GET", "/mode/sub1", "", `{"mode":"READONLY"}`)
	c.Fails("POST", "/subjects/sub1/versions", Body(`"string"`), 42205)
	c.Fails("DELETE", "/subjects/sub1/versions/1", "", 42205)
	c.Fails("GET", "/mode/other", "", 40409)
	c.OK("GET", "/mode/other?defaultToGlobal=true", "", `{"mode":"READWRITE"}`)
	c.OK("DELETE", "/mode/sub1", "", `{"mode":"READONLY"}`)
	c.Fails("DELETE", "/mode/sub1", "", 40409)
	c.Fails("POST", "/subjects/imported/versions", Body(`"bytes"`, `"id":5000`), 42205)
	c.Fails("PUT", "/mode", `{"mode":"IMPORT"}`, 42205)
	c.OK("PUT", "/mode?force=true", `{"mode":"IMPORT"}`, `{"mode":"IMPORT"}`)
	if id := c.ID("imported", Body(`"bytes"`, `"id":5000`, `"version":7`)); id != 5000 {
		t.Fatalf("import gave id %d, want 5000", id)
	}
	c.OK("GET", "/subjects/imported/versions", "", `[7]`)
	c.OK("DELETE", "/mode", "", `{"mode":"IMPORT"}`)
	c.OK("GET", "/mode", "", `{"mode":"READWRITE"}`)

	// Soft and permanent deletes of versions.
	c.OK("DELETE", "/subjects/sub1/versions/1", "", `1`)
	c.Fails("DELETE", "/subjects/sub1/versions/1", "", 40406)
	c.OK("GET", "/subjects/sub1/versions", "", `[2,3]`)
	c.OK("GET", "/subjects/sub1/versions?deleted=true", "", `[1,2,3]`)
	c.OK("GET", "/subjects/sub1/versions?deletedOnly=TRUE", "", `[1]`)
	c.Fails("GET", "/subjects/sub1/versions/1", "", 40402)
	c.OK("GET", "/subjects/sub1/versions/1?deleted=true", "", fmt.Sprintf(`{"subject":"sub1","version":1,"id":%d,"schema":%q}`, id1, recA))
	c.OK("GET", fmt.Sprintf("/schemas/ids/%d/subjects", id1), "", `["other"]`)
	c.OK("GET", fmt.Sprintf("/schemas/ids/%d/subjects?deleted=true", id1), "", `["other","sub1"]`)
	c.Fails("DELETE", "/subjects/sub1/versions/2?permanent=true", "", 40407)
	c.Fails("DELETE", "/subjects/sub1/versions/9", "", 40402)
	c.Fails("DELETE", "/subjects/sub1/versions/zero", "", 42202)
	c.OK("DELETE", "/subjects/sub1/versions/1?permanent=true", "", `1`)
	c.OK("GET", "/subjects/sub1/versions?deleted=true", "", `[2,3]`)

	// Soft and permanent deletes of subjects.
	c.Fails("DELETE", "/subjects/sub1?permanent=true", "", 40405)
	c.OK("DELETE", "/subjects/sub1", "", `[2,3]`)
	c.Fails("DELETE", "/subjects/sub1", "", 40404)
	c.Fails("DELETE", "/subjects/nope", "", 40401)
	c.OK("GET", "/subjects", "", `["imported","other"]`)
	c.OK("GET", "/subjects?deleted=true", "", `["imported","other","sub1"]`)
	c.OK("GET", "/subjects?deletedOnly=true", "", `["sub1"]`)
	c.Fails("GET", "/subjects/sub1/versions", "", 40401)
	c.Fails("POST", "/subjects/sub1", Body(recAB), 40401)
	c.OK("POST", "/subjects/sub1?deleted=true", Body(recAB), v2)
	c.OK("DELETE", "/subjects/sub1?permanent=true", "", `[2,3]`)
	c.OK("GET", "/subjects?deleted=true", "", `["imported","other"]`)
	c.Fails("GET", fmt.Sprintf("/schemas/ids/%d", id2), "", 40403)
	c.Fails("GET", fmt.Sprintf("/schemas/ids/%d", id3), "", 40403)
	// A hard-deleted schema registered again gets a new id: ids are never
	// reused.
	if again := c.ID("sub1", Body(recAB)); again == id2 || again <= 5000 {
		t.Fatalf("re-registering a permanently deleted schema gave id %d (old %d, max 5000)", again, id2)
	}
	c.OK("GET", "/subjects/sub1/versions", "", `[1]`)

	// References.
	custID := c.ID("customer", Body(customer))
	orderBody := Body(order, `"references":[{"name":"com.acme.Customer","subject":"customer","version":1}]`)
	orderID := c.ID("orders", orderBody)
	c.OK("GET", "/subjects/customer/versions/1/referencedby", "", fmt.Sprintf(`[%d]`, orderID))
	c.OK("GET", "/subjects/orders/versions/1/referencedby", "", `[]`)
	c.OK("GET", fmt.Sprintf("/schemas/ids/%d", orderID), "",
		fmt.Sprintf(`{"schema":%q,"references":[{"name":"com.acme.Customer","subject":"customer","version":1}]}`, order))
	c.OK("POST", "/subjects/orders", orderBody, fmt.Sprintf(`{"subject":"orders","version":1,"id":%d,"schema":%q,"references":[{"name":"com.acme.Customer","subject":"customer","version":1}]}`, orderID, order))
	c.Fails("POST", "/subjects/orders2/versions", Body(order), 42201)
	c.Fails("POST", "/subjects/orders2/versions", Body(order, `"references":[{"name":"com.acme.Customer","subject":"customer","version":2}]`), 42201)
	c.Fails("DELETE", "/subjects/customer", "", 42206)
	c.Fails("DELETE", "/subjects/customer/versions/1", "", 42206)
	c.OK("DELETE", "/subjects/orders", "", `[1]`)
	c.Fails("DELETE", "/subjects/customer", "", 42206) // a soft-deleted referrer still holds it
	c.OK("DELETE", "/subjects/orders?permanent=true", "", `[1]`)
	c.OK("DELETE", "/subjects/customer", "", `[1]`)
	c.OK("DELETE", "/subjects/customer?permanent=true", "", `[1]`)
	c.Fails("GET", fmt.Sprintf("/schemas/ids/%d", custID), "", 40403)

	// URL-escaped subjects.
	c.ID("a%2Fb", Body(`"long"`))
	c.OK("GET", "/subjects/a%2Fb/versions", "", `[1]`)
	c.OK("GET", "/subjects?subjectPrefix=a/", "", `["a/b"]`)

	// normalize stores the canonical form.
	var norm struct {
		ID int `json:"id"`
	}
	_ = json.Unmarshal(c.OK("POST", "/subjects/norm/versions?normalize=true", Body(`{"type": "fixed", "size": 4, "name": "F", "namespace": "n"}`), ""), &norm)
	r := c.Do("GET", fmt.Sprintf("/schemas/ids/%d/schema", norm.ID), "", "")
	if strings.Contains(string(r.Body), ": ") || !strings.Contains(string(r.Body), "n.F") {
		t.Fatalf("normalized text: %s", r.Body)
	}

	// Content types.
	for _, ct := range []string{"application/vnd.schemaregistry.v1+json", "application/vnd.schemaregistry+json", "application/json", "application/octet-stream", "application/json; charset=utf-8", ""} {
		if r := c.Do("POST", "/subjects/ct/versions", Body(`"float"`), ct); r.Status != 200 {
			t.Fatalf("content type %q: %d %s", ct, r.Status, r.Body)
		}
	}
	if r := c.Do("POST", "/subjects/ct/versions", Body(`"float"`), "text/plain"); r.Status != 415 {
		t.Fatalf("text/plain: %d %s", r.Status, r.Body)
	}

	// Unknown paths and methods.
	c.Fails("GET", "/nothing/here", "", 404)
	c.Fails("PATCH", "/config", `{}`, 405)
}
