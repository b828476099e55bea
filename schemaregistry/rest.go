package schemaregistry

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"strconv"
	"strings"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
)

// ContentType is the media type of every REST answer.
const ContentType = "application/vnd.schemaregistry.v1+json"

// maxBodyBytes bounds a REST request body.
const maxBodyBytes = 16 << 20

// acceptedContentTypes are the request media types the REST API reads (a
// missing Content-Type too).
var acceptedContentTypes = map[string]bool{
	"application/vnd.schemaregistry.v1+json": true,
	"application/vnd.schemaregistry+json":    true,
	"application/json":                       true,
	"application/octet-stream":               true,
}

// Handler returns the Confluent-compatible REST API, rooted at "/".
func (r *Registry) Handler() http.Handler {
	h := &restHandler{r: r}
	mux := http.NewServeMux()
	for _, rt := range h.routes() {
		mux.HandleFunc(rt.pattern, rt.handler)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		// Clients differ on trailing slashes; Confluent accepts both.
		if p := req.URL.Path; len(p) > 1 && strings.HasSuffix(p, "/") {
			req.URL.Path = strings.TrimSuffix(p, "/")
			if req.URL.RawPath != "" {
				req.URL.RawPath = strings.TrimSuffix(req.URL.RawPath, "/")
			}
		}
		if _, pattern := mux.Handler(req); pattern == "" {
			// Unknown path or method: JSON errors as Confluent answers.
			rec := &statusRecorder{header: http.Header{}}
			mux.ServeHTTP(rec, req)
			code := cmpOr(rec.status, http.StatusNotFound)
			writeError(w, &Error{Code: code, Message: fmt.Sprintf("HTTP %d %s", code, http.StatusText(code))})
			return
		}
		mux.ServeHTTP(w, req)
	})
}

// restRoute is one pattern of the REST API.
type restRoute struct {
	pattern string // http.ServeMux syntax: "METHOD /path/{var}"
	handler http.HandlerFunc
}

func (h *restHandler) routes() []restRoute {
	return []restRoute{
		{"GET /{$}", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, http.StatusOK, struct{}{}) }},
		{"GET /schemas/types", h.schemaTypes},
		{"GET /schemas/ids/{id}", h.schemaByID},
		{"GET /schemas/ids/{id}/schema", h.schemaTextByID},
		{"GET /schemas/ids/{id}/subjects", h.schemaSubjects},
		{"GET /schemas/ids/{id}/versions", h.schemaVersions},
		{"GET /subjects", h.listSubjects},
		{"POST /subjects/{subject}", h.lookup},
		{"DELETE /subjects/{subject}", h.deleteSubject},
		{"POST /subjects/{subject}/versions", h.register},
		{"GET /subjects/{subject}/versions", h.listVersions},
		{"GET /subjects/{subject}/versions/{version}", h.getVersion},
		{"GET /subjects/{subject}/versions/{version}/schema", h.getVersionText},
		{"GET /subjects/{subject}/versions/{version}/referencedby", h.referencedBy},
		{"DELETE /subjects/{subject}/versions/{version}", h.deleteVersion},
		{"POST /compatibility/subjects/{subject}/versions", h.compatibility},
		{"POST /compatibility/subjects/{subject}/versions/{version}", h.compatibility},
		{"GET /config", h.getConfig},
		{"PUT /config", h.setConfig},
		{"DELETE /config", h.deleteConfig},
		{"GET /config/{subject}", h.getConfig},
		{"PUT /config/{subject}", h.setConfig},
		{"DELETE /config/{subject}", h.deleteConfig},
		{"GET /mode", h.getMode},
		{"PUT /mode", h.setMode},
		{"DELETE /mode", h.deleteMode},
		{"GET /mode/{subject}", h.getMode},
		{"PUT /mode/{subject}", h.setMode},
		{"DELETE /mode/{subject}", h.deleteMode},
	}
}

