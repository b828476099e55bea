package assign

import (
	"cmp"
	"encoding/binary"
	"math"
	"slices"
)

// stickyAssignor balances partitions optimally and, within that, keeps as
// many partitions with their current owners as it can. The "sticky" and
// "uniform" assignors differ only in rackAware. See doc.go for the
// guarantees; this file explains the algorithm.
//
// Members with the same (effective) subscription form a class. Members of a
// class are interchangeable as far as eligibility goes, so the work splits:
//
//  1. insert, improve: decide how many partitions of each topic each class
//     gets. Start from what the class's members keep from the current
//     assignment, place the free partitions greedily, then move single
//     partitions along paths of classes (class A gives a partition of topic t
//     to class B, which subscribes to t, and so on) while a path ends at a
//     class whose members could take one more at lower load than the members
//     at its start. When no such path exists, the per-class totals are
//     optimal (see below). Stickiness steers the choices balance leaves open:
//     paths that hand on partitions gained earlier cost nothing, topics are
//     taken from the members keeping most.
//  2. realize: inside each class, spread the class's partitions evenly, each
//     member keeping as much of its current assignment as its share allows
//     (the problem for identical subscriptions, solved exactly).
//  3. shortcut: undo detours, where a member gave a partition away and
//     received one the receiver could have taken directly.
//
// Why the class-level stop condition is optimal: loads within a class end up
// differing by at most one, so a class holding X partitions with m members
// has cost g(X) = sum of its members' squared loads, a convex function whose
// marginal cost of one more partition is 2*floor(X/m)+1 and of one fewer is
// 2*ceil(X/m)-1. Choosing per-topic class counts to minimise the sum of g is a
// convex-cost transportation problem, optimal exactly when no unit can move
// along a residual path from a class with a higher removal cost to one with a
// lower addition cost, that is ceil(X_a/m_a) >= floor(X_b/m_b)+2. A member
// assignment is an optimal semi-matching (Harvey, Ladner, Lovász, Tamir,
// "Semi-matchings for bipartite graphs and load balancing", 2006), minimising
// the maximum load and every L_p norm of the loads at once, exactly when no
// such path exists between members, and a member path maps onto a class path.
type stickyAssignor struct {
	name      string
	rackAware bool
}

func (a stickyAssignor) Name() string { return a.name }

func (a stickyAssignor) Assign(in Input) (Assignment, error) {
	p, err := newProblem(&in)
	if err != nil {
		return nil, err
	}
	b := newBalancer(p, a.rackAware)
	b.insert()
	b.improve()
	b.realize()
	b.shortcut()
	return p.output(b.owner), nil
}

// class is the set of members with one subscription.
type class struct {
	topics  []int32 // subscribed topic numbers, ascending
	members []int32 // in assignment order
	kept    []int32 // per topics[k]: partitions the members own now and may keep
	want    []int32 // per topics[k]: partitions the class will own
	total   int     // sum of want
	holding []int   // partitions each member may keep, descending

	// holders, per topics[k], lists the members keeping partitions of the
	// topic and how many they still keep in improve's rough simulation of
	// realize, so that improve can choose topics realize can give up cheaply.
	holders [][]holder
}

type holder struct{ member, n int32 }

// floor is the smallest member load the class's partitions give.
func (c *class) floor() int { return c.total / len(c.members) }

// ceil is the largest member load the class's partitions give.
func (c *class) ceil() int { return (c.total + len(c.members) - 1) / len(c.members) }

// relieves reports whether one more partition lets a member keep one more of
// its own: the member that would get the larger share holds more than the
// smaller one (see spread).
func (c *class) relieves() bool {
	q, r := c.total/len(c.members), c.total%len(c.members)
	return c.holding[r] > q
}

// index returns k such that c.topics[k] == t; t must be subscribed.
func (c *class) index(t int32) int {
	k, _ := slices.BinarySearch(c.topics, t)
	return k
}

type balancer struct {
	p            *problem
	rackAware    bool
	owner        []int32 // global partition -> member, -1 for none
	prev         []int32 // owner as it was in the current assignment
	topicOf      []int32 // global partition -> topic
	classOf      []int32 // member -> class
	classes      []class
	topicClasses [][]int32 // topic -> subscribing classes, ascending
	left         []int32   // member -> partitions it keeps in improve's simulation
}

