package assign

import "math"

// optimum returns, by min-cost flow, the smallest sum of squared member loads
// any valid assignment of in has and, among the assignments reaching it, the
// fewest moves from in.Current. It is the reference the sticky assignors are
// measured against: slow, obviously correct, independent of sticky.go.
//
// The network: source -> partition (capacity 1) -> each member subscribed to
// its topic (cost 1 if the partition has another previous owner) -> sink through unit
// edges costing big*(2k+1) for the member's k-th partition, so that a flow's
// cost is big*(sum of squared loads) + moves. The member edges' costs rise,
// so a min-cost flow fills them in order; successive shortest paths
// (Bellman-Ford, the residual graph has negative edges) give a min-cost
// maximum flow, which assigns every partition.
func optimum(in Input) (sumSquares, moves int) {
	subs := subscribedTo(in)
	prev := previousOwners(in)
	var tps []TopicPartition
	for _, topic := range sortedKeys(in.Topics) {
		for _, m := range in.Members {
			if subs[m.ID][topic] {
				for p := range in.Topics[topic].Partitions {
					tps = append(tps, TopicPartition{topic, p})
				}
				break
			}
		}
	}
	P, M := len(tps), len(in.Members)
	big := P + 1
	source, sink := 0, 1
	partNode := func(i int) int { return 2 + i }
	memberNode := func(j int) int { return 2 + P + j }
	n := 2 + P + M

	type arc struct{ to, rev, cap, cost int }
	g := make([][]arc, n)
	add := func(u, v, cost int) {
		g[u] = append(g[u], arc{v, len(g[v]), 1, cost})
		g[v] = append(g[v], arc{u, len(g[u]) - 1, 0, -cost})
	}
	for i, tp := range tps {
		add(source, partNode(i), 0)
		for j, m := range in.Members {
			if subs[m.ID][tp.Topic] {
				cost := 0
				if owner, ok := prev[tp]; ok && owner != m.ID {
					cost = 1
				}
				add(partNode(i), memberNode(j), cost)
			}
		}
	}
	for j, m := range in.Members {
		eligible := 0
		for _, tp := range tps {
			if subs[m.ID][tp.Topic] {
				eligible++
			}
		}
		for k := range eligible {
			add(memberNode(j), sink, big*(2*k+1))
		}
	}

	total := 0
	dist := make([]int, n)
	via := make([][2]int, n)
	for range P {
		for i := range dist {
			dist[i] = math.MaxInt
		}
		dist[source] = 0
		for changed := true; changed; {
			changed = false
			for u := range n {
				if dist[u] == math.MaxInt {
					continue
				}
				for k, a := range g[u] {
					if a.cap > 0 && dist[u]+a.cost < dist[a.to] {
						dist[a.to] = dist[u] + a.cost
						via[a.to] = [2]int{u, k}
						changed = true
					}
				}
			}
		}
		for v := sink; v != source; {
			u, k := via[v][0], via[v][1]
			g[u][k].cap--
			g[v][g[u][k].rev].cap++
			v = u
		}
		total += dist[sink]
	}
	return total / big, total % big
}

// exhaustive returns what optimum does by trying every assignment; for
// groups of a few partitions only.
func exhaustive(in Input) (sumSquares, moves int) {
	subs := subscribedTo(in)
	prev := previousOwners(in)
	var tps []TopicPartition
	var eligible [][]string
	for _, topic := range sortedKeys(in.Topics) {
		var e []string
		for _, m := range in.Members {
			if subs[m.ID][topic] {
				e = append(e, m.ID)
			}
		}
		for p := range in.Topics[topic].Partitions {
			if len(e) > 0 {
				tps = append(tps, TopicPartition{topic, p})
				eligible = append(eligible, e)
			}
		}
	}
	sumSquares, moves = math.MaxInt, math.MaxInt
	load := make(map[string]int)
	var try func(i, mv int)
	try = func(i, mv int) {
		if i == len(tps) {
			ss := 0
			for _, l := range load {
				ss += l * l
			}
			if ss < sumSquares || (ss == sumSquares && mv < moves) {
				sumSquares, moves = ss, mv
			}
			return
		}
		for _, m := range eligible[i] {
			load[m]++
			d := 0
			if p, ok := prev[tps[i]]; ok && p != m {
				d = 1
			}
			try(i+1, mv+d)
			load[m]--
		}
	}
	try(0, 0)
	return sumSquares, moves
}