// RESTRoutes lists every pattern ("METHOD /path/{var}", http.ServeMux
// syntax) Handler serves, so that a layer in front of it (authorization)
// can prove it maps each one.
func RESTRoutes() []string {
	var out []string
	for _, rt := range (&restHandler{}).routes() {
		out = append(out, rt.pattern)
	}
	return out
}

func cmpOr(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}

// statusRecorder captures the status of the mux's own 404/405 answers.
type statusRecorder struct {
	header http.Header
	status int
}

func (s *statusRecorder) Header() http.Header         { return s.header }
func (s *statusRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (s *statusRecorder) WriteHeader(code int)        { s.status = code }

type restHandler struct {
	r *Registry
}

// JSON shapes of the REST API.
type (
	schemaRequestJSON struct {
		Schema     string      `json:"schema"`
		SchemaType string      `json:"schemaType,omitempty"`
		References []reference `json:"references,omitempty"`
		ID         int32       `json:"id,omitempty"`
		Version    int32       `json:"version,omitempty"`
	}
	subjectSchemaJSON struct {
		Subject    string      `json:"subject"`
		Version    int32       `json:"version"`
		ID         int32       `json:"id"`
		SchemaType string      `json:"schemaType,omitempty"`
		References []reference `json:"references,omitempty"`
		Schema     string      `json:"schema"`
	}
	schemaByIDJSON struct {
		SchemaType string      `json:"schemaType,omitempty"`
		References []reference `json:"references,omitempty"`
		Schema     string      `json:"schema"`
	}
	subjectVersionJSON struct {
		Subject string `json:"subject"`
		Version int32  `json:"version"`
	}
	configRequestJSON struct {
		Compatibility      string `json:"compatibility"`
		CompatibilityLevel string `json:"compatibilityLevel"`
		Normalize          *bool  `json:"normalize"`
	}
	modeJSON struct {
		Mode string `json:"mode"`
	}
	errorJSON struct {
		ErrorCode int    `json:"error_code"`
		Message   string `json:"message"`
	}
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = mustJSON(errorJSON{ErrorCode: 50001, Message: "Error encoding the response: " + err.Error()})
	}
	w.Header().Set("Content-Type", ContentType)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeError(w http.ResponseWriter, err error) {
	e := asError(err)
	writeJSON(w, e.HTTPStatus(), errorJSON{ErrorCode: e.Code, Message: e.Message})
}

// reply writes v, or the error.
func reply[T any](w http.ResponseWriter, v T, err error) {
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// boolParam reads a boolean query parameter as Confluent does (true/True/
// TRUE...); anything else is false.
func boolParam(req *http.Request, name string) bool {
	b, err := strconv.ParseBool(strings.TrimSpace(req.URL.Query().Get(name)))
	return err == nil && b
}

// versionParam reads a {version} path segment: a number in [1, 2^31-1],
// -1 or "latest".
func versionParam(req *http.Request) (int32, error) {
	s := req.PathValue("version")
	if strings.EqualFold(s, "latest") {
		return latestVersion, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n == 0 || n < -1 || n > math.MaxInt32 {
		return 0, errInvalidVersion(s)
	}
	return int32(n), nil
}

func idParam(req *http.Request) (int32, error) {
	s := req.PathValue("id")
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil || n < 0 {
		return 0, errSchemaNotFound("Schema %s not found", s)
	}
	return int32(n), nil
}

// decodeBody reads a JSON body after checking its media type.
func decodeBody(req *http.Request, into any) error {
	if ct := req.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || !acceptedContentTypes[strings.ToLower(mt)] {
			return &Error{Code: codeUnsupportedMediaType, Message: "HTTP 415 Unsupported Media Type"}
		}
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, maxBodyBytes+1))
	if err != nil {
		return errorf(codeBadRequest, "Error reading the request body: %v", err)
	}
	if len(body) > maxBodyBytes {
		return errorf(codeBadRequest, "The request body is larger than %d bytes", maxBodyBytes)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return errorf(codeBadRequest, "The request body is empty")
	}
	if err := json.Unmarshal(body, into); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		if errors.As(err, &syn) || errors.As(err, &typ) {
			return errorf(codeBadRequest, "Unrecognized JSON in the request body: %v", err)
		}
		return errorf(codeBadRequest, "Bad request body: %v", err)
	}
	return nil
}

