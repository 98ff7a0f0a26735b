"""Pricing for column generation: every pair within reach read with the restricted problem's duals (supply price
u_s, demand price v_k); the pairs whose reduced cost  w_sk - u_s - a_sk v_k  is positive enter the next round, and the
same pass proves an upper bound (the Lagrangian bound of the demand prices)."""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit, parallel_chunksize, prange

from eipkit.symbiosis.engine.parts import Sharing
from eipkit.symbiosis.network_simplex import dot
from eipkit.symbiosis.pairing import (
    _KERNELS,
    Arrays,
    Reach,
    grid_cells,
)

TOLERANCE = 1e-6


@njit(cache=True, nogil=True)
def _choose(values: np.ndarray, chosen: np.ndarray, s: int, e: int, reduced: float) -> None:
    """Pair e into supply s's best pairs so far, kept sorted by reduced cost."""
    slot = len(values) - 1
    while slot > 0 and values[slot - 1] < reduced:
        values[slot] = values[slot - 1]
        chosen[s, slot] = chosen[s, slot - 1]
        slot -= 1
    values[slot] = reduced
    chosen[s, slot] = e


@njit(cache=True, nogil=True)
def _price_supplies(
    low: int,
    high: int,
    start: np.ndarray,
    site: np.ndarray,
    gain: np.ndarray,
    site_price: np.ndarray,
    u: np.ndarray,
    relative: float,
    worth: np.ndarray,
    chosen: np.ndarray,
    ceiling: np.ndarray,
    floor: float,
    kept_count: np.ndarray,
    kept_start: np.ndarray,
    kept_gain: np.ndarray,
    kept_site: np.ndarray,
    kept_at: np.ndarray,
) -> None:
    """Supplies low..high-1 of `_price`, one after the other. A supply with a negative `ceiling` reads only its
    kept pairs (the others' reduced costs are at most that ceiling); with `floor` finite, every pair is read and
    those with a reduced cost of at least `floor` are kept, packed from supply low's first position in the reach
    (a run of supplies never keeps more pairs than it has).

    A pair must first beat the supply's fifth best so far, then the tolerance: when half the pairs price in, as on
    the park-scale problem, testing the tolerance first mispredicts half the time."""
    last = chosen.shape[1] - 1
    values = np.empty(last + 1)
    record, partial = floor > -np.inf, len(ceiling) > 0
    slot_at = start[low]
    for s in range(low, high):
        values[:] = -np.inf
        best = 0.0
        if partial and ceiling[s] < 0:
            for j in range(kept_start[s], kept_start[s] + kept_count[s]):
                net = kept_gain[j] - site_price[kept_site[j]]
                best = max(best, net)
                reduced = net - u[s]
                if reduced > values[last] and reduced > relative * max(1.0, abs(kept_gain[j])):
                    _choose(values, chosen, s, kept_at[j], reduced)
            worth[s] = max(best, u[s] + ceiling[s])
        else:
            first_kept = slot_at
            for e in range(start[s], start[s + 1]):
                net = gain[e] - site_price[site[e]]
                best = max(best, net)
                reduced = net - u[s]
                if record and reduced >= floor:
                    kept_at[slot_at], kept_gain[slot_at], kept_site[slot_at] = e, gain[e], site[e]
                    slot_at += 1
                if reduced > values[last] and reduced > relative * max(1.0, abs(gain[e])):
                    _choose(values, chosen, s, e, reduced)
            if record:
                kept_start[s], kept_count[s] = first_kept, slot_at - first_kept
            worth[s] = best


@njit(parallel=True, cache=True, nogil=True)
def _price(chunks: np.ndarray, *arguments: Any) -> None:
    """Per supply, what a tonne of it is worth at demand prices v, max(0, max_k w_sk - a_sk v_k) (into worth), and
    the pairs with the largest positive reduced costs (into chosen, as positions in the reach, -1 where fewer), the
    runs of supplies between `chunks` on every core; `arguments` are `_price_supplies`' after its first two.
    `site_price` is a_sk v_k per demand site, found once a pass: one lookup per pair instead of three."""
    for c in prange(len(chunks) - 1):
        _price_supplies(chunks[c], chunks[c + 1], *arguments)


def price(
    reach: Reach,
    data: Arrays,
    gain: np.ndarray,
    u: np.ndarray,
    v: np.ndarray,
    per_supply: int,
    sharing: Sharing | None = None,
) -> tuple[np.ndarray, float]:
    """The positions in the reach of the pairs worth adding (at most `per_supply` per supply, the best first), and a
    proven upper bound on the linear problem over every pair within reach: with demand prices v >= 0, pricing each
    supply at what it is worth to its best pair makes a feasible dual solution, and any feasible dual solution
    bounds the maximum (the Lagrangian bound; never above Farley's)."""
    return Pricing(reach, data, gain, per_supply, keep=0.0, sharing=sharing)(u, v)