func newBalancer(p *problem, rackAware bool) *balancer {
	owner := p.current()
	b := &balancer{
		p:            p,
		rackAware:    rackAware,
		owner:        owner,
		prev:         slices.Clone(owner),
		topicOf:      p.topicOf(),
		classOf:      make([]int32, len(p.members)),
		topicClasses: make([][]int32, len(p.topics)),
	}
	byKey := make(map[string]int32)
	var key []byte
	for m, subs := range p.subs {
		if m > 0 && len(subs) > 0 && len(subs) == len(p.subs[m-1]) && &subs[0] == &p.subs[m-1][0] {
			// Same list as the previous member (see newProblem).
			c := b.classOf[m-1]
			b.classOf[m] = c
			b.classes[c].members = append(b.classes[c].members, int32(m))
			continue
		}
		key = key[:0]
		for _, t := range subs {
			key = binary.LittleEndian.AppendUint32(key, uint32(t))
		}
		c, ok := byKey[string(key)]
		if !ok {
			c = int32(len(b.classes))
			byKey[string(key)] = c
			b.classes = append(b.classes, class{
				topics: subs,
				kept:   make([]int32, len(subs)),
				want:   make([]int32, len(subs)),
			})
			for _, t := range subs {
				b.topicClasses[t] = append(b.topicClasses[t], c)
			}
		}
		b.classOf[m] = c
		b.classes[c].members = append(b.classes[c].members, int32(m))
	}
	holding := make([]int, len(p.members))
	for g, m := range b.owner {
		if m >= 0 {
			c := &b.classes[b.classOf[m]]
			c.kept[c.index(b.topicOf[g])]++
			holding[m]++
		}
	}
	for i := range b.classes {
		c := &b.classes[i]
		for _, m := range c.members {
			c.holding = append(c.holding, holding[m])
		}
		slices.SortFunc(c.holding, func(x, y int) int { return cmp.Compare(y, x) })
		copy(c.want, c.kept)
		for _, n := range c.want {
			c.total += int(n)
		}
	}
	return b
}

// lighter reports whether class c should receive a partition before class d:
// lower floor first (the marginal cost of a partition, so this is what
// balance asks); among equals, one where a member then keeps one more of its
// own partitions, then lower average load, then class order.
func (b *balancer) lighter(c, d int32) bool {
	cc, dc := &b.classes[c], &b.classes[d]
	if cf, df := cc.floor(), dc.floor(); cf != df {
		return cf < df
	}
	if cr, dr := cc.relieves(), dc.relieves(); cr != dr {
		return cr
	}
	if l, r := cc.total*len(dc.members), dc.total*len(cc.members); l != r {
		return l < r
	}
	return c < d
}

// insert places the partitions nobody keeps, at class level: topics with the
// fewest subscribing classes first, each partition to the lightest subscribing
// class.
func (b *balancer) insert() {
	free := make([]int32, len(b.p.topics))
	for g, m := range b.owner {
		if m < 0 {
			free[b.topicOf[g]]++
		}
	}
	order := make([]int32, 0, len(b.p.topics))
	for t := range b.p.topics {
		if free[t] > 0 {
			order = append(order, int32(t))
		}
	}
	slices.SortStableFunc(order, func(s, t int32) int {
		return cmp.Compare(len(b.topicClasses[s]), len(b.topicClasses[t]))
	})
	for _, t := range order {
		candidates := b.topicClasses[t]
		for range free[t] {
			best := candidates[0]
			for _, c := range candidates[1:] {
				if b.lighter(c, best) {
					best = c
				}
			}
			c := &b.classes[best]
			c.want[c.index(t)]++
			c.total++
		}
	}
}

// edge is one hop of a class path: from gives one partition of topic to.
type edge struct{ from, to, topic int32 }

