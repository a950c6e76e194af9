"""GET /storycore/stats: per workflow and capability, from the router's history store (routing.history_stats),
plus the newest runs (for a history table and a time-per-run chart)."""
from __future__ import annotations

import time

from ...routing.history_stats import summarize
from .public import public

MAX_ROWS = 10_000   # the summary reads at most this many newest attempts (bounded work per request)
RUN_FIELDS = ("id", "ts", "workflow", "capability", "outcome", "time_s", "peak_memory", "predicted_memory",
              "width", "height", "frames", "steps", "error_class")


def stats_view(history, *, capability=None, workflow=None, window_s=None, limit=200, now=None) -> dict:
    since = None if window_s is None else (now if now is not None else time.time()) - window_s
    rows = history.recent_attempts(MAX_ROWS, workflow, capability=capability, since=since)
    return public({
        "filters": {"capability": capability, "workflow": workflow, "window_s": window_s, "since": since},
        "attempts": len(rows), "truncated": len(rows) == MAX_ROWS,
        "stats": summarize(rows),
        "runs": [{k: r.get(k) for k in RUN_FIELDS} for r in rows[:limit]],
    })
