package main

import (
	"fmt"
	"io"
	"sort"
	"text/tabwriter"

	"github.com/spf13/cobra"

	fjord "github.com/fjordlog/fjord/clients/go"
	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
)

func newClusterCmd(env *cliEnv) *cobra.Command {
	cf := &clientFlags{}
	cmd := groupCmd(&cobra.Command{
		Use:   "cluster",
		Short: "Inspect the cluster",
	})
	addClientFlags(cmd, cf)
	cmd.AddCommand(&cobra.Command{
		Use:   "info",
		Short: "Show the cluster id, the controller and the brokers",
		Args:  exactArgs(0, "none"),
		RunE: func(c *cobra.Command, _ []string) error {
			return adminCmd(c, env, cf, func(a *fjord.Admin) error {
				ctx, cancel := cf.requestCtx(c.Context())
				defer cancel()
				d, err := a.DescribeCluster(ctx)
				if err != nil {
					return fmt.Errorf("cannot describe cluster: %w", err)
				}
				writeClusterInfo(c.OutOrStdout(), d)
				return nil
			})
		},
	})
	cmd.AddCommand(newClusterStatusCmd(env, cf))
	cmd.AddCommand(newClusterLogLevelCmd(env))
	return cmd
}

func writeClusterInfo(w io.Writer, d *fjordv1.DescribeClusterResponse) {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintf(tw, "CLUSTER ID\t%s\n", d.GetClusterId())
	fmt.Fprintf(tw, "CONTROLLER\t%d\n", d.GetControllerId())
	tw.Flush()
	fmt.Fprintln(w, "\nBROKERS")
	tw = tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tADDRESS\tRACK")
	brokers := append([]*fjordv1.Broker(nil), d.GetBrokers()...)
	sort.Slice(brokers, func(i, j int) bool { return brokers[i].GetId() < brokers[j].GetId() })
	for _, b := range brokers {
		id := fmt.Sprint(b.GetId())
		if b.GetId() == d.GetControllerId() {
			id += "*"
		}
		rack := b.GetRack()
		if rack == "" {
			rack = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", id, b.GetAddress(), rack)
	}
	tw.Flush()
}