// improve moves partitions along class paths until no path improves the
// balance (see stickyAssignor).
//
// Each round searches the graph once: classes and topics are nodes, a class
// points to the topics it holds partitions of, a topic to the classes
// subscribing to it. Sources are taken in groups of equal ceil, highest first,
// each group one search that skips what earlier groups reached, so every
// class is labelled with the highest ceil of a class that reaches it. Each
// search is a 0-1 BFS over the moves a path costs: handing on a partition a
// class gained earlier in this process is free, handing on one its members
// own costs one.
//
// The round then visits the classes whose label exceeds their floor by two or
// more, largest gap first, then cheapest path, and shifts one partition along
// each one's path if the path is still valid and improving. One partition per
// target per round keeps the result close to moving single partitions to the
// largest gap each time (which spreads the losses over the sources instead of
// draining one), at a search per round rather than per partition. Each
// shifted partition lowers the sum of squared loads by at least 2, and the
// first target of a round always shifts one, so the loop ends.
func (b *balancer) improve() {
	n := int32(len(b.classes))
	if n < 2 {
		return
	}
	b.initHolders()
	nodes := int(n) + len(b.p.topics) // classes, then topics
	label := make([]int, n)
	dist := make([]int, nodes)
	parent := make([]int32, nodes)
	settled := make([]bool, nodes)
	sources := make([]int64, 0, n)
	type candidate struct {
		gap, dist int
		class     int32
	}
	targets := make([]candidate, 0, n)
	// The 0-1 BFS deque: front holds nodes at the current distance (order
	// among them does not matter), back the FIFO of the rest.
	var front, back []int32
	var path []edge
	for {
		// Sources by descending ceil, then class: sorting plain integers
		// keeps this cheap when there are many classes and rounds.
		sources = sources[:0]
		for c := range n {
			if b.classes[c].total > 0 {
				sources = append(sources, int64(-b.classes[c].ceil())<<32|int64(c))
			}
		}
		slices.Sort(sources)
		clear(settled)
		for i := range dist {
			dist[i] = math.MaxInt
		}
		for len(sources) > 0 {
			level := int(-(sources[0] >> 32))
			front, back = front[:0], back[:0]
			for len(sources) > 0 && int(-(sources[0]>>32)) == level {
				if s := int32(sources[0]); !settled[s] {
					dist[s], parent[s] = 0, -1
					front = append(front, s)
				}
				sources = sources[1:]
			}
			for len(front)+len(back) > 0 {
				var x int32
				if len(front) > 0 {
					x, front = front[len(front)-1], front[:len(front)-1]
				} else {
					x, back = back[0], back[1:]
				}
				if settled[x] {
					continue
				}
				settled[x] = true
				if x >= n {
					for _, d := range b.topicClasses[x-n] {
						if !settled[d] && dist[x] < dist[d] {
							dist[d], parent[d] = dist[x], x
							front = append(front, d)
						}
					}
					continue
				}
				label[x] = level
				c := &b.classes[x]
				for k, t := range c.topics {
					if c.want[k] == 0 {
						continue
					}
					y, w := n+t, 1
					if c.want[k] > c.kept[k] {
						w = 0
					}
					if !settled[y] && dist[x]+w < dist[y] {
						dist[y], parent[y] = dist[x]+w, x
						if w == 0 {
							front = append(front, y)
						} else {
							back = append(back, y)
						}
					}
				}
			}
		}

		targets = targets[:0]
		for c := range n {
			if gap := label[c] - b.classes[c].floor(); settled[c] && gap >= 2 {
				targets = append(targets, candidate{gap: gap, dist: dist[c], class: c})
			}
		}
		if len(targets) == 0 {
			return
		}
		slices.SortFunc(targets, func(x, y candidate) int {
			return cmp.Or(cmp.Compare(y.gap, x.gap), cmp.Compare(x.dist, y.dist), cmp.Compare(x.class, y.class))
		})
		for _, tc := range targets {
			target := tc.class
			path = path[:0]
			root := target
			for parent[root] >= 0 {
				t := parent[root]
				path = append(path, edge{from: parent[t], to: root})
				root = parent[t]
			}
			if b.classes[root].ceil() < b.classes[target].floor()+2 {
				continue
			}
			valid := true
			for i, e := range path {
				if path[i].topic = b.pickTopic(e.from, e.to); path[i].topic < 0 {
					valid = false
					break
				}
			}
			if !valid {
				continue
			}
			for _, e := range path {
				from, to := &b.classes[e.from], &b.classes[e.to]
				k := from.index(e.topic)
				if from.want[k] <= from.kept[k] {
					b.release(e.from, k)
				}
				from.want[k]--
				to.want[to.index(e.topic)]++
			}
			b.classes[root].total--
			b.classes[target].total++
		}
	}
}

// initHolders fills class.holders and left.
func (b *balancer) initHolders() {
	n := len(b.p.members)
	b.left = make([]int32, n)
	// Partitions are numbered topic by topic, so each member's holder entry
	// for a topic is created once, then counted up.
	lastTopic, lastEntry := make([]int32, n), make([]int, n)
	for m := range lastTopic {
		lastTopic[m] = -1
	}
	for ci := range b.classes {
		c := &b.classes[ci]
		c.holders = make([][]holder, len(c.topics))
	}
	for g, m := range b.owner {
		if m < 0 {
			continue
		}
		b.left[m]++
		c, t := &b.classes[b.classOf[m]], b.topicOf[g]
		k := c.index(t)
		if lastTopic[m] != t {
			lastTopic[m], lastEntry[m] = t, len(c.holders[k])
			c.holders[k] = append(c.holders[k], holder{member: m})
		}
		c.holders[k][lastEntry[m]].n++
	}
}