class Pricing:
    """Pricing round after round, reading only the pairs that could price in. When a pass reads every pair, it keeps
    those whose reduced cost is within a margin T of zero (the share `keep` of them); until the next such pass, a
    pair left out has a reduced cost of at most -T plus how much its supply's price fell plus how much the price of
    any site of its resource in the 3 x 3 cells around the supply fell (the cells its pairs come from), so a supply
    for which that sum is negative reads only its kept pairs, and its worth is bounded by its best kept pair or
    that ceiling. The same pairs are chosen as by reading them all; the bound is never below. A pass reads every
    pair again when the supplies to read would hold more than the share `reread` of them. On the national instance
    the fine rounds' prices settle after some twenty-five rounds; later passes read about a fifth of the pairs (the
    southern part's pricing 7.8 -> 4.4 s)."""

    def __init__(
        self,
        reach: Reach,
        data: Arrays,
        gain: np.ndarray,
        per_supply: int,
        keep: float = 0.08,
        reread: float = 0.3,
        sharing: Sharing | None = None,
    ) -> None:
        self.reach, self.data, self.gain, self.per_supply = reach, data, gain, per_supply
        self.keep, self.reread, self.sharing = keep, reread, sharing
        self.reference: tuple[np.ndarray, np.ndarray] | None = None
        self.margin, self.reads = 0.0, 1.0
        ns, room = (len(reach.start) - 1, len(reach)) if keep > 0 else (0, 0)
        self.kept_count = np.zeros(ns, dtype=np.int64)
        self.kept_start = np.zeros(ns, dtype=np.int64)
        self.kept_gain = np.empty(room)  # pages are touched only as far as each run of supplies packs its pairs
        self.kept_site = np.empty(room, dtype=reach.site.dtype)
        self.kept_at = np.empty(room, dtype=np.int64)
        if keep > 0:
            self.pair_count = np.diff(reach.start)
            self.block_start, self.neighbours = _site_blocks(data)

    def ceiling(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """Per supply, a bound on the reduced cost of its pairs not kept at the reference prices."""
        assert self.reference is not None  # set by the first pricing round, before any ceiling is asked for
        u0, v0 = self.reference
        site_fall = self.data.site_ratio * np.maximum(v0 - v, 0.0)[self.data.site_demand]
        block_fall = np.append(np.maximum.reduceat(site_fall, self.block_start), 0.0)
        return block_fall[self.neighbours].max(axis=1) + (u0 - u) - self.margin

    def __call__(self, u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, float]:
        reach, data = self.reach, self.data
        worth = np.zeros(len(reach.start) - 1)
        chosen = np.full((len(worth), self.per_supply), -1, dtype=np.int64)
        site_price = data.site_ratio * v[data.site_demand]
        ceiling, floor = np.empty(0), -np.inf
        self.reads = 1.0
        if self.keep > 0 and self.reference is not None:
            ceiling = self.ceiling(u, v)
            hot = ceiling >= 0
            self.reads = (self.kept_count[~hot].sum() + self.pair_count[hot].sum()) / max(len(reach), 1)
        if self.keep > 0 and self.reads > self.reread:
            self.reads, ceiling = 1.0, np.empty(0)
            self.reference, self.margin = None, self._margin(u, site_price)
            if self.margin > 0:  # else more than the share `keep` of the pairs price in: prices are far from settled
                self.reference, floor = (u.copy(), v.copy()), -self.margin
        kept = (self.kept_count, self.kept_start, self.kept_gain, self.kept_site, self.kept_at)
        if self.sharing is not None and not self.sharing.alone:
            _price_supplies(
                0, len(worth), reach.start, reach.site, self.gain, site_price, u, TOLERANCE, worth, chosen,
                ceiling, floor, *kept,
            )  # fmt: skip
        else:
            with _KERNELS, parallel_chunksize(1):
                _price(
                    reach.chunks, reach.start, reach.site, self.gain, site_price, u, TOLERANCE, worth, chosen,
                    ceiling, floor, *kept,
                )  # fmt: skip
        return chosen[chosen >= 0], dot(data.s_quantity, worth) + dot(data.k_capacity, v)

    def _margin(self, u: np.ndarray, site_price: np.ndarray) -> float:
        """T such that about the share `keep` of the pairs have a reduced cost above -T (from a sample)."""
        sample = np.arange(0, len(self.reach), max(len(self.reach) // 20_000, 1))
        reduced = self.gain[sample] - site_price[self.reach.site[sample]] - u[self.reach.supply_at(sample)]
        return max(-float(np.quantile(reduced, 1.0 - self.keep)), 0.0) if len(sample) else 0.0


def _site_blocks(data: Arrays) -> tuple[np.ndarray, np.ndarray]:
    """The runs of demand sites of one resource in one grid cell (where each starts), and for each supply the runs
    of its resource in the 3 x 3 cells around it, where `reach` looks for its pairs (the index past the last run
    where a cell has none)."""
    key = data.site_resource * 2**40 + data.site_cell
    block_start = np.flatnonzero(np.diff(key, prepend=-1))
    blocks = key[block_start]
    columns = data.grid[2]
    row, col = np.divmod(grid_cells(data.s_lat, data.s_lon, data.grid), columns)
    shifts = [(dr, dc) for dr in (-1, 0, 1) for dc in ((-1, 0, 1) if columns >= 3 else (0,))]
    neighbours = np.full((len(row), len(shifts)), len(blocks), dtype=np.int64)
    for i, (dr, dc) in enumerate(shifts):
        wanted = data.s_resource * 2**40 + (row + dr) * columns + (col + dc) % columns
        at = np.minimum(np.searchsorted(blocks, wanted), len(blocks) - 1)
        if len(blocks):
            neighbours[:, i] = np.where(blocks[at] == wanted, at, len(blocks))
    return block_start, neighbours
