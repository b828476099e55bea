package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/fjordlog/fjord/schemaregistry"
	"github.com/fjordlog/fjord/server/acl"
	"github.com/fjordlog/fjord/server/auth"
)

// restRule authorizes one registry REST pattern: check runs before the
// handler; filter, when set, removes from a JSON listing what the caller
// may not describe.
type restRule struct {
	check  func(c *check, r *http.Request) error
	filter func(c *check, body []byte) ([]byte, bool)
}

func restSubject(op acl.Operation) restRule {
	return restRule{check: func(c *check, r *http.Request) error { return c.need(op, acl.Subject, r.PathValue("subject")) }}
}

func restSubjectOrCluster(op acl.Operation) restRule {
	return restRule{check: func(c *check, r *http.Request) error { return subjectOrCluster(op, r.PathValue("subject"), c) }}
}

var restOpen = restRule{check: func(*check, *http.Request) error { return nil }}

// restByID: a schema by global id needs READ on a subject using it (the
// ?subject= parameter only picks the context of the answer). A malformed
// id needs READ on some subject; the registry then answers 404.
var restByID = restRule{check: func(c *check, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 32)
	if err != nil {
		return c.anySubject()
	}
	return c.schemaByID(int32(id))
}}

func filterSubjects(c *check, body []byte) ([]byte, bool) {
	var subjects []string
	if json.Unmarshal(body, &subjects) != nil {
		return nil, false
	}
	subjects = slices.DeleteFunc(subjects, func(s string) bool { return !c.allowed(acl.Describe, acl.Subject, s) })
	out, err := json.Marshal(append([]string{}, subjects...))
	return out, err == nil
}

func filterSubjectVersions(c *check, body []byte) ([]byte, bool) {
	var versions []map[string]any
	if json.Unmarshal(body, &versions) != nil {
		return nil, false
	}
	versions = slices.DeleteFunc(versions, func(v map[string]any) bool {
		s, _ := v["subject"].(string)
		return !c.allowed(acl.Describe, acl.Subject, s)
	})
	out, err := json.Marshal(append([]map[string]any{}, versions...))
	return out, err == nil
}

// restRules maps every schemaregistry.RESTRoutes pattern to its rule (the
// same rights as the registry's gRPC methods).
var restRules = map[string]restRule{
	"GET /{$}":                                                  restOpen,
	"GET /schemas/types":                                        restOpen,
	"GET /schemas/ids/{id}":                                     restByID,
	"GET /schemas/ids/{id}/schema":                              restByID,
	"GET /schemas/ids/{id}/subjects":                            {check: restByID.check, filter: filterSubjects},
	"GET /schemas/ids/{id}/versions":                            {check: restByID.check, filter: filterSubjectVersions},
	"GET /subjects":                                             {check: restOpen.check, filter: filterSubjects},
	"POST /subjects/{subject}":                                  restSubject(acl.Read),
	"DELETE /subjects/{subject}":                                restSubject(acl.Delete),
	"POST /subjects/{subject}/versions":                         restSubject(acl.Write),
	"GET /subjects/{subject}/versions":                          restSubject(acl.Read),
	"GET /subjects/{subject}/versions/{version}":                restSubject(acl.Read),
	"GET /subjects/{subject}/versions/{version}/schema":         restSubject(acl.Read),
	"GET /subjects/{subject}/versions/{version}/referencedby":   restSubject(acl.Read),
	"DELETE /subjects/{subject}/versions/{version}":             restSubject(acl.Delete),
	"POST /compatibility/subjects/{subject}/versions":           restSubject(acl.Read),
	"POST /compatibility/subjects/{subject}/versions/{version}": restSubject(acl.Read),
	"GET /config":                                               restSubjectOrCluster(acl.Describe),
	"PUT /config":                                               restSubjectOrCluster(acl.Alter),
	"DELETE /config":                                            restSubjectOrCluster(acl.Alter),
	"GET /config/{subject}":                                     restSubjectOrCluster(acl.Describe),
	"PUT /config/{subject}":                                     restSubjectOrCluster(acl.Alter),
	"DELETE /config/{subject}":                                  restSubjectOrCluster(acl.Alter),
	"GET /mode":                                                 restSubjectOrCluster(acl.Describe),
	"PUT /mode":                                                 restSubjectOrCluster(acl.Alter),
	"DELETE /mode":                                              restSubjectOrCluster(acl.Alter),
	"GET /mode/{subject}":                                       restSubjectOrCluster(acl.Describe),
	"PUT /mode/{subject}":                                       restSubjectOrCluster(acl.Alter),
	"DELETE /mode/{subject}":                                    restSubjectOrCluster(acl.Alter),
}

// httpPrincipal is the caller of an HTTP request.
func (a *authorizer) httpPrincipal(r *http.Request) auth.Principal {
	if a.testPrincipals {
		if v := r.Header.Get(testPrincipalHeader); v != "" {
			if p, err := auth.ParsePrincipal(v); err == nil {
				return p
			}
		}
	}
	return auth.FromContext(r.Context())
}

func (a *authorizer) httpCheck(s *Server, r *http.Request) *check {
	p := a.httpPrincipal(r)
	return &check{ctx: r.Context(), a: a.acls(), principal: p, super: !a.enabled || (a.isBroker != nil && a.isBroker(p)), s: s}
}

// authorizeREST wraps the registry's REST handler: every route is checked
// by its rule; a path no route serves goes through (the registry answers
// 404 or 405).
func (s *Server) authorizeREST(next http.Handler) http.Handler {
	if !s.authz.enabled {
		return next
	}
	mux := http.NewServeMux()
	for pattern, rule := range restRules {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			c := s.authz.httpCheck(s, r)
			if err := rule.check(c, r); err != nil {
				writeRESTDenied(w, err)
				return
			}
			if rule.filter == nil || c.super {
				next.ServeHTTP(w, r)
				return
			}
			rec := &bufferedResponse{header: http.Header{}, status: http.StatusOK}
			next.ServeHTTP(rec, r)
			body := rec.body.Bytes()
			if rec.status == http.StatusOK {
				if out, ok := rule.filter(c, body); ok {
					body = out
				}
			}
			for k, v := range rec.header {
				w.Header()[k] = v
			}
			w.Header().Del("Content-Length")
			w.WriteHeader(rec.status)
			w.Write(body)
		})
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Route as the registry does: it accepts a trailing slash.
		rr := r
		if p := r.URL.Path; len(p) > 1 && strings.HasSuffix(p, "/") {
			rr = r.Clone(r.Context())
			rr.URL.Path = strings.TrimSuffix(p, "/")
			if rr.URL.RawPath != "" {
				rr.URL.RawPath = strings.TrimSuffix(rr.URL.RawPath, "/")
			}
		}
		if _, pattern := mux.Handler(rr); pattern == "" {
			next.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(w, rr)
	})
}

// writeRESTDenied answers 403 with a Confluent error body (40301).
func writeRESTDenied(w http.ResponseWriter, err error) {
	msg := err.Error()
	if i := strings.Index(msg, "desc = "); i >= 0 {
		msg = msg[i+len("desc = "):]
	}
	b, _ := json.Marshal(struct {
		ErrorCode int    `json:"error_code"`
		Message   string `json:"message"`
	}{40301, msg})
	w.Header().Set("Content-Type", schemaregistry.ContentType)
	w.WriteHeader(http.StatusForbidden)
	w.Write(b)
}

type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header         { return b.header }
func (b *bufferedResponse) Write(p []byte) (int, error) { return b.body.Write(p) }
func (b *bufferedResponse) WriteHeader(code int)        { b.status = code }