// pickTopic chooses the topic class from hands a partition of to class to:
// one it gained earlier in this process if it can (that undoes a move rather
// than making one), else the one whose holder keeps most, as realize releases
// from the members keeping most. It returns -1 if there is none.
func (b *balancer) pickTopic(from, to int32) int32 {
	cf, ct := &b.classes[from], &b.classes[to]
	best, score := int32(-1), int32(-1)
	for i, j := 0, 0; i < len(cf.topics) && j < len(ct.topics); {
		switch t := cf.topics[i]; {
		case t < ct.topics[j]:
			i++
		case t > ct.topics[j]:
			j++
		default:
			k := i
			i, j = i+1, j+1
			if cf.want[k] == 0 {
				continue
			}
			s := int32(math.MaxInt32)
			if cf.want[k] <= cf.kept[k] {
				s = 0
				for _, h := range cf.holders[k] {
					if h.n > 0 {
						s = max(s, b.left[h.member])
					}
				}
			}
			if s > score {
				best, score = t, s
			}
		}
	}
	return best
}

// release records in the simulation that class ci gives up one partition of
// its topics[k] that its members keep: the holder keeping most loses one.
func (b *balancer) release(ci int32, k int) {
	hs := b.classes[ci].holders[k]
	best := -1
	for i, h := range hs {
		if h.n > 0 && (best < 0 || b.left[h.member] > b.left[hs[best].member]) {
			best = i
		}
	}
	if best >= 0 {
		hs[best].n--
		b.left[hs[best].member]--
	}
}

// realize turns the class-level counts into partitions: classes give up the
// partitions of topics they hold too many of, taking them from their most
// loaded members; classes short of a topic take free partitions of it; then
// each class spreads its partitions over its members.
func (b *balancer) realize() {
	p := b.p
	held := make([][]int32, len(p.members))
	for g, m := range b.owner {
		if m >= 0 {
			held[m] = append(held[m], int32(g))
		}
	}
	count := make([]int, len(p.members))
	for m := range held {
		count[m] = len(held[m])
	}

	pool := make([][]int32, len(p.topics))
	for g, m := range b.owner {
		if m < 0 {
			pool[b.topicOf[g]] = append(pool[b.topicOf[g]], int32(g))
		}
	}
	release := make([]int32, len(p.topics))
	var candidates []int32
	for ci := range b.classes {
		c := &b.classes[ci]
		releasing := false
		for k, t := range c.topics {
			release[t] = max(c.kept[k]-c.want[k], 0)
			releasing = releasing || release[t] > 0
		}
		if !releasing {
			continue
		}
		for _, t := range c.topics {
			if release[t] == 0 {
				continue
			}
			candidates = candidates[:0]
			for _, m := range c.members {
				for _, g := range held[m] {
					if b.topicOf[g] == t {
						candidates = append(candidates, g)
					}
				}
			}
			for range release[t] {
				best := -1
				for i, g := range candidates {
					if g >= 0 && (best < 0 || b.releaseFirst(g, candidates[best], count)) {
						best = i
					}
				}
				g := candidates[best]
				candidates[best] = -1
				count[b.owner[g]]--
				b.owner[g] = -1
				pool[t] = append(pool[t], g)
			}
			release[t] = 0
		}
	}
	for t := range pool {
		slices.Sort(pool[t])
	}

	var incoming []int32
	for ci := range b.classes {
		c := &b.classes[ci]
		incoming = incoming[:0]
		for k, t := range c.topics {
			if need := c.want[k] - c.kept[k]; need > 0 {
				incoming = append(incoming, pool[t][:need]...)
				pool[t] = pool[t][need:]
			}
		}
		b.spread(c.members, held, count, incoming)
	}
}

// releaseFirst reports whether partition g should be given up before h:
// first the one whose owner holds more, then (rack-aware) one whose owner is
// in no rack with a replica of it, then the higher partition.
func (b *balancer) releaseFirst(g, h int32, count []int) bool {
	if cg, ch := count[b.owner[g]], count[b.owner[h]]; cg != ch {
		return cg > ch
	}
	if b.rackAware {
		if lg, lh := b.local(b.owner[g], g), b.local(b.owner[h], h); lg != lh {
			return lh
		}
	}
	return g > h
}

