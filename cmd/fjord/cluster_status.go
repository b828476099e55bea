package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	fjord "github.com/fjordlog/fjord/clients/go"
	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
)

func newClusterStatusCmd(env *cliEnv, cf *clientFlags) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show the brokers' states and the partitions that are under-replicated, under min ISR or offline",
		Long: `Show the cluster id, the controller leader, every registered broker with its
state (active, fenced, shutting_down), epoch, address and rack, and the
partitions that are under-replicated (ISR smaller than the replicas),
under min ISR (acks=all produce fails) or offline (no leader).

The answer is one broker's view of the cluster metadata. The command exits 0
whatever the cluster's health; use --json to check it from a script.`,
		Args: exactArgs(0, "none"),
		RunE: func(c *cobra.Command, _ []string) error {
			return adminCmd(c, env, cf, func(a *fjord.Admin) error {
				ctx, cancel := cf.requestCtx(c.Context())
				defer cancel()
				d, err := a.DescribeCluster(ctx)
				if err != nil {
					return fmt.Errorf("cannot describe cluster: %w", err)
				}
				if asJSON {
					return writeJSON(c.OutOrStdout(), clusterStatusJSON(d))
				}
				writeClusterStatus(c.OutOrStdout(), d)
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return cmd
}

// brokerState names a broker state as the controller does.
func brokerState(s fjordv1.BrokerState) string {
	switch s {
	case fjordv1.BrokerState_BROKER_STATE_ACTIVE:
		return "active"
	case fjordv1.BrokerState_BROKER_STATE_FENCED:
		return "fenced"
	case fjordv1.BrokerState_BROKER_STATE_SHUTTING_DOWN:
		return "shutting_down"
	}
	return "unknown"
}

// dash shows an empty string as "-".
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// idsOrDash formats broker ids as ids does, or "-" for none.
func idsOrDash(v []int32) string {
	if len(v) == 0 {
		return "-"
	}
	return ids(v)
}

func writeClusterStatus(w io.Writer, d *fjordv1.DescribeClusterResponse) {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintf(tw, "CLUSTER ID\t%s\n", d.GetClusterId())
	ctrl := "none (election in progress)"
	if d.GetControllerId() >= 0 {
		ctrl = fmt.Sprint(d.GetControllerId())
	}
	fmt.Fprintf(tw, "CONTROLLER\t%s\n", ctrl)
	fmt.Fprintf(tw, "TOPICS\t%d\n", d.GetTopicCount())
	fmt.Fprintf(tw, "PARTITIONS\t%d\n", d.GetPartitionCount())
	fmt.Fprintf(tw, "REASSIGNING\t%d\n", d.GetReassigningPartitionCount())
	tw.Flush()

	fmt.Fprintln(w, "\nBROKERS")
	tw = tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATE\tEPOCH\tADDRESS\tRACK")
	for _, b := range d.GetRegisteredBrokers() {
		id := fmt.Sprint(b.GetId())
		if b.GetId() == d.GetControllerId() {
			id += "*"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", id, brokerState(b.GetState()), b.GetEpoch(), dash(b.GetAddress()), dash(b.GetRack()))
	}
	tw.Flush()

	for _, sec := range []struct {
		title string
		ps    []*fjordv1.PartitionStatus
	}{
		{"UNDER-REPLICATED PARTITIONS", d.GetUnderReplicatedPartitions()},
		{"UNDER-MIN-ISR PARTITIONS", d.GetUnderMinIsrPartitions()},
		{"OFFLINE PARTITIONS", d.GetOfflinePartitions()},
	} {
		fmt.Fprintf(w, "\n%s: %d\n", sec.title, len(sec.ps))
		if len(sec.ps) == 0 {
			continue
		}
		tw = tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
		fmt.Fprintln(tw, "TOPIC\tPARTITION\tLEADER\tREPLICAS\tISR\tOFFLINE\tMIN-ISR")
		for _, p := range sec.ps {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%s\t%d\n", p.GetTopic(), p.GetPartition(), p.GetLeaderId(),
				ids(p.GetReplicas()), ids(p.GetIsr()), idsOrDash(p.GetOfflineReplicas()), p.GetMinInsyncReplicas())
		}
		tw.Flush()
	}
}

// JSON forms of cluster status: stable field names, lists never null.
type (
	jsonClusterStatus struct {
		ClusterID                 string                `json:"cluster_id"`
		ControllerID              int32                 `json:"controller_id"`
		Topics                    int32                 `json:"topics"`
		Partitions                int32                 `json:"partitions"`
		ReassigningPartitions     int32                 `json:"reassigning_partitions"`
		Brokers                   []jsonBrokerStatus    `json:"brokers"`
		UnderReplicatedPartitions []jsonPartitionStatus `json:"under_replicated_partitions"`
		UnderMinISRPartitions     []jsonPartitionStatus `json:"under_min_isr_partitions"`
		OfflinePartitions         []jsonPartitionStatus `json:"offline_partitions"`
	}
	jsonBrokerStatus struct {
		ID      int32  `json:"id"`
		State   string `json:"state"`
		Epoch   int64  `json:"epoch"`
		Address string `json:"address"`
		Rack    string `json:"rack,omitempty"`
	}
	jsonPartitionStatus struct {
		Topic           string  `json:"topic"`
		Partition       int32   `json:"partition"`
		Leader          int32   `json:"leader"`
		Replicas        []int32 `json:"replicas"`
		ISR             []int32 `json:"isr"`
		OfflineReplicas []int32 `json:"offline_replicas"`
		MinISR          int32   `json:"min_isr"`
	}
)

func clusterStatusJSON(d *fjordv1.DescribeClusterResponse) jsonClusterStatus {
	out := jsonClusterStatus{ClusterID: d.GetClusterId(), ControllerID: d.GetControllerId(), Topics: d.GetTopicCount(),
		Partitions: d.GetPartitionCount(), ReassigningPartitions: d.GetReassigningPartitionCount(), Brokers: []jsonBrokerStatus{}}
	for _, b := range d.GetRegisteredBrokers() {
		out.Brokers = append(out.Brokers, jsonBrokerStatus{ID: b.GetId(), State: brokerState(b.GetState()), Epoch: b.GetEpoch(),
			Address: b.GetAddress(), Rack: b.GetRack()})
	}
	conv := func(ps []*fjordv1.PartitionStatus) []jsonPartitionStatus {
		out := make([]jsonPartitionStatus, 0, len(ps))
		for _, p := range ps {
			out = append(out, jsonPartitionStatus{Topic: p.GetTopic(), Partition: p.GetPartition(), Leader: p.GetLeaderId(),
				Replicas: nonNil(p.GetReplicas()), ISR: nonNil(p.GetIsr()), OfflineReplicas: nonNil(p.GetOfflineReplicas()), MinISR: p.GetMinInsyncReplicas()})
		}
		return out
	}
	out.UnderReplicatedPartitions = conv(d.GetUnderReplicatedPartitions())
	out.UnderMinISRPartitions = conv(d.GetUnderMinIsrPartitions())
	out.OfflinePartitions = conv(d.GetOfflinePartitions())
	return out
}

// nonNil makes an empty id list marshal as [] rather than null.
func nonNil(v []int32) []int32 {
	if v == nil {
		return []int32{}
	}
	return v
}

// writeJSON prints v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// partitionName formats topic-partition the way Kafka tools do.
func partitionName(topic string, partition int32) string {
	return fmt.Sprintf("%s-%d", topic, partition)
}
