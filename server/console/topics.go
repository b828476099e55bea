package console

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func (c *Console) overview(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := reqCtx(r)
	defer cancel()
	cl, err := c.admin.DescribeCluster(ctx, &fjordv1.DescribeClusterRequest{})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.render(w, r, "overview", page{Title: "Cluster", Nav: "overview", Data: cl})
}

// topicRow is one line of the topic list.
type topicRow struct {
	Name             string
	Internal         bool
	Partitions       int
	Replication      int
	Size             int64
	Messages         int64
	UnderReplicated  int
	Offline          int
	DescribeErrorMsg string
}

func (c *Console) topics(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := reqCtx(r)
	defer cancel()
	internal := r.URL.Query().Get("internal") == "1"
	lr, err := c.admin.ListTopics(ctx, &fjordv1.ListTopicsRequest{IncludeInternal: internal})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	rows := make([]topicRow, 0, len(lr.GetTopics()))
	names := make([]string, 0, len(lr.GetTopics()))
	for _, t := range lr.GetTopics() {
		names = append(names, t.GetName())
		rows = append(rows, topicRow{Name: t.GetName(), Internal: t.GetInternal(), Partitions: int(t.GetPartitions()), Replication: int(t.GetReplicationFactor())})
	}
	if len(names) > 0 {
		dr, err := c.admin.DescribeTopics(ctx, &fjordv1.DescribeTopicsRequest{Names: names})
		if err != nil {
			c.fail(w, r, err)
			return
		}
		byName := map[string]*fjordv1.TopicDescription{}
		for _, d := range dr.GetTopics() {
			byName[d.GetName()] = d
		}
		for i := range rows {
			d := byName[rows[i].Name]
			if e := protoErr(d.GetError()); e != nil {
				rows[i].DescribeErrorMsg = errMessage(e)
				continue
			}
			for _, p := range d.GetPartitions() {
				rows[i].Size += p.GetSizeBytes()
				rows[i].Messages += p.GetHighWatermark() - p.GetLogStartOffset()
				if len(p.GetIsr()) < len(p.GetReplicas()) {
					rows[i].UnderReplicated++
				}
				if p.GetLeaderId() < 0 {
					rows[i].Offline++
				}
			}
		}
	}
	slices.SortFunc(rows, func(a, b topicRow) int { return strings.Compare(a.Name, b.Name) })
	c.render(w, r, "topics", page{Title: "Topics", Nav: "topics", Data: map[string]any{"Topics": rows, "Internal": internal}})
}

// parseConfigs reads "key=value" lines.
func parseConfigs(text string) (map[string]string, error) {
	out := map[string]string{}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, status.Errorf(codes.InvalidArgument, "config line %d %q is not key=value", i+1, line)
		}
		out[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return out, nil
}

func formInt(r *http.Request, name string, def int64) (int64, error) {
	v := strings.TrimSpace(r.PostFormValue(name))
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, status.Errorf(codes.InvalidArgument, "%s %q is not an integer", name, v)
	}
	return n, nil
}

func (c *Console) createTopic(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := reqCtx(r)
	defer cancel()
	name := strings.TrimSpace(r.PostFormValue("name"))
	err := func() error {
		if name == "" {
			return status.Error(codes.InvalidArgument, "a topic needs a name")
		}
		parts, err := formInt(r, "partitions", 1)
		if err != nil {
			return err
		}
		rf, err := formInt(r, "replication_factor", 1)
		if err != nil {
			return err
		}
		cfgs, err := parseConfigs(r.PostFormValue("configs"))
		if err != nil {
			return err
		}
		resp, err := c.admin.CreateTopics(ctx, &fjordv1.CreateTopicsRequest{Topics: []*fjordv1.NewTopic{{Name: name, Partitions: int32(parts), ReplicationFactor: int32(rf), Configs: cfgs}}})
		if err != nil {
			return err
		}
		for _, res := range resp.GetResults() {
			if e := protoErr(res.GetError()); e != nil {
				return e
			}
		}
		return nil
	}()
	if err != nil {
		redirect(w, r, "/ui/topics", "", err)
		return
	}
	redirect(w, r, "/ui/topics/"+url.PathEscape(name), "topic "+name+" created", nil)
}

