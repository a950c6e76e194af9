"""Summaries of the stored attempts for people and programs: per workflow and capability, how many runs, how
often they succeed, how long they take (median, p90, trend), how much memory they peak at, the last error class.

Plain Python over the rows ``HistoryStore.recent_attempts`` returns (newest first). The router itself never reads
these; it uses the recency-weighted aggregates.
"""
from __future__ import annotations

import statistics
from typing import Iterable, Mapping, Optional

# Interrupted runs say nothing about the workflow: they count as runs but not towards the success rate.
NOT_JUDGED = {"interrupted"}
TREND_MIN_RUNS = 4      # successful runs needed before a trend is reported
TREND_STEADY = 0.10     # a change of the median time within ±10 % is "steady"


def percentile(values: list[float], q: float) -> Optional[float]:
    """Linear-interpolated percentile (q in 0..1) of `values`; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def time_trend(times_oldest_first: list[float]) -> Optional[dict]:
    """Median time of the newer half of the runs against the older half: {"change": fraction, "direction":
    "faster" / "slower" / "steady"}; None with fewer than TREND_MIN_RUNS runs."""
    if len(times_oldest_first) < TREND_MIN_RUNS:
        return None
    half = len(times_oldest_first) // 2
    older = statistics.median(times_oldest_first[:half])
    newer = statistics.median(times_oldest_first[-half:])
    if older <= 0:
        return None
    change = newer / older - 1.0
    direction = "steady" if abs(change) <= TREND_STEADY else ("slower" if change > 0 else "faster")
    return {"change": round(change, 4), "direction": direction}


def summarize(rows: Iterable[Mapping]) -> list[dict]:
    """One entry per (workflow, capability) of `rows` (attempt dicts, any order), sorted by workflow then
    capability. Times and memory are of successful runs only."""
    groups: dict[tuple[str, str], list[Mapping]] = {}
    for row in sorted(rows, key=lambda r: (r["ts"], r.get("id") or 0)):
        groups.setdefault((row["workflow"], row["capability"]), []).append(row)
    out = []
    for (workflow, capability), runs in sorted(groups.items()):
        ok = [r for r in runs if r["outcome"] == "success"]
        judged = [r for r in runs if r["outcome"] not in NOT_JUDGED]
        times = [float(r["time_s"]) for r in ok]
        peaks = [int(r["peak_memory"]) for r in ok if r.get("peak_memory") is not None]
        failed = [r for r in runs if r["outcome"] != "success" and r.get("error_class")]
        outcomes: dict[str, int] = {}
        for r in runs:
            outcomes[r["outcome"]] = outcomes.get(r["outcome"], 0) + 1
        out.append({
            "workflow": workflow, "capability": capability, "runs": len(runs), "successes": len(ok),
            "outcomes": outcomes,
            "success_rate": round(len(ok) / len(judged), 4) if judged else None,
            "median_time_s": _rounded(percentile(times, 0.5)), "p90_time_s": _rounded(percentile(times, 0.9)),
            "peak_memory_bytes": max(peaks) if peaks else None,
            "trend": time_trend(times),
            "last_error_class": failed[-1]["error_class"] if failed else None,
            "first_ts": runs[0]["ts"], "last_ts": runs[-1]["ts"],
        })
    return out


def _rounded(value: Optional[float]) -> Optional[float]:
    return None if value is None else round(value, 4)
