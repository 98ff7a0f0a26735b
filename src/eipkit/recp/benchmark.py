"""Where an enterprise stands among the enterprises of its VSIC division, without learning who they are.

Peers are the other enterprises of the same division with a value for the indicator that year; with fewer than
three the answer is "not enough peers", so that no single competitor's figure can be inferred.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

from eipkit.recp.indicators import INTENSITIES, Indicators

MIN_PEERS = 3


@dataclass(frozen=True)
class Position:
    indicator: str
    status: Literal["ok", "not_enough_peers", "no_value"]
    value: float | None
    peers: int
    q1: float | None = None
    median: float | None = None
    q3: float | None = None
    percentile: float | None = None
    quartile: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def quartiles(values: Sequence[float]) -> tuple[float, float, float]:
    """First quartile, median and third quartile, interpolated between observations (inclusive method)."""
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, median, q3


def position(indicator: str, value: float | None, peer_values: Sequence[float]) -> Position:
    """Quartiles of the peers and the share of peers that do better (lower intensity) than `value`."""
    if value is None:
        return Position(indicator, "no_value", None, len(peer_values))
    if len(peer_values) < MIN_PEERS:
        return Position(indicator, "not_enough_peers", value, len(peer_values))
    q1, median, q3 = quartiles(peer_values)
    better = sum(1 for v in peer_values if v < value)
    equal = sum(1 for v in peer_values if v == value)
    percentile = 100 * (better + 0.5 * equal) / len(peer_values)
    quartile = 1 if value <= q1 else 2 if value <= median else 3 if value <= q3 else 4
    return Position(indicator, "ok", value, len(peer_values), q1, median, q3, percentile, quartile)


def benchmark(subject: Indicators, peers: Sequence[Indicators]) -> dict[str, Position]:
    """Position of `subject` on every intensity among `peers` (the subject itself is left out if present)."""
    others = [p for p in peers if p.enterprise_id != subject.enterprise_id and p.year == subject.year]
    result = {}
    for indicator in INTENSITIES:
        values = [v for p in others if (v := p.values.get(indicator)) is not None]
        result[indicator] = position(indicator, subject.values.get(indicator), values)
    return result
