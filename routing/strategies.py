"""One scoring function per strategy. Higher score is better; every score is in [0, 1].

Scores are *relative to this request's candidates*: the fastest candidate gets time score 1 and a
candidate twice as slow gets 0.5, whatever the absolute seconds. That is what lets BALANCED trade
speed against quality at any time scale: the naive ``0.6·quality + 0.4·(1/seconds)`` gives the
speed term ~0.001 when jobs take minutes, so it always collapses to "best quality".
"""
from __future__ import annotations

from typing import Callable, Mapping, Sequence

from .capabilities import Strategy
from .config import RoutingConfig
from .estimators import Estimate

Scored = dict[str, tuple[float, dict[str, float]]]  # name -> (score, terms)


def _ratio_to_best_low(values: Mapping[str, float]) -> dict[str, float]:
    """best / value for "lower is better" figures (time, memory)."""
    best = min(values.values())
    return {n: (best / v if v > 0 else 1.0) for n, v in values.items()}


def score_fastest(estimates: Mapping[str, Estimate], config: RoutingConfig) -> Scored:
    rel = _ratio_to_best_low({n: e.time_s for n, e in estimates.items()})
    return {n: (rel[n], {"predicted_time_s": e.time_s, "time_score": rel[n]}) for n, e in estimates.items()}


def score_least_memory(estimates: Mapping[str, Estimate], config: RoutingConfig) -> Scored:
    rel = _ratio_to_best_low({n: float(e.memory_bytes) for n, e in estimates.items()})
    return {
        n: (rel[n], {"predicted_memory_gib": e.memory_bytes / 1024**3, "memory_score": rel[n]})
        for n, e in estimates.items()
    }


def score_best_quality(estimates: Mapping[str, Estimate], config: RoutingConfig) -> Scored:
    return {
        n: (e.quality, {"quality_prior": e.quality_prior, "success_factor": e.success_factor, "quality": e.quality})
        for n, e in estimates.items()
    }


def score_balanced(estimates: Mapping[str, Estimate], config: RoutingConfig) -> Scored:
    """Weighted mean of quality / best quality and fastest time / time (weights from config)."""
    w = config.routing.balanced_weights
    total = w.quality + w.time
    time_rel = _ratio_to_best_low({n: e.time_s for n, e in estimates.items()})
    best_q = max(e.quality for e in estimates.values())
    out: Scored = {}
    for n, e in estimates.items():
        q_rel = e.quality / best_q if best_q > 0 else 1.0
        score = (w.quality * q_rel + w.time * time_rel[n]) / total
        out[n] = (score, {"quality": e.quality, "quality_score": q_rel, "predicted_time_s": e.time_s,
                          "time_score": time_rel[n]})
    return out


def rotation(eligible: Sequence[str], last: str | None) -> list[str]:
    """Eligible names in round-robin order: the first name after ``last`` (sorted, wrapping).

    Going by name rather than by a counter keeps the rotation fair when candidates come and go.
    """
    names = sorted(eligible)
    if last is None:
        return names
    start = next((i for i, n in enumerate(names) if n > last), 0)
    return names[start:] + names[:start]


def score_round_robin(order: Sequence[str]) -> Scored:
    n = len(order)
    return {name: (1.0 - i / n, {"rotation_position": float(i)}) for i, name in enumerate(order)}


SCORERS: dict[Strategy, Callable[[Mapping[str, Estimate], RoutingConfig], Scored]] = {
    Strategy.FASTEST: score_fastest,
    Strategy.LEAST_MEMORY: score_least_memory,
    Strategy.BEST_QUALITY: score_best_quality,
    Strategy.BALANCED: score_balanced,
}
