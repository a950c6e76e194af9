"""History store: aggregates, killed writers, corrupt files, concurrent readers and writers."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from routing import Attempt, AttemptOutcome, Capability, HistoryStore, WorkflowRequest

REPO_ROOT = Path(__file__).resolve().parents[2]
T2V = Capability.TEXT_TO_VIDEO
REQUEST = WorkflowRequest("p", T2V, width=832, height=480, frames=81)

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="uses SIGKILL")


def attempt(name="w", seconds=10.0, outcome=AttemptOutcome.SUCCESS, peak=None) -> Attempt:
    return Attempt(name, T2V, outcome, seconds, peak, None if outcome is AttemptOutcome.SUCCESS else "X")


def child(script: str, db: Path) -> subprocess.Popen:
    code = f"import sys; sys.path.append({str(REPO_ROOT)!r}); DB = {str(db)!r}\n" + textwrap.dedent(script)
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_path_forms(tmp_path):
    assert HistoryStore(None).path == ":memory:"
    in_dir = HistoryStore(tmp_path)
    assert in_dir.path == str(tmp_path / "storycore_routing_history.sqlite3")
    in_dir.close()
    explicit = HistoryStore(tmp_path / "h.db")
    assert explicit.path == str(tmp_path / "h.db")
    explicit.close()


def test_aggregates_are_recency_weighted(tmp_path):
    store = HistoryStore(tmp_path, half_life=1.0)  # each older run weighs half the next one
    work = REQUEST.work_units
    store.record_attempt(attempt(seconds=10.0), REQUEST, 100)
    store.record_attempt(attempt(seconds=100.0, peak=300), REQUEST, 100)
    store.record_attempt(attempt(outcome=AttemptOutcome.OUT_OF_MEMORY), REQUEST, 100)
    store.record_attempt(attempt(outcome=AttemptOutcome.ERROR), REQUEST, 100)
    store.record_attempt(attempt(outcome=AttemptOutcome.INTERRUPTED), REQUEST, 100)  # not a reliability signal
    stats = store.stats_for(T2V)["w"]
    assert stats.attempts == 5
    assert stats.seconds_per_work_unit * work == pytest.approx((0.5 * 10 + 100) / 1.5)
    assert stats.rate_weight == pytest.approx(1.5)
    assert stats.memory_ratio == pytest.approx(3.0)
    # Success rate over success, success, error (weights .25 .5 1): the OOM is not a reliability failure...
    assert stats.success_rate == pytest.approx((0.25 + 0.5) / 1.75)
    assert stats.success_weight == pytest.approx(1.75)
    # ... it is counted on its own: success, success, OOM, error with weights .125 .25 .5 1.
    assert stats.oom_rate == pytest.approx(0.5 / 1.875)
    assert stats.timed_runs == 2 and stats.time_fit.kind == "rate"
    assert store.count_attempts() == 5 and store.count_attempts("other") == 0
    assert store.recent_attempts(1)[0]["outcome"] == "interrupted"
    store.close()


def test_other_instances_see_new_rows(tmp_path):
    writer, reader = HistoryStore(tmp_path), HistoryStore(tmp_path)
    assert reader.stats_for(T2V) == {}
    writer.record_attempt(attempt(), REQUEST, 1)
    assert reader.stats_for(T2V)["w"].attempts == 1  # the cache notices the other connection's commit
    writer.close()
    reader.close()


def test_killed_writer_leaves_no_partial_rows(tmp_path):
    db = tmp_path / "h.sqlite3"
    store = HistoryStore(db)
    for _ in range(3):
        store.record_attempt(attempt(), REQUEST, 1)
    store.close()
    proc = child(
        """
        import time
        from routing.history import HistoryStore
        conn = HistoryStore(DB)._conn
        conn.execute("BEGIN IMMEDIATE")
        for i in range(2000):
            conn.execute("INSERT INTO attempts (ts, workflow, capability, time_s, outcome)"
                         " VALUES (?, 'killed', 'text_to_video', 1.0, 'success')", (i,))
        print("ready", flush=True)
        time.sleep(60)
        """,
        db,
    )
    try:
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    assert proc.returncode == -signal.SIGKILL
    reopened = HistoryStore(db)
    assert reopened.status().ok and reopened.status().recovered_from is None
    assert reopened.count_attempts() == 3 and reopened.count_attempts("killed") == 0
    reopened.record_attempt(attempt(), REQUEST, 1)  # and it is writable (the lock died with the writer)
    assert reopened.count_attempts() == 4
    reopened.close()


def test_writer_killed_between_batches_commits_whole_batches_only(tmp_path):
    db = tmp_path / "h.sqlite3"
    HistoryStore(db).close()
    proc = child(
        """
        from routing import Attempt, AttemptOutcome, Capability
        from routing.history import HistoryStore
        store = HistoryStore(DB)
        batch = 0
        while True:
            store.record_many([(Attempt(f"batch{batch}", Capability.TEXT_TO_VIDEO, AttemptOutcome.SUCCESS, 1.0),
                                None, None) for _ in range(50)])
            batch += 1
            if batch == 5:
                print("ready", flush=True)
        """,
        db,
    )
    try:
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    store = HistoryStore(db)
    total = store.count_attempts()
    assert total >= 250 and total % 50 == 0
    with sqlite3.connect(db) as conn:
        sizes = {n for (n,) in conn.execute("SELECT COUNT(*) FROM attempts GROUP BY workflow")}
    assert sizes == {50}
    store.close()


def test_garbage_file_is_moved_aside(tmp_path):
    db = tmp_path / "h.sqlite3"
    db.write_bytes(os.urandom(8192))
    with pytest.warns(RuntimeWarning, match="moved it to"):
        store = HistoryStore(db)
    aside = list(tmp_path.glob("h.sqlite3.corrupt-*"))
    assert len(aside) == 1 and aside[0].stat().st_size == 8192
    status = store.status()
    assert status.ok and status.recovered_from == str(aside[0]) and status.rows == 0
    store.record_attempt(attempt(), REQUEST, 1)
    assert store.count_attempts() == 1
    store.close()


def test_damaged_database_is_moved_aside(tmp_path):
    db = tmp_path / "h.sqlite3"
    store = HistoryStore(db)
    store.record_many([(attempt(), REQUEST, 1)] * 500)
    store._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    data = bytearray(db.read_bytes())
    page = 4096
    data[page:page * 4] = os.urandom(page * 3)  # keep the header, wreck the b-tree pages
    db.write_bytes(bytes(data))
    with pytest.warns(RuntimeWarning, match="unreadable"):
        recovered = HistoryStore(db)
    assert recovered.status().recovered_from is not None
    assert recovered.count_attempts() == 0
    recovered.close()


def test_unusable_location_falls_back_to_memory(tmp_path):
    blocker = tmp_path / "not_a_dir"
    blocker.write_text("x")
    with pytest.warns(RuntimeWarning):
        store = HistoryStore(blocker / "h.sqlite3")  # parent is a file: cannot create anything there
    store.record_attempt(attempt(), REQUEST, 1)
    assert not store.status().ok and "in-memory" in store.status().error
    assert store.count_attempts() == 1
    store.close()


def test_concurrent_readers_and_a_writer_process(tmp_path):
    db = tmp_path / "h.sqlite3"
    HistoryStore(db).close()
    writer = child(
        """
        from routing import Attempt, AttemptOutcome, Capability, WorkflowRequest
        from routing.history import HistoryStore
        store = HistoryStore(DB)
        request = WorkflowRequest("p", Capability.TEXT_TO_VIDEO, frames=81)
        for i in range(300):
            store.record_attempt(Attempt(f"w{i % 3}", Capability.TEXT_TO_VIDEO, AttemptOutcome.SUCCESS,
                                         float(i + 1), 2**30), request, 2**30)
        print("done", flush=True)
        """,
        db,
    )
    errors: list[BaseException] = []
    stop = threading.Event()
    shared = HistoryStore(db)  # one instance shared by two threads, plus private instances

    def read(store: HistoryStore) -> None:
        try:
            last = 0
            while not stop.is_set():
                count = store.count_attempts()
                assert count >= last  # never goes backwards, never sees a partial state
                last = count
                stats = store.stats_for(T2V)
                assert sum(s.attempts for s in stats.values()) <= store.count_attempts()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    readers = [threading.Thread(target=read, args=(HistoryStore(db),)) for _ in range(3)]
    readers += [threading.Thread(target=read, args=(shared,)) for _ in range(2)]
    for t in readers:
        t.start()
    # The test process writes too, concurrently with the other process.
    own = HistoryStore(db)
    for _ in range(50):
        own.record_attempt(attempt("local"), REQUEST, 1)
    out, err = writer.communicate(timeout=60)
    stop.set()
    for t in readers:
        t.join(30)
    assert writer.returncode == 0, err
    assert out.strip() == "done"
    assert not errors, errors
    assert own.count_attempts() == 350
    stats = own.stats_for(T2V)
    assert {name: s.attempts for name, s in stats.items()} == {"w0": 100, "w1": 100, "w2": 100, "local": 50}
    own.close()
    shared.close()


def test_round_robin_position_persists(tmp_path):
    store = HistoryStore(tmp_path)
    assert store.round_robin_last(T2V) is None
    store.set_round_robin_last(T2V, "b")
    store.close()
    again = HistoryStore(tmp_path)
    assert again.round_robin_last("text_to_video") == "b"
    assert again.round_robin_last(Capability.TEXT_TO_IMAGE) is None
    again.close()