func (c *Console) describeTopic(r *http.Request, name string) (*fjordv1.TopicDescription, error) {
	ctx, cancel := reqCtx(r)
	defer cancel()
	dr, err := c.admin.DescribeTopics(ctx, &fjordv1.DescribeTopicsRequest{Names: []string{name}})
	if err != nil {
		return nil, err
	}
	if len(dr.GetTopics()) != 1 {
		return nil, status.Errorf(codes.NotFound, "topic %q not described", name)
	}
	d := dr.GetTopics()[0]
	if e := protoErr(d.GetError()); e != nil {
		return nil, e
	}
	return d, nil
}

func (c *Console) topic(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	d, err := c.describeTopic(r, name)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	ctx, cancel := reqCtx(r)
	defer cancel()
	var configs []*fjordv1.ConfigEntry
	cr, err := c.admin.DescribeConfigs(ctx, &fjordv1.DescribeConfigsRequest{Resources: []*fjordv1.ConfigResource{{Type: fjordv1.ConfigResourceType_CONFIG_RESOURCE_TYPE_TOPIC, Name: name}}})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	for _, res := range cr.GetResults() {
		if e := protoErr(res.GetError()); e != nil {
			c.fail(w, r, e)
			return
		}
		configs = append(configs, res.GetConfigs()...)
	}
	slices.SortFunc(configs, func(a, b *fjordv1.ConfigEntry) int { return strings.Compare(a.GetName(), b.GetName()) })
	var reassigning []*fjordv1.OngoingPartitionReassignment
	if lr, err := c.admin.ListPartitionReassignments(ctx, &fjordv1.ListPartitionReassignmentsRequest{}); err == nil {
		for _, t := range lr.GetTopics() {
			if t.GetTopic() == name {
				reassigning = append(reassigning, t.GetPartitions()...)
			}
		}
	}
	c.render(w, r, "topic", page{Title: "Topic " + name, Nav: "topics", Data: map[string]any{
		"Topic": d, "Configs": configs, "Reassigning": reassigning,
	}})
}

func (c *Console) topicPath(name string) string { return "/ui/topics/" + url.PathEscape(name) }

func (c *Console) alterConfigs(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := reqCtx(r)
	defer cancel()
	name := r.PathValue("name")
	err := func() error {
		var ops []*fjordv1.AlterConfigOp
		set, err := parseConfigs(r.PostFormValue("set"))
		if err != nil {
			return err
		}
		keys := make([]string, 0, len(set))
		for k := range set {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			ops = append(ops, &fjordv1.AlterConfigOp{Name: k, Value: set[k], Op: fjordv1.AlterConfigOpType_ALTER_CONFIG_OP_TYPE_SET})
		}
		for _, k := range r.PostForm["delete"] {
			ops = append(ops, &fjordv1.AlterConfigOp{Name: k, Op: fjordv1.AlterConfigOpType_ALTER_CONFIG_OP_TYPE_DELETE})
		}
		if len(ops) == 0 {
			return status.Error(codes.InvalidArgument, "nothing to change: give key=value lines to set or pick overrides to remove")
		}
		resp, err := c.admin.AlterConfigs(ctx, &fjordv1.AlterConfigsRequest{Resources: []*fjordv1.AlterConfigsResource{{
			Resource: &fjordv1.ConfigResource{Type: fjordv1.ConfigResourceType_CONFIG_RESOURCE_TYPE_TOPIC, Name: name}, Ops: ops}}})
		if err != nil {
			return err
		}
		for _, res := range resp.GetResults() {
			if e := protoErr(res.GetError()); e != nil {
				return e
			}
		}
		return nil
	}()
	redirect(w, r, c.topicPath(name), "configs of "+name+" changed", err)
}

func (c *Console) deleteTopic(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := reqCtx(r)
	defer cancel()
	name := r.PathValue("name")
	if r.PostFormValue("confirm") != name {
		redirect(w, r, c.topicPath(name), "", status.Errorf(codes.InvalidArgument, "type the topic's name (%s) to confirm its deletion", name))
		return
	}
	resp, err := c.admin.DeleteTopics(ctx, &fjordv1.DeleteTopicsRequest{Names: []string{name}})
	if err == nil {
		for _, res := range resp.GetResults() {
			if e := protoErr(res.GetError()); e != nil {
				err = e
			}
		}
	}
	if err != nil {
		redirect(w, r, c.topicPath(name), "", err)
		return
	}
	redirect(w, r, "/ui/topics", "topic "+name+" deleted", nil)
}

