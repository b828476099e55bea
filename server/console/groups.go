package console

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func stateName(s fjordv1.GroupState) string {
	return strings.TrimPrefix(s.String(), "GROUP_STATE_")
}

func (c *Console) groupList(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := reqCtx(r)
	defer cancel()
	resp, err := c.groups.ListGroups(ctx, &fjordv1.ListGroupsRequest{})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	gs := resp.GetGroups()
	slices.SortFunc(gs, func(a, b *fjordv1.GroupListing) int { return strings.Compare(a.GetGroupId(), b.GetGroupId()) })
	var warn []string
	for _, e := range resp.GetErrors() {
		if err := protoErr(e); err != nil {
			warn = append(warn, errMessage(err))
		}
	}
	p := page{Title: "Consumer groups", Nav: "groups", Data: map[string]any{"Groups": gs, "State": stateName}}
	if len(warn) > 0 {
		p.Error = "some coordinators did not answer: " + strings.Join(warn, "; ")
	}
	c.render(w, r, "groups", p)
}

// groupView is a group's page.
type groupView struct {
	Group     *fjordv1.DescribeGroupResponse
	State     string
	TotalLag  int64
	Topics    []string
	DryRun    *fjordv1.ResetOffsetsResponse
	ResetForm resetForm
}

type resetForm struct {
	Topic, To, Value string
	Force            bool
}

func (c *Console) describeGroup(r *http.Request, id string) (*groupView, error) {
	ctx, cancel := reqCtx(r)
	defer cancel()
	g, err := c.groups.DescribeGroup(ctx, &fjordv1.DescribeGroupRequest{GroupId: id})
	if err != nil {
		return nil, err
	}
	if g.GetState() == fjordv1.GroupState_GROUP_STATE_DEAD {
		return nil, status.Errorf(codes.NotFound, "group %q does not exist", id)
	}
	v := &groupView{Group: g, State: stateName(g.GetState()), ResetForm: resetForm{To: "earliest"}}
	slices.SortFunc(g.Partitions, func(a, b *fjordv1.GroupPartition) int {
		if c := strings.Compare(a.GetTopic(), b.GetTopic()); c != 0 {
			return c
		}
		return int(a.GetPartition() - b.GetPartition())
	})
	for _, p := range g.GetPartitions() {
		if p.GetLag() > 0 {
			v.TotalLag += p.GetLag()
		}
		if !slices.Contains(v.Topics, p.GetTopic()) {
			v.Topics = append(v.Topics, p.GetTopic())
		}
	}
	return v, nil
}

func (c *Console) group(w http.ResponseWriter, r *http.Request) {
	v, err := c.describeGroup(r, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.render(w, r, "group", page{Title: "Group " + v.Group.GetGroupId(), Nav: "groups", Data: v})
}

func (c *Console) groupPath(id string) string { return "/ui/groups/" + url.PathEscape(id) }

// resetRequest reads the reset form.
func resetRequest(id string, r *http.Request) (*fjordv1.ResetOffsetsRequest, resetForm, error) {
	f := resetForm{Topic: strings.TrimSpace(r.PostFormValue("topic")), To: r.PostFormValue("to"), Value: strings.TrimSpace(r.PostFormValue("value")), Force: r.PostFormValue("force") == "1"}
	req := &fjordv1.ResetOffsetsRequest{GroupId: id, Force: f.Force, DryRun: r.PostFormValue("dry_run") == "1"}
	if f.Topic != "" {
		req.Topics = []*fjordv1.TopicPartitions{{Topic: f.Topic}}
	}
	num := func() (int64, error) {
		var n int64
		if _, err := fmt.Sscan(f.Value, &n); err != nil {
			return 0, status.Errorf(codes.InvalidArgument, "reset to %s needs a number, not %q", f.To, f.Value)
		}
		return n, nil
	}
	switch f.To {
	case "earliest":
		req.To = &fjordv1.ResetOffsetsRequest_Earliest{Earliest: true}
	case "latest":
		req.To = &fjordv1.ResetOffsetsRequest_Latest{Latest: true}
	case "offset":
		n, err := num()
		if err != nil {
			return nil, f, err
		}
		req.To = &fjordv1.ResetOffsetsRequest_Offset{Offset: n}
	case "shift":
		n, err := num()
		if err != nil {
			return nil, f, err
		}
		req.To = &fjordv1.ResetOffsetsRequest_ShiftBy{ShiftBy: n}
	case "timestamp":
		t, err := parseTime(f.Value)
		if err != nil {
			return nil, f, err
		}
		req.To = &fjordv1.ResetOffsetsRequest_TimestampMs{TimestampMs: t.UnixMilli()}
	default:
		return nil, f, status.Errorf(codes.InvalidArgument, "reset to %q: choose earliest, latest, offset, shift or timestamp", f.To)
	}
	return req, f, nil
}

func (c *Console) resetOffsets(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	req, form, err := resetRequest(id, r)
	if err != nil {
		redirect(w, r, c.groupPath(id), "", err)
		return
	}
	ctx, cancel := reqCtx(r)
	defer cancel()
	resp, err := c.groups.ResetOffsets(ctx, req)
	if err == nil {
		var errs []string
		for _, t := range resp.GetTopics() {
			for _, p := range t.GetPartitions() {
				if e := protoErr(p.GetError()); e != nil {
					errs = append(errs, fmt.Sprintf("%s[%d]: %s", t.GetTopic(), p.GetPartition(), errMessage(e)))
				}
			}
		}
		if len(errs) > 0 {
			err = status.Error(codes.FailedPrecondition, strings.Join(errs, "; "))
		}
	}
	if req.GetDryRun() && err == nil {
		// A dry run changes nothing: show its result on the group page.
		v, err := c.describeGroup(r, id)
		if err != nil {
			c.fail(w, r, err)
			return
		}
		v.DryRun, v.ResetForm = resp, form
		c.render(w, r, "group", page{Title: "Group " + id, Nav: "groups", Data: v, Flash: "dry run: nothing was changed"})
		return
	}
	redirect(w, r, c.groupPath(id), "offsets of "+id+" reset", err)
}

func (c *Console) deleteGroup(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if r.PostFormValue("confirm") != id {
		redirect(w, r, c.groupPath(id), "", status.Errorf(codes.InvalidArgument, "type the group's id (%s) to confirm its deletion", id))
		return
	}
	ctx, cancel := reqCtx(r)
	defer cancel()
	if _, err := c.groups.DeleteGroup(ctx, &fjordv1.DeleteGroupRequest{GroupId: id}); err != nil {
		redirect(w, r, c.groupPath(id), "", err)
		return
	}
	redirect(w, r, "/ui/groups", "group "+id+" deleted", nil)
}
