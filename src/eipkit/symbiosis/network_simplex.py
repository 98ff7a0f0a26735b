"""The exchange problem as a transportation problem, solved by a primal network simplex (compiled with numba).

When the substitution ratio of a demand site factors as a_kr = g_k f_r (a factor per demand and one per resource;
true whenever the ratio depends on the resource alone, as in the knowledge base, or on the demand alone), the
change of variable z_sk = f_r x_sk turns the exchange problem into a transportation problem:

    maximise  sum z_sk w_sk / f_r   subject to  sum_k z_sk <= f_r Q_s ,  sum_s z_sk <= D_k / g_k ,  z >= 0

a network: supplies send to demands, and a root node takes what a supply does not send and gives what a demand
does not receive (the slack arcs, which are also the first spanning tree). The network simplex keeps a spanning
tree basis with its node potentials, so it gives the duals that exact pricing needs, and it restarts from its
tree when arcs are added: column generation costs a few pivots a round instead of a new solve.

The pivoting follows LEMON's NetworkSimplex (block search pricing, strongly feasible trees, the last blocking arc
leaves, the cycle's join found by subtree sizes, the moved subtree's potentials shifted by one amount), with
children lists instead of LEMON's thread for the tree: simpler, and the moved subtree is walked once per pivot in
both. Keeping depths instead of sizes, as this module first did, costs a write per moved node and a read of its
parent's depth and arc (the national solve took a sixth longer).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

OPTIMAL, PIVOT_LIMIT = 0, 1


@njit(cache=True)
def _add_child(parent: int, child: int, first: np.ndarray, nxt: np.ndarray, prv: np.ndarray) -> None:
    head = first[parent]
    nxt[child] = head
    prv[child] = -1
    if head != -1:
        prv[head] = child
    first[parent] = child


@njit(cache=True)
def _remove_child(parent: int, child: int, first: np.ndarray, nxt: np.ndarray, prv: np.ndarray) -> None:
    if prv[child] != -1:
        nxt[prv[child]] = nxt[child]
    else:
        first[parent] = nxt[child]
    if nxt[child] != -1:
        prv[nxt[child]] = prv[child]


@njit(cache=True, nogil=True)
def _pivots(
    tail: np.ndarray,
    head: np.ndarray,
    cost: np.ndarray,
    flow: np.ndarray,
    basic: np.ndarray,
    m: int,
    parent: np.ndarray,
    pred: np.ndarray,
    up: np.ndarray,
    size: np.ndarray,
    first: np.ndarray,
    nxt: np.ndarray,
    prv: np.ndarray,
    pi: np.ndarray,
    stack: np.ndarray,
    position: np.ndarray,
    tolerance: float,
    max_pivots: int,
) -> int:
    """Pivot until no arc among the first m has a negative reduced cost (OPTIMAL), or max_pivots.

    The block search runs over a copy of the non-basic arcs (index, ends, cost side by side), where the leaving arc
    takes the entering one's place: the basic arcs, about one per node, are not read at every pass."""
    count = 0
    for e in range(m):
        count += not basic[e]
    arc_at = np.empty(count, dtype=np.int64)
    tail_at = np.empty(count, dtype=np.int64)
    head_at = np.empty(count, dtype=np.int64)
    cost_at = np.empty(count)
    i = 0
    for e in range(m):
        if not basic[e]:
            arc_at[i], tail_at[i], head_at[i], cost_at[i] = e, tail[e], head[e], cost[e]
            i += 1
    block = max(int(math.sqrt(m)), 10)
    i = position[0] if position[0] < count else 0
    pivots = 0
    while pivots < max_pivots:
        # block search: the most negative reduced cost within a block, moving on block by block
        slot = -1
        best = -tolerance
        in_block = 0
        for _ in range(count):
            reduced = cost_at[i] + pi[tail_at[i]] - pi[head_at[i]]
            if reduced < best:
                best = reduced
                slot = i
            i += 1
            if i == count:
                i = 0
            in_block += 1
            if in_block == block:
                if slot >= 0:
                    break
                in_block = 0
        if slot < 0:
            return OPTIMAL
        position[0] = i
        pivots += 1
        entering = arc_at[slot]

        u, v = tail[entering], head[entering]
        a, b = u, v
        while a != b:  # an ancestor holds more nodes than any of its descendants
            if size[a] < size[b]:
                a = parent[a]
            else:
                b = parent[b]
        join = a

        # flow goes join -> ... -> u, along the entering arc, then v -> ... -> join; ties go to the last blocking
        # arc from the join in that order, which keeps the tree strongly feasible
        delta = np.inf
        out = -1
        side = 0
        w = u
        while w != join:
            if up[w] and flow[pred[w]] < delta:
                delta = flow[pred[w]]
                out = w
                side = 1
            w = parent[w]
        w = v
        while w != join:
            if not up[w] and flow[pred[w]] <= delta:
                delta = flow[pred[w]]
                out = w
                side = 2
            w = parent[w]
        if out < 0:
            raise ValueError("unbounded transportation problem")  # cannot happen: no directed cycle exists

        if delta > 0:
            flow[entering] += delta
            w = u
            while w != join:
                flow[pred[w]] += -delta if up[w] else delta
                w = parent[w]
            w = v
            while w != join:
                flow[pred[w]] += delta if up[w] else -delta
                w = parent[w]
        leaving = pred[out]
        flow[leaving] = 0.0
        basic[leaving] = False
        basic[entering] = True
        arc_at[slot], tail_at[slot], head_at[slot], cost_at[slot] = leaving, tail[leaving], head[leaving], cost[leaving]

        # the subtree under `out` hangs from the entering arc instead: its nodes leave the path from its old parent
        # to the join and join the path from the entering arc's other end; the stem from the entering arc's end
        # inside it up to `out` is reversed, each stem node then holding the subtree less the part below it
        inside, outside = (u, v) if side == 1 else (v, u)
        moved = size[out]
        w = parent[out]
        while w != join:
            size[w] -= moved
            w = parent[w]
        w = outside
        while w != join:
            size[w] += moved
            w = parent[w]
        shift = pi[outside] - cost[entering] - pi[inside] if inside == u else pi[outside] + cost[entering] - pi[inside]
        _remove_child(parent[out], out, first, nxt, prv)
        new_parent, new_pred, new_up = outside, entering, tail[entering] == inside
        below = 0
        w = inside
        while True:
            old_parent, old_pred, old_up, old_size = parent[w], pred[w], up[w], size[w]
            if w != out:
                _remove_child(old_parent, w, first, nxt, prv)
            parent[w], pred[w], up[w] = new_parent, new_pred, new_up
            size[w] = moved - below
            _add_child(new_parent, w, first, nxt, prv)
            if w == out:
                break
            below = old_size
            new_parent, new_pred, new_up = w, old_pred, not old_up
            w = old_parent

        # the moved subtree's potentials shift together, which keeps its tree arcs at zero reduced cost
        stack[0] = inside
        top = 1
        while top > 0:
            top -= 1
            w = stack[top]
            pi[w] += shift
            c = first[w]
            while c != -1:
                stack[top] = c
                top += 1
                c = nxt[c]
    return PIVOT_LIMIT


