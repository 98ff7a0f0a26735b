"""Where an enterprise stands among the enterprises of its VSIC division, without learning who they are.

Peers are the other enterprises of the same division with a value for the indicator that year. Their statistics are
published only when at least MIN_PEERS report and no single peer dominates (the largest value is under MAX_SHARE of
their sum); otherwise the answer is "not enough peers". With three peers the quartiles give the three values back
(v1 = 2 q1 - median, v3 = 2 q3 - median), and a dominant peer's value is most of what the statistics show: either
way one competitor's figure could be read off.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

from eipkit.recp.indicators import INTENSITIES, Indicators

MIN_PEERS = 5
MAX_SHARE = 0.5


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


def publishable(peer_values: Sequence[float]) -> bool:
    """The disclosure rule: at least MIN_PEERS peers, and the largest under MAX_SHARE of the peers' total."""
    if len(peer_values) < MIN_PEERS:
        return False
    total = sum(abs(v) for v in peer_values)
    return total > 0 and max(abs(v) for v in peer_values) < MAX_SHARE * total


def position(indicator: str, value: float | None, peer_values: Sequence[float]) -> Position:
    """Quartiles of the peers and the share of peers that do better (lower intensity) than `value`."""
    if value is None:
        return Position(indicator, "no_value", None, len(peer_values))
    if not publishable(peer_values):
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