// local reports whether member m is in a rack holding a replica of g.
func (b *balancer) local(m, g int32) bool {
	rack := b.p.members[m].Rack
	return rack != "" && slices.Contains(b.p.replicaRacks(b.topicOf[g], g), rack)
}

// spread assigns a class's partitions to its members: those they still hold
// (held, filtered by owner) plus incoming. Every member gets q or q+1 of the
// class's total; the q+1 shares go to the members holding most, so the
// members keep the largest possible number of their partitions. That is the
// minimum number of moves for members with identical subscriptions.
func (b *balancer) spread(members []int32, held [][]int32, count []int, incoming []int32) {
	total := len(incoming)
	for _, m := range members {
		total += count[m]
	}
	q, r := total/len(members), total%len(members)
	byCount := slices.Clone(members)
	slices.SortStableFunc(byCount, func(m, n int32) int { return cmp.Compare(count[n], count[m]) })
	want := make(map[int32]int, len(members))
	pool := slices.Clone(incoming)
	for i, m := range byCount {
		want[m] = q
		if i < r {
			want[m]++
		}
		if excess := count[m] - want[m]; excess > 0 {
			kept := held[m][:0]
			for _, g := range held[m] {
				if b.owner[g] == m {
					kept = append(kept, g)
				}
			}
			// Keep rack-local partitions, then the lowest numbered.
			slices.SortFunc(kept, func(g, h int32) int {
				if b.rackAware {
					if lg, lh := b.local(m, g), b.local(m, h); lg != lh {
						if lg {
							return -1
						}
						return 1
					}
				}
				return cmp.Compare(g, h)
			})
			for _, g := range kept[want[m]:] {
				b.owner[g] = -1
				pool = append(pool, g)
			}
			held[m] = kept[:want[m]]
			count[m] = want[m]
		}
	}
	slices.Sort(pool)

	if b.rackAware {
		byRack := make(map[string][]int32)
		for _, m := range members {
			if rack := b.p.members[m].Rack; rack != "" && count[m] < want[m] {
				byRack[rack] = append(byRack[rack], m)
			}
		}
		if len(byRack) > 0 {
			rest := pool[:0]
			for _, g := range pool {
				if !b.giveLocal(g, byRack, count, want) {
					rest = append(rest, g)
				}
			}
			pool = rest
		}
	}
	for _, m := range members {
		for count[m] < want[m] {
			b.owner[pool[0]] = m
			pool = pool[1:]
			count[m]++
		}
	}
}

// giveLocal gives g to the first member short of its share in a rack holding
// a replica of g, and reports whether there was one.
func (b *balancer) giveLocal(g int32, byRack map[string][]int32, count []int, want map[int32]int) bool {
	for _, rack := range b.p.replicaRacks(b.topicOf[g], g) {
		ms := byRack[rack]
		for len(ms) > 0 && count[ms[0]] >= want[ms[0]] {
			ms = ms[1:]
		}
		byRack[rack] = ms
		if len(ms) > 0 {
			b.owner[g] = ms[0]
			count[ms[0]]++
			return true
		}
	}
	return false
}

// shortcut removes detours the class-level plan can leave: a member x that
// lost partition g to member y while receiving partition h that y could own
// as well keeps g, and y takes h instead. Loads do not change and every swap
// saves at least one move, so balance is untouched and the loop ends.
func (b *balancer) shortcut() {
	n := len(b.p.members)
	lost := make([][]int32, n) // lost[x]: partitions x owned and no longer does
	moved := false
	for g, m := range b.owner {
		if prev := b.prev[g]; prev >= 0 && m != prev {
			lost[prev] = append(lost[prev], int32(g))
			moved = true
		}
	}
	if !moved {
		return
	}
	gained := make([][]int32, n) // gained[x]: partitions x owns and did not
	for g, m := range b.owner {
		if m != b.prev[g] {
			gained[m] = append(gained[m], int32(g))
		}
	}
	for moved {
		moved = false
		for x := range int32(n) {
			for _, g := range lost[x] {
				y := b.owner[g]
				if y == x {
					continue
				}
				for _, h := range gained[x] {
					if b.owner[h] != x || !b.p.subscribes(y, b.topicOf[h]) {
						continue
					}
					b.owner[g], b.owner[h] = x, y
					if b.prev[h] != y {
						gained[y] = append(gained[y], h)
					}
					moved = true
					break
				}
			}
		}
	}
}