@njit(cache=True, nogil=True)
def _potentials(
    cost: np.ndarray,
    parent: np.ndarray,
    pred: np.ndarray,
    up: np.ndarray,
    first: np.ndarray,
    nxt: np.ndarray,
    pi: np.ndarray,
    stack: np.ndarray,
) -> None:
    """Every potential again from its parent's, down from the root: the shifts of a solve may have added rounding."""
    stack[0] = len(parent) - 1
    top = 1
    while top > 0:
        top -= 1
        w = stack[top]
        p = parent[w]
        if p >= 0:
            pi[w] = pi[p] - cost[pred[w]] if up[w] else pi[p] + cost[pred[w]]
        c = first[w]
        while c != -1:
            stack[top] = c
            top += 1
            c = nxt[c]


@njit(cache=True, nogil=True)
def dot(a: np.ndarray, b: np.ndarray) -> float:
    """a @ b without BLAS. After each call, OpenBLAS's threads spin for about 0.1 s before they sleep, so a product
    a round kept a core busy doing nothing: the national solve took a third longer (24 s against 31 s)."""
    total = 0.0
    for i in range(len(a)):
        total += a[i] * b[i]
    return total


@dataclass
class Transport:
    """A transportation problem and its basis, kept between solves so that added arcs restart from the tree.

    Nodes: supplies 0..ns-1, demands ns..ns+nk-1, the root last. Arcs: the slack of each supply (s -> root) and
    of each demand (root -> k) first, then the exchange arcs in the order they were added. Costs are minimised.
    """

    supply: np.ndarray
    capacity: np.ndarray
    tail: np.ndarray
    head: np.ndarray
    cost: np.ndarray
    flow: np.ndarray
    basic: np.ndarray
    arcs: int
    parent: np.ndarray
    pred: np.ndarray
    up: np.ndarray
    size: np.ndarray
    first: np.ndarray
    nxt: np.ndarray
    prv: np.ndarray
    pi: np.ndarray
    stack: np.ndarray
    position: np.ndarray

    @classmethod
    def start(cls, supply: np.ndarray, capacity: np.ndarray, reserve: int = 0) -> Transport:
        """The slack basis: every supply to the root, the root to every demand (feasible, strongly so when every
        supply and capacity is positive; a zero one is a node no exchange arc may touch)."""
        ns, nk = len(supply), len(capacity)
        n = ns + nk + 1
        root = n - 1
        slack = ns + nk
        size = slack + reserve
        tail = np.empty(size, dtype=np.int64)
        head = np.empty(size, dtype=np.int64)
        tail[:ns], head[:ns] = np.arange(ns), root
        tail[ns:slack], head[ns:slack] = root, np.arange(ns, ns + nk)
        flow = np.zeros(size)
        flow[:ns], flow[ns:slack] = supply, capacity
        basic = np.zeros(size, dtype=np.bool_)
        basic[:slack] = True
        parent = np.full(n, root, dtype=np.int64)
        parent[root] = -1
        pred = np.concatenate([np.arange(slack), [-1]]).astype(np.int64)
        up = np.zeros(n, dtype=np.bool_)
        up[:ns] = True
        subtree = np.ones(n, dtype=np.int64)
        subtree[root] = n
        first = np.full(n, -1, dtype=np.int64)
        nxt = np.full(n, -1, dtype=np.int64)
        prv = np.full(n, -1, dtype=np.int64)
        if slack:
            first[root] = 0
            nxt[: slack - 1] = np.arange(1, slack)
            prv[1:slack] = np.arange(slack - 1)
        return cls(
            supply=np.asarray(supply, dtype=float),
            capacity=np.asarray(capacity, dtype=float),
            tail=tail,
            head=head,
            cost=np.zeros(size),
            flow=flow,
            basic=basic,
            arcs=slack,
            parent=parent,
            pred=pred,
            up=up,
            size=subtree,
            first=first,
            nxt=nxt,
            prv=prv,
            pi=np.zeros(n),
            stack=np.empty(n, dtype=np.int64),
            position=np.zeros(1, dtype=np.int64),
        )

    @property
    def slack(self) -> int:
        return len(self.supply) + len(self.capacity)

    def add(self, s: np.ndarray, k: np.ndarray, cost: np.ndarray) -> None:
        """Exchange arcs supply s -> demand k at cost (per unit of z), non-basic at zero flow."""
        count = len(s)
        needed = self.arcs + count
        if needed > len(self.tail):
            size = max(needed, int(1.5 * len(self.tail)))
            for name in ("tail", "head", "cost", "flow", "basic"):
                old = getattr(self, name)
                grown = np.zeros(size, dtype=old.dtype)
                grown[: self.arcs] = old[: self.arcs]
                setattr(self, name, grown)
        span = slice(self.arcs, needed)
        self.tail[span] = s
        self.head[span] = len(self.supply) + np.asarray(k)
        self.cost[span] = cost
        self.flow[span] = 0.0
        self.basic[span] = False
        self.arcs = needed

    def compact(self) -> np.ndarray:
        """Forget the exchange arcs out of the basis (they carry nothing; pricing brings back any worth having);
        returns which of the exchange arcs were kept, in their order."""
        slack = self.slack
        keep = self.basic[slack : self.arcs].copy()
        renumber = np.full(self.arcs - slack, -1, dtype=np.int64)
        renumber[keep] = slack + np.arange(int(keep.sum()))
        exchange = self.pred >= slack
        self.pred[exchange] = renumber[self.pred[exchange] - slack]
        count = slack + int(keep.sum())
        for name in ("tail", "head", "cost", "flow", "basic"):
            array = getattr(self, name)
            array[slack:count] = array[slack : self.arcs][keep]
        self.arcs = count
        self.position[0] = 0
        return keep

    def solve(self, max_pivots: int = 2**62, tolerance: float | None = None) -> bool:
        """Pivot to optimality (True) or until max_pivots (False); the basis is kept either way."""
        if tolerance is None:
            scale = float(np.abs(self.cost[: self.arcs]).max(initial=0.0))
            tolerance = 1e-9 * max(scale, 1.0)
        status = _pivots(
            self.tail,
            self.head,
            self.cost,
            self.flow,
            self.basic,
            self.arcs,
            self.parent,
            self.pred,
            self.up,
            self.size,
            self.first,
            self.nxt,
            self.prv,
            self.pi,
            self.stack,
            self.position,
            tolerance,
            max_pivots,
        )
        if status == OPTIMAL:
            _potentials(self.cost, self.parent, self.pred, self.up, self.first, self.nxt, self.pi, self.stack)
        return status == OPTIMAL

    @property
    def exchange_flow(self) -> np.ndarray:
        """Flow on the exchange arcs, in the order they were added."""
        return self.flow[self.slack : self.arcs]

    @property
    def supply_price(self) -> np.ndarray:
        """The dual of each supply row (>= 0 at an optimum), per unit of z."""
        return self.pi[: len(self.supply)] - self.pi[-1]

    @property
    def demand_price(self) -> np.ndarray:
        """The dual of each demand row (>= 0 at an optimum), per unit of z."""
        ns = len(self.supply)
        return self.pi[-1] - self.pi[ns : ns + len(self.capacity)]

    @property
    def cost_value(self) -> float:
        return dot(self.cost[: self.arcs], self.flow[: self.arcs])


