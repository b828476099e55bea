package console

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// levels are the registry's compatibility levels.
var levels = []string{"NONE", "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE"}

func (c *Console) subjects(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := reqCtx(r)
	defer cancel()
	resp, err := c.registry.ListSubjects(ctx, &fjordv1.ListSubjectsRequest{})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	global, err := c.registry.GetConfig(ctx, &fjordv1.GetConfigRequest{})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.render(w, r, "schemas", page{Title: "Schemas", Nav: "schemas", Data: map[string]any{"Subjects": resp.GetSubjects(), "Global": global.GetCompatibilityLevel()}})
}

// subjectView is a subject's page.
type subjectView struct {
	Subject  string
	Versions []int32
	Shown    *fjordv1.Schema
	Pretty   string
	Level    string
	Levels   []string
	DiffA    int32
	DiffB    int32
	Diff     []diffLine
	Check    *fjordv1.CheckCompatibilityResponse
	Proposed string
}

// pretty indents JSON schema text (unchanged if it is not JSON).
func pretty(text string) string {
	var b bytes.Buffer
	if err := json.Indent(&b, []byte(text), "", "  "); err != nil {
		return text
	}
	return b.String()
}

func queryVersion(q url.Values, key string, def int32) (int32, error) {
	v := q.Get(key)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil || n < 1 {
		return 0, status.Errorf(codes.InvalidArgument, "%s %q is not a version number", key, v)
	}
	return int32(n), nil
}

func (c *Console) subjectView(r *http.Request, subject string) (*subjectView, error) {
	ctx, cancel := reqCtx(r)
	defer cancel()
	vr, err := c.registry.ListVersions(ctx, &fjordv1.ListVersionsRequest{Subject: subject})
	if err != nil {
		return nil, err
	}
	v := &subjectView{Subject: subject, Versions: vr.GetVersions(), Levels: levels}
	if len(v.Versions) == 0 {
		return nil, status.Errorf(codes.NotFound, "subject %q has no versions", subject)
	}
	latest := v.Versions[len(v.Versions)-1]
	q := r.URL.Query()
	shown, err := queryVersion(q, "version", latest)
	if err != nil {
		return nil, err
	}
	get := func(ver int32) (*fjordv1.Schema, error) {
		resp, err := c.registry.GetVersion(ctx, &fjordv1.GetVersionRequest{Subject: subject, Version: ver})
		if err != nil {
			return nil, err
		}
		return resp.GetSchema(), nil
	}
	if v.Shown, err = get(shown); err != nil {
		return nil, err
	}
	v.Pretty = pretty(v.Shown.GetSchema())
	cfg, err := c.registry.GetConfig(ctx, &fjordv1.GetConfigRequest{Subject: subject, DefaultToGlobal: true})
	if err != nil {
		return nil, err
	}
	v.Level = cfg.GetCompatibilityLevel()
	// The diff: two chosen versions, or the latest against the one before.
	v.DiffB = latest
	v.DiffA = latest
	if len(v.Versions) > 1 {
		v.DiffA = v.Versions[len(v.Versions)-2]
	}
	if v.DiffA, err = queryVersion(q, "a", v.DiffA); err != nil {
		return nil, err
	}
	if v.DiffB, err = queryVersion(q, "b", v.DiffB); err != nil {
		return nil, err
	}
	a, err := get(v.DiffA)
	if err != nil {
		return nil, err
	}
	b, err := get(v.DiffB)
	if err != nil {
		return nil, err
	}
	v.Diff = lineDiff(pretty(a.GetSchema()), pretty(b.GetSchema()))
	return v, nil
}

func (c *Console) subject(w http.ResponseWriter, r *http.Request) {
	subject := r.PathValue("subject")
	v, err := c.subjectView(r, subject)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.render(w, r, "subject", page{Title: "Subject " + subject, Nav: "schemas", Data: v})
}

func (c *Console) subjectPath(s string) string { return "/ui/schemas/" + url.PathEscape(s) }

// checkCompatibility tests a proposed schema; it changes nothing, so the
// result is rendered at once.
func (c *Console) checkCompatibility(w http.ResponseWriter, r *http.Request) {
	subject := r.PathValue("subject")
	proposed := r.PostFormValue("schema")
	v, err := c.subjectView(r, subject)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	v.Proposed = proposed
	p := page{Title: "Subject " + subject, Nav: "schemas", Data: v}
	if strings.TrimSpace(proposed) == "" {
		p.Error = "paste a schema to check"
		p.Status = http.StatusBadRequest
	} else {
		ctx, cancel := reqCtx(r)
		defer cancel()
		resp, err := c.registry.CheckCompatibility(ctx, &fjordv1.CheckCompatibilityRequest{Subject: subject, Version: 0, Schema: proposed, Verbose: true})
		if err != nil {
			p.Error = errMessage(err)
			p.Status = httpStatus(status.Code(err))
		} else {
			v.Check = resp
		}
	}
	c.render(w, r, "subject", p)
}

func (c *Console) setCompatibility(w http.ResponseWriter, r *http.Request) {
	subject := r.PathValue("subject")
	level := r.PostFormValue("level")
	ctx, cancel := reqCtx(r)
	defer cancel()
	var err error
	if level == "" {
		_, err = c.registry.DeleteConfig(ctx, &fjordv1.DeleteConfigRequest{Subject: subject})
	} else {
		_, err = c.registry.SetConfig(ctx, &fjordv1.SetConfigRequest{Subject: subject, CompatibilityLevel: level})
	}
	redirect(w, r, c.subjectPath(subject), "compatibility of "+subject+" set", err)
}