func (c *Console) addPartitions(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := reqCtx(r)
	defer cancel()
	name := r.PathValue("name")
	err := func() error {
		total, err := formInt(r, "total", 0)
		if err != nil {
			return err
		}
		resp, err := c.admin.CreatePartitions(ctx, &fjordv1.CreatePartitionsRequest{Topics: []*fjordv1.PartitionIncrease{{Topic: name, TotalCount: int32(total)}}})
		if err != nil {
			return err
		}
		for _, res := range resp.GetResults() {
			if e := protoErr(res.GetError()); e != nil {
				return e
			}
		}
		return nil
	}()
	redirect(w, r, c.topicPath(name), "partitions of "+name+" increased", err)
}

// parseIDs reads "1,2,3" (spaces allowed).
func parseIDs(s string) ([]int32, error) {
	var out []int32
	for f := range strings.FieldsFuncSeq(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		n, err := strconv.ParseInt(f, 10, 32)
		if err != nil {
			return nil, status.Errorf(codes.InvalidArgument, "%q is not a broker id", f)
		}
		out = append(out, int32(n))
	}
	return out, nil
}

func (c *Console) reassign(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := reqCtx(r)
	defer cancel()
	name := r.PathValue("name")
	var flash string
	err := func() error {
		p, err := formInt(r, "partition", -1)
		if err != nil {
			return err
		}
		if p < 0 {
			return status.Error(codes.InvalidArgument, "choose a partition to reassign")
		}
		cancelIt := r.PostFormValue("cancel") == "1"
		replicas, err := parseIDs(r.PostFormValue("replicas"))
		if err != nil {
			return err
		}
		if !cancelIt && len(replicas) == 0 {
			return status.Error(codes.InvalidArgument, "give the target replicas, for example 1,2,3 (the first is preferred leader)")
		}
		resp, err := c.admin.AlterPartitionReassignments(ctx, &fjordv1.AlterPartitionReassignmentsRequest{Topics: []*fjordv1.AlterPartitionReassignmentsTopic{{
			Topic: name, Partitions: []*fjordv1.AlterPartitionReassignmentsPartition{{Partition: int32(p), Replicas: replicas, Cancel: cancelIt}}}}})
		if err != nil {
			return err
		}
		for _, t := range resp.GetTopics() {
			for _, pr := range t.GetPartitions() {
				if e := protoErr(pr.GetError()); e != nil {
					return e
				}
			}
		}
		if cancelIt {
			flash = fmt.Sprintf("reassignment of partition %d cancelled", p)
		} else {
			flash = fmt.Sprintf("partition %d is moving to replicas %v", p, replicas)
		}
		return nil
	}()
	redirect(w, r, c.topicPath(name), flash, err)
}

func (c *Console) elect(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := reqCtx(r)
	defer cancel()
	name := r.PathValue("name")
	var msgs []string
	resp, err := c.admin.ElectLeaders(ctx, &fjordv1.ElectLeadersRequest{ElectionType: fjordv1.ElectionType_ELECTION_TYPE_PREFERRED,
		Topics: []*fjordv1.ElectLeadersTopic{{Topic: name}}})
	if err == nil {
		for _, t := range resp.GetTopics() {
			if e := protoErr(t.GetError()); e != nil {
				err = e
				break
			}
			for _, p := range t.GetPartitions() {
				if e := protoErr(p.GetError()); e != nil {
					msgs = append(msgs, fmt.Sprintf("partition %d: %s", p.GetPartition(), errMessage(e)))
				} else {
					msgs = append(msgs, fmt.Sprintf("partition %d: leader %d", p.GetPartition(), p.GetLeaderId()))
				}
			}
		}
	}
	flash := "preferred leaders elected"
	if len(msgs) > 0 {
		flash += ": " + strings.Join(msgs, "; ")
	}
	redirect(w, r, c.topicPath(name), flash, err)
}