func referencesToJSON(refs []*fjordv1.SchemaReference) []reference {
	var out []reference
	for _, r := range refs {
		out = append(out, reference{Name: r.GetName(), Subject: r.GetSubject(), Version: r.GetVersion()})
	}
	return out
}

// schemaTypeJSON omits AVRO, as Confluent does.
func schemaTypeJSON(t string) string {
	if strings.EqualFold(t, schemaTypeAvro) {
		return ""
	}
	return t
}

func subjectSchemaOf(s *fjordv1.Schema) subjectSchemaJSON {
	return subjectSchemaJSON{Subject: s.GetSubject(), Version: s.GetVersion(), ID: s.GetId(),
		SchemaType: schemaTypeJSON(s.GetSchemaType()), References: referencesToJSON(s.GetReferences()), Schema: s.GetSchema()}
}

func (h *restHandler) schemaTypes(w http.ResponseWriter, req *http.Request) {
	resp, err := h.r.ListSchemaTypes(req.Context(), &fjordv1.ListSchemaTypesRequest{})
	reply(w, resp.GetSchemaTypes(), err)
}

func (h *restHandler) schemaByID(w http.ResponseWriter, req *http.Request) {
	id, err := idParam(req)
	if err != nil {
		writeError(w, err)
		return
	}
	resp, err := h.r.GetSchemaByID(req.Context(), &fjordv1.GetSchemaByIDRequest{Id: id, Subject: req.URL.Query().Get("subject")})
	s := resp.GetSchema()
	reply(w, schemaByIDJSON{SchemaType: schemaTypeJSON(s.GetSchemaType()), References: referencesToJSON(s.GetReferences()), Schema: s.GetSchema()}, err)
}

// writeRaw answers a schema's text itself.
func writeRaw(w http.ResponseWriter, text string, err error) {
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", ContentType)
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, text)
}

func (h *restHandler) schemaTextByID(w http.ResponseWriter, req *http.Request) {
	id, err := idParam(req)
	if err != nil {
		writeError(w, err)
		return
	}
	resp, err := h.r.GetSchemaByID(req.Context(), &fjordv1.GetSchemaByIDRequest{Id: id})
	writeRaw(w, resp.GetSchema().GetSchema(), err)
}

func (h *restHandler) schemaSubjects(w http.ResponseWriter, req *http.Request) {
	id, err := idParam(req)
	if err != nil {
		writeError(w, err)
		return
	}
	resp, err := h.r.GetSchemaSubjects(req.Context(), &fjordv1.GetSchemaSubjectsRequest{Id: id, Deleted: boolParam(req, "deleted")})
	reply(w, resp.GetSubjects(), err)
}

func (h *restHandler) schemaVersions(w http.ResponseWriter, req *http.Request) {
	id, err := idParam(req)
	if err != nil {
		writeError(w, err)
		return
	}
	resp, err := h.r.GetSchemaVersions(req.Context(), &fjordv1.GetSchemaVersionsRequest{Id: id, Deleted: boolParam(req, "deleted")})
	out := []subjectVersionJSON{}
	for _, sv := range resp.GetVersions() {
		out = append(out, subjectVersionJSON{Subject: sv.GetSubject(), Version: sv.GetVersion()})
	}
	reply(w, out, err)
}

func (h *restHandler) listSubjects(w http.ResponseWriter, req *http.Request) {
	resp, err := h.r.ListSubjects(req.Context(), &fjordv1.ListSubjectsRequest{SubjectPrefix: req.URL.Query().Get("subjectPrefix"),
		Deleted: boolParam(req, "deleted"), DeletedOnly: boolParam(req, "deletedOnly")})
	out := resp.GetSubjects()
	if out == nil {
		out = []string{}
	}
	reply(w, out, err)
}

