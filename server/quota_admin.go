package server

import (
	"context"
	"slices"
	"sort"
	"strings"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	"github.com/fjordlog/fjord/server/cluster"
)

// quotaEntityOf converts and normalizes an API entity: a bare user name is
// the principal User:<name>.
func quotaEntityOf(e *fjordv1.QuotaEntity) cluster.QuotaEntity {
	out := cluster.QuotaEntity{User: strings.TrimSpace(e.GetUser()), ClientID: e.GetClientId()}
	if out.User != "" && out.User != cluster.QuotaDefault && !strings.Contains(out.User, ":") {
		out.User = "User:" + out.User
	}
	return out
}

// AlterClientQuotas validates the alterations and proposes them to the
// controller, all or nothing.
func (s *adminService) AlterClientQuotas(ctx context.Context, req *fjordv1.AlterClientQuotasRequest) (*fjordv1.AlterClientQuotasResponse, error) {
	if resp, ok, err := forwardChange(s, ctx, func(c fjordv1.AdminServiceClient) (*fjordv1.AlterClientQuotasResponse, error) {
		return c.AlterClientQuotas(ctx, req)
	}, func(img *cluster.Image, resp *fjordv1.AlterClientQuotasResponse) bool {
		return resp.GetError() != nil || req.GetValidateOnly() || quotasApplied(img, req)
	}); ok {
		return resp, err
	}
	alts := make([]cluster.QuotaAlteration, 0, len(req.GetAlterations()))
	for _, a := range req.GetAlterations() {
		alt := cluster.QuotaAlteration{Entity: quotaEntityOf(a.GetEntity()), Delete: a.GetRemove()}
		if err := cluster.ValidateQuotaEntity(alt.Entity); err != nil {
			return &fjordv1.AlterClientQuotasResponse{Error: toProto(errorf(ReasonInvalidRequest, "%v", err))}, nil
		}
		for _, v := range a.GetSet() {
			if err := cluster.ValidateQuotaValue(v.GetKey(), v.GetValue()); err != nil {
				return &fjordv1.AlterClientQuotasResponse{Error: toProto(errorf(ReasonInvalidConfig, "%v", err).with("quota_entity", alt.Entity.String()))}, nil
			}
			if alt.Set == nil {
				alt.Set = map[string]float64{}
			}
			alt.Set[v.GetKey()] = v.GetValue()
		}
		if len(alt.Set) == 0 && len(alt.Delete) == 0 {
			return &fjordv1.AlterClientQuotasResponse{Error: toProto(errorf(ReasonInvalidRequest, "no quota changes for %s", alt.Entity))}, nil
		}
		alts = append(alts, alt)
	}
	if len(alts) == 0 {
		return &fjordv1.AlterClientQuotasResponse{Error: toProto(errorf(ReasonInvalidRequest, "no quota alterations"))}, nil
	}
	if req.GetValidateOnly() {
		return &fjordv1.AlterClientQuotasResponse{}, nil
	}
	if err := s.b.ctl.ctrl.AlterClientQuotas(ctx, alts); err != nil {
		return &fjordv1.AlterClientQuotasResponse{Error: toProto(err)}, nil
	}
	return &fjordv1.AlterClientQuotasResponse{}, nil
}

// DescribeClientQuotas lists the quotas of this broker's metadata image.
func (s *adminService) DescribeClientQuotas(ctx context.Context, req *fjordv1.DescribeClientQuotasRequest) (*fjordv1.DescribeClientQuotasResponse, error) {
	filter := quotaEntityOf(&fjordv1.QuotaEntity{User: req.GetUser(), ClientId: req.GetClientId()})
	resp := &fjordv1.DescribeClientQuotasResponse{}
	for _, q := range s.b.ctl.image().ClientQuotas() {
		if (filter.User != "" && q.Entity.User != filter.User) || (filter.ClientID != "" && q.Entity.ClientID != filter.ClientID) {
			continue
		}
		cq := &fjordv1.ClientQuota{Entity: &fjordv1.QuotaEntity{User: q.Entity.User, ClientId: q.Entity.ClientID}}
		keys := make([]string, 0, len(q.Values))
		for k := range q.Values {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			cq.Values = append(cq.Values, &fjordv1.QuotaValue{Key: k, Value: q.Values[k]})
		}
		resp.Quotas = append(resp.Quotas, cq)
	}
	return resp, nil
}

// quotasApplied reports whether img shows every alteration of req, so a
// client's next call to a broker that forwarded the change sees it.
func quotasApplied(img *cluster.Image, req *fjordv1.AlterClientQuotasRequest) bool {
	current := map[cluster.QuotaEntity]map[string]float64{}
	for _, q := range img.ClientQuotas() {
		current[q.Entity] = q.Values
	}
	for _, a := range req.GetAlterations() {
		vals := current[quotaEntityOf(a.GetEntity())]
		// Removes apply after sets.
		for _, v := range a.GetSet() {
			if got, ok := vals[v.GetKey()]; (!ok || got != v.GetValue()) && !slices.Contains(a.GetRemove(), v.GetKey()) {
				return false
			}
		}
		for _, k := range a.GetRemove() {
			if _, ok := vals[k]; ok {
				return false
			}
		}
	}
	return true
}
