package cluster

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
)

// Client quotas follow Kafka's model (KIP-55, KIP-546): a quota entity is a
// user principal, a client id, or both, where either part may be the
// default ("<default>"); each entity holds byte rates per broker. The
// records only store them; brokers resolve and enforce them.

// QuotaDefault is the entity name matching every user or client id that no
// more specific entity names.
const QuotaDefault = "<default>"

// Quota keys (bytes per second per broker, as in Kafka).
const (
	QuotaProducerByteRate = "producer_byte_rate"
	QuotaConsumerByteRate = "consumer_byte_rate"
)

// TypeAlterClientQuotas is the record type of AlterClientQuotas.
const TypeAlterClientQuotas RecordType = "alter_client_quotas"

// QuotaEntity names who a quota applies to. User is a principal
// ("User:alice") or QuotaDefault, and empty when the entity has no user
// part; ClientID likewise. At least one part is set.
type QuotaEntity struct {
	User     string `json:"user,omitempty"`
	ClientID string `json:"client_id,omitempty"`
}

// String is "user=U,client-id=C" with the parts the entity has.
func (e QuotaEntity) String() string {
	var parts []string
	if e.User != "" {
		parts = append(parts, "user="+e.User)
	}
	if e.ClientID != "" {
		parts = append(parts, "client-id="+e.ClientID)
	}
	return strings.Join(parts, ",")
}

// ClientQuota is one entity and its quota values.
type ClientQuota struct {
	Entity QuotaEntity        `json:"entity"`
	Values map[string]float64 `json:"values"`
}

// QuotaAlteration sets and deletes quota keys of one entity; Delete
// applies after Set. An entity left without values is removed.
type QuotaAlteration struct {
	Entity QuotaEntity        `json:"entity"`
	Set    map[string]float64 `json:"set,omitempty"`
	Delete []string           `json:"delete,omitempty"`
}

// AlterClientQuotas changes the quotas of one or more entities, all or
// nothing.
type AlterClientQuotas struct {
	Alterations []QuotaAlteration `json:"alterations"`
}

// AlterClientQuotasRecord wraps a quota change into a Record.
func AlterClientQuotasRecord(a *AlterClientQuotas) Record {
	return Record{Version: RecordVersion, Type: TypeAlterClientQuotas, AlterClientQuotas: a}
}

// ValidateQuotaEntity checks an entity's shape.
func ValidateQuotaEntity(e QuotaEntity) error {
	if e.User == "" && e.ClientID == "" {
		return fmt.Errorf("%w: quota entity names neither a user nor a client id", ErrInvalidRecord)
	}
	if e.User != "" && e.User != QuotaDefault && !strings.Contains(e.User, ":") {
		return fmt.Errorf("%w: quota user %q is not a principal of the form Type:Name", ErrInvalidRecord, e.User)
	}
	return nil
}

// ValidateQuotaValue checks one key and value.
func ValidateQuotaValue(key string, v float64) error {
	switch key {
	case QuotaProducerByteRate, QuotaConsumerByteRate:
	default:
		return fmt.Errorf("%w: unknown quota key %q (want %s or %s)", ErrInvalidRecord, key, QuotaProducerByteRate, QuotaConsumerByteRate)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) || v <= 0 {
		return fmt.Errorf("%w: quota %s must be a positive number of bytes per second, got %v", ErrInvalidRecord, key, v)
	}
	return nil
}

// alterClientQuotas applies a. It replaces img.quotas (shared with the
// parent image) by a changed copy.
func (img *Image) alterClientQuotas(a *AlterClientQuotas) (Result, bool, error) {
	if len(a.Alterations) == 0 {
		return Result{}, false, fmt.Errorf("%w: no quota alterations", ErrInvalidRecord)
	}
	next := make(map[QuotaEntity]map[string]float64, len(img.quotas)+len(a.Alterations))
	for e, v := range img.quotas {
		next[e] = v
	}
	changed := false
	for _, alt := range a.Alterations {
		if err := ValidateQuotaEntity(alt.Entity); err != nil {
			return Result{}, false, err
		}
		vals := make(map[string]float64, len(next[alt.Entity])+len(alt.Set))
		for k, v := range next[alt.Entity] {
			vals[k] = v
		}
		for k, v := range alt.Set {
			if err := ValidateQuotaValue(k, v); err != nil {
				return Result{}, false, err
			}
			if old, ok := vals[k]; !ok || old != v {
				changed = true
			}
			vals[k] = v
		}
		for _, k := range alt.Delete {
			if _, ok := vals[k]; ok {
				changed = true
				delete(vals, k)
			}
		}
		if len(vals) == 0 {
			delete(next, alt.Entity)
		} else {
			next[alt.Entity] = vals
		}
	}
	if changed {
		img.quotas = next
	}
	return Result{}, changed, nil
}

// ClientQuotas returns every entity with quotas, users first, in name
// order; the value maps must not be modified.
func (img *Image) ClientQuotas() []ClientQuota {
	out := make([]ClientQuota, 0, len(img.quotas))
	for e, v := range img.quotas {
		out = append(out, ClientQuota{Entity: e, Values: v})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].Entity, out[j].Entity
		if (a.User == "") != (b.User == "") {
			return a.User != ""
		}
		if a.User != b.User {
			return a.User < b.User
		}
		return a.ClientID < b.ClientID
	})
	return out
}

// ResolvedQuota is the quota that applies to a connection for one key: the
// value and the entity that holds it.
type ResolvedQuota struct {
	Entity QuotaEntity
	Value  float64
}

// ResolveQuota finds the quota key applies to a caller with principal user
// ("Type:Name") and client id, in Kafka's order of precedence:
//
//	user + client id, user + default client, user,
//	default user + client id, default user + default client, default user,
//	client id, default client.
//
// Each key resolves on its own. ok is false when no entity sets key.
func (img *Image) ResolveQuota(user, clientID, key string) (ResolvedQuota, bool) {
	if len(img.quotas) == 0 {
		return ResolvedQuota{}, false
	}
	for _, e := range [...]QuotaEntity{
		{User: user, ClientID: clientID},
		{User: user, ClientID: QuotaDefault},
		{User: user},
		{User: QuotaDefault, ClientID: clientID},
		{User: QuotaDefault, ClientID: QuotaDefault},
		{User: QuotaDefault},
		{ClientID: clientID},
		{ClientID: QuotaDefault},
	} {
		if e.User == "" && e.ClientID == "" {
			continue
		}
		if v, ok := img.quotas[e][key]; ok {
			return ResolvedQuota{Entity: e, Value: v}, true
		}
	}
	return ResolvedQuota{}, false
}

// quotasFromSnapshot rebuilds the quota map of a snapshot.
func quotasFromSnapshot(qs []ClientQuota) (map[QuotaEntity]map[string]float64, error) {
	out := make(map[QuotaEntity]map[string]float64, len(qs))
	for _, q := range qs {
		if err := ValidateQuotaEntity(q.Entity); err != nil {
			return nil, fmt.Errorf("cluster: decode snapshot: %w", err)
		}
		if len(q.Values) > 0 {
			out[q.Entity] = q.Values
		}
	}
	return out, nil
}

// AlterClientQuotas proposes a quota change and returns once it is applied.
func (c *Controller) AlterClientQuotas(ctx context.Context, alts []QuotaAlteration) error {
	_, err := c.Propose(ctx, AlterClientQuotasRecord(&AlterClientQuotas{Alterations: alts}))
	return err
}