func (h *restHandler) lookup(w http.ResponseWriter, req *http.Request) {
	var body schemaRequestJSON
	if err := decodeBody(req, &body); err != nil {
		writeError(w, err)
		return
	}
	resp, err := h.r.LookupSchema(req.Context(), &fjordv1.LookupSchemaRequest{Subject: req.PathValue("subject"), Schema: body.Schema,
		SchemaType: body.SchemaType, References: referencesProto(body.References), Normalize: boolParam(req, "normalize"), Deleted: boolParam(req, "deleted")})
	reply(w, subjectSchemaOf(resp.GetSchema()), err)
}

func (h *restHandler) register(w http.ResponseWriter, req *http.Request) {
	var body schemaRequestJSON
	if err := decodeBody(req, &body); err != nil {
		writeError(w, err)
		return
	}
	resp, err := h.r.Register(req.Context(), &fjordv1.RegisterRequest{Subject: req.PathValue("subject"), Schema: body.Schema,
		SchemaType: body.SchemaType, References: referencesProto(body.References), Normalize: boolParam(req, "normalize"),
		Id: max(body.ID, 0), Version: max(body.Version, 0)})
	reply(w, struct {
		ID int32 `json:"id"`
	}{resp.GetId()}, err)
}

func (h *restHandler) deleteSubject(w http.ResponseWriter, req *http.Request) {
	resp, err := h.r.DeleteSubject(req.Context(), &fjordv1.DeleteSubjectRequest{Subject: req.PathValue("subject"), Permanent: boolParam(req, "permanent")})
	out := resp.GetVersions()
	if out == nil {
		out = []int32{}
	}
	reply(w, out, err)
}

func (h *restHandler) listVersions(w http.ResponseWriter, req *http.Request) {
	resp, err := h.r.ListVersions(req.Context(), &fjordv1.ListVersionsRequest{Subject: req.PathValue("subject"),
		Deleted: boolParam(req, "deleted"), DeletedOnly: boolParam(req, "deletedOnly")})
	out := resp.GetVersions()
	if out == nil {
		out = []int32{}
	}
	reply(w, out, err)
}

func (h *restHandler) version(req *http.Request) (*fjordv1.Schema, error) {
	v, err := versionParam(req)
	if err != nil {
		return nil, err
	}
	resp, err := h.r.GetVersion(req.Context(), &fjordv1.GetVersionRequest{Subject: req.PathValue("subject"), Version: v, Deleted: boolParam(req, "deleted")})
	return resp.GetSchema(), err
}

func (h *restHandler) getVersion(w http.ResponseWriter, req *http.Request) {
	s, err := h.version(req)
	reply(w, subjectSchemaOf(s), err)
}

func (h *restHandler) getVersionText(w http.ResponseWriter, req *http.Request) {
	s, err := h.version(req)
	writeRaw(w, s.GetSchema(), err)
}

func (h *restHandler) referencedBy(w http.ResponseWriter, req *http.Request) {
	v, err := versionParam(req)
	if err != nil {
		writeError(w, err)
		return
	}
	resp, err := h.r.GetReferencedBy(req.Context(), &fjordv1.GetReferencedByRequest{Subject: req.PathValue("subject"), Version: v})
	out := resp.GetIds()
	if out == nil {
		out = []int32{}
	}
	reply(w, out, err)
}

func (h *restHandler) deleteVersion(w http.ResponseWriter, req *http.Request) {
	v, err := versionParam(req)
	if err != nil {
		writeError(w, err)
		return
	}
	resp, err := h.r.DeleteVersion(req.Context(), &fjordv1.DeleteVersionRequest{Subject: req.PathValue("subject"), Version: v, Permanent: boolParam(req, "permanent")})
	reply(w, resp.GetVersion(), err)
}