def factor_ratios(
    accepts: list[dict[str, float]], relative: float = 1e-12
) -> tuple[np.ndarray, dict[str, float]] | None:
    """Factors g_k (per demand) and f_r (per resource) with a_kr = g_k f_r for every accepted pair, or None when the
    ratios do not factor (then the problem is a generalised network and needs the general LP). The factors spread
    from one resource of each connected set at f = 1, all accepted pairs at a time: resources are few, demands
    many."""
    resources = sorted({resource for accepted in accepts for resource in accepted})
    index = {resource: i for i, resource in enumerate(resources)}
    k = np.repeat(np.arange(len(accepts)), [len(accepted) for accepted in accepts])
    r = np.array([index[resource] for accepted in accepts for resource in accepted], dtype=np.int64)
    ratio = np.array([value for accepted in accepts for value in accepted.values()], dtype=float)
    g, f = np.full(len(accepts), np.nan), np.full(len(resources), np.nan)
    while np.isnan(f).any():
        f[np.flatnonzero(np.isnan(f))[0]] = 1.0
        while True:
            reached = ~np.isnan(f[r]) & np.isnan(g[k])
            g[k[reached]] = ratio[reached] / f[r[reached]]
            reached = ~np.isnan(g[k]) & np.isnan(f[r])
            if not reached.any():
                break
            f[r[reached]] = ratio[reached] / g[k[reached]]
    g[np.isnan(g)] = 1.0
    if (np.abs(g[k] * f[r] - ratio) > relative * ratio).any():
        return None
    return g, dict(zip(resources, f.tolist(), strict=True))
