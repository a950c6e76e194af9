"""history_stats over a real HistoryStore: runs, success rate, median / p90 time, peak memory, trend, last error
class, and the store's capability / time-window filters."""
import pytest

from routing import Attempt, AttemptOutcome, HistoryStore
from routing.history_stats import percentile, summarize, time_trend


def attempt(workflow, time_s, outcome=AttemptOutcome.SUCCESS, ts=0.0, capability="text_to_video", peak=None,
            error_class=None):
    return Attempt(workflow, capability, outcome, time_s, peak_memory_bytes=peak, error_class=error_class,
                   started_at=ts)


def test_percentiles_interpolate():
    assert percentile([], 0.5) is None
    assert percentile([3.0, 1.0, 2.0], 0.5) == 2.0
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0], 0.9) == pytest.approx(9.1)


def test_trend_compares_the_newer_half_with_the_older():
    assert time_trend([1.0, 1.0, 1.0]) is None
    assert time_trend([10.0, 10.0, 5.0, 5.0]) == {"change": -0.5, "direction": "faster"}
    assert time_trend([10.0, 10.0, 10.5, 10.5])["direction"] == "steady"
    assert time_trend([1.0, 1.0, 2.0, 2.0])["direction"] == "slower"


def test_summary_from_the_store_with_filters():
    store = HistoryStore()
    store.record_many([(attempt("a", t, ts=1.0 + i, peak=100 + i), None, None)
                       for i, t in enumerate([4.0, 2.0, 3.0, 1.0])])
    store.record_many([(attempt("a", 9.0, AttemptOutcome.OUT_OF_MEMORY, ts=5.0, error_class="OutOfMemoryError"),
                        None, None),
                       (attempt("a", 0.5, AttemptOutcome.INTERRUPTED, ts=6.0, error_class="Interrupt"), None, None),
                       (attempt("b", 7.0, ts=7.0, capability="text_to_image"), None, None)])
    (a, b) = summarize(store.recent_attempts(100))
    assert (a["workflow"], a["capability"], a["runs"], a["successes"]) == ("a", "text_to_video", 6, 4)
    assert a["success_rate"] == 0.8  # the interrupted run is not judged
    assert a["median_time_s"] == 2.5 and a["p90_time_s"] == pytest.approx(3.7)
    assert a["peak_memory_bytes"] == 103 and a["last_error_class"] == "Interrupt"
    assert a["trend"] == {"change": -0.3333, "direction": "faster"}  # 4, 2 then 3, 1: medians 3 -> 2
    assert a["outcomes"] == {"success": 4, "out_of_memory": 1, "interrupted": 1}
    assert (b["workflow"], b["capability"], b["runs"]) == ("b", "text_to_image", 1)
    assert [s["workflow"] for s in summarize(store.recent_attempts(100, capability="text_to_image"))] == ["b"]
    assert [r["ts"] for r in store.recent_attempts(100, since=5.0)] == [7.0, 6.0, 5.0]
    assert [r["ts"] for r in store.recent_attempts(100, "a", since=5.0, capability="text_to_video")] == [6.0, 5.0]