func (h *restHandler) compatibility(w http.ResponseWriter, req *http.Request) {
	var v int32 // all the versions the level selects
	if req.PathValue("version") != "" {
		var err error
		if v, err = versionParam(req); err != nil {
			writeError(w, err)
			return
		}
	}
	var body schemaRequestJSON
	if err := decodeBody(req, &body); err != nil {
		writeError(w, err)
		return
	}
	verbose := boolParam(req, "verbose")
	resp, err := h.r.CheckCompatibility(req.Context(), &fjordv1.CheckCompatibilityRequest{Subject: req.PathValue("subject"), Version: v,
		Schema: body.Schema, SchemaType: body.SchemaType, References: referencesProto(body.References),
		Normalize: boolParam(req, "normalize"), Verbose: verbose})
	if !verbose {
		reply(w, struct {
			IsCompatible bool `json:"is_compatible"`
		}{resp.GetIsCompatible()}, err)
		return
	}
	msgs := resp.GetMessages()
	if msgs == nil {
		msgs = []string{}
	}
	reply(w, struct {
		IsCompatible bool     `json:"is_compatible"`
		Messages     []string `json:"messages"`
	}{resp.GetIsCompatible(), msgs}, err)
}

func (h *restHandler) getConfig(w http.ResponseWriter, req *http.Request) {
	resp, err := h.r.GetConfig(req.Context(), &fjordv1.GetConfigRequest{Subject: req.PathValue("subject"), DefaultToGlobal: boolParam(req, "defaultToGlobal")})
	reply(w, struct {
		CompatibilityLevel string `json:"compatibilityLevel"`
		Normalize          bool   `json:"normalize,omitempty"`
	}{resp.GetCompatibilityLevel(), resp.GetNormalize()}, err)
}

func (h *restHandler) setConfig(w http.ResponseWriter, req *http.Request) {
	var body configRequestJSON
	if err := decodeBody(req, &body); err != nil {
		writeError(w, err)
		return
	}
	level := body.Compatibility
	if level == "" {
		level = body.CompatibilityLevel
	}
	resp, err := h.r.SetConfig(req.Context(), &fjordv1.SetConfigRequest{Subject: req.PathValue("subject"), CompatibilityLevel: level, Normalize: body.Normalize})
	reply(w, struct {
		Compatibility string `json:"compatibility"`
		Normalize     bool   `json:"normalize,omitempty"`
	}{resp.GetCompatibilityLevel(), resp.GetNormalize()}, err)
}

func (h *restHandler) deleteConfig(w http.ResponseWriter, req *http.Request) {
	resp, err := h.r.DeleteConfig(req.Context(), &fjordv1.DeleteConfigRequest{Subject: req.PathValue("subject")})
	reply(w, struct {
		CompatibilityLevel string `json:"compatibilityLevel"`
	}{resp.GetCompatibilityLevel()}, err)
}

func (h *restHandler) getMode(w http.ResponseWriter, req *http.Request) {
	resp, err := h.r.GetMode(req.Context(), &fjordv1.GetModeRequest{Subject: req.PathValue("subject"), DefaultToGlobal: boolParam(req, "defaultToGlobal")})
	reply(w, modeJSON{resp.GetMode()}, err)
}

func (h *restHandler) setMode(w http.ResponseWriter, req *http.Request) {
	var body modeJSON
	if err := decodeBody(req, &body); err != nil {
		writeError(w, err)
		return
	}
	resp, err := h.r.SetMode(req.Context(), &fjordv1.SetModeRequest{Subject: req.PathValue("subject"), Mode: body.Mode, Force: boolParam(req, "force")})
	reply(w, modeJSON{resp.GetMode()}, err)
}

func (h *restHandler) deleteMode(w http.ResponseWriter, req *http.Request) {
	resp, err := h.r.DeleteMode(req.Context(), &fjordv1.DeleteModeRequest{Subject: req.PathValue("subject")})
	reply(w, modeJSON{resp.GetMode()}, err)
}
