package fjord

import (
	"context"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
)

// QuotaDefault names the default user or client id in a QuotaEntity: it
// applies to every user (or client id) without a more specific quota.
const QuotaDefault = "<default>"

// Quota keys: bytes per second per broker, as in Kafka.
const (
	QuotaProducerByteRate = "producer_byte_rate"
	QuotaConsumerByteRate = "consumer_byte_rate"
)

// QuotaEntity names who a client quota applies to: a user principal
// ("User:alice"; a bare name means User:<name>), a client id (ClientID
// option), or both; either may be QuotaDefault. An empty part is not part
// of the entity. Brokers pick, per key, the most specific entity in
// Kafka's order: user+client, user+default client, user, default user+
// client, default user+default client, default user, client, default
// client.
type QuotaEntity struct {
	User     string
	ClientID string
}

// ClientQuota is an entity and its quotas by key.
type ClientQuota struct {
	Entity QuotaEntity
	Values map[string]float64
}

// AlterClientQuotas sets the keys of set and removes those of remove for
// entity (an entity left without keys is removed). Rates must be positive.
func (a *Admin) AlterClientQuotas(ctx context.Context, entity QuotaEntity, set map[string]float64, remove ...string) error {
	alt := &fjordv1.ClientQuotaAlteration{Entity: &fjordv1.QuotaEntity{User: entity.User, ClientId: entity.ClientID}, Remove: remove}
	for k, v := range set {
		alt.Set = append(alt.Set, &fjordv1.QuotaValue{Key: k, Value: v})
	}
	var perr *Error
	err := a.admin(ctx, func(ctx context.Context, ac fjordv1.AdminServiceClient) error {
		resp, err := ac.AlterClientQuotas(ctx, &fjordv1.AlterClientQuotasRequest{Alterations: []*fjordv1.ClientQuotaAlteration{alt}})
		if err != nil {
			return err
		}
		perr = errorFromProto(resp.GetError(), "", -1)
		return nil
	})
	if err != nil {
		return err
	}
	if perr != nil {
		return perr
	}
	return nil
}

// DescribeClientQuotas lists the quotas whose entity has the given user
// and client id parts (empty: any), users first.
func (a *Admin) DescribeClientQuotas(ctx context.Context, filter QuotaEntity) ([]ClientQuota, error) {
	var out []ClientQuota
	err := a.admin(ctx, func(ctx context.Context, ac fjordv1.AdminServiceClient) error {
		resp, err := ac.DescribeClientQuotas(ctx, &fjordv1.DescribeClientQuotasRequest{User: filter.User, ClientId: filter.ClientID})
		if err != nil {
			return err
		}
		out = out[:0]
		for _, q := range resp.GetQuotas() {
			cq := ClientQuota{Entity: QuotaEntity{User: q.GetEntity().GetUser(), ClientID: q.GetEntity().GetClientId()}, Values: map[string]float64{}}
			for _, v := range q.GetValues() {
				cq.Values[v.GetKey()] = v.GetValue()
			}
			out = append(out, cq)
		}
		return nil
	})
	return out, err
}
