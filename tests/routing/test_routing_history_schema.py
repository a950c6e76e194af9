"""History schema 2: migration of a schema-1 file, and decisions that read aggregates only."""
from __future__ import annotations

import re
import sqlite3

import pytest

from prediction_error import t2v
from routing import Attempt, AttemptOutcome, Capability, HistoryStore, Router, WorkflowRegistry
from routing.history import SCHEMA_VERSION

T2V = Capability.TEXT_TO_VIDEO
GIB = 1024**3

# The schema the previous release wrote (routing/history.py before schema 2), verbatim.
SCHEMA_V1 = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY,
    ts REAL NOT NULL,
    workflow TEXT NOT NULL,
    capability TEXT NOT NULL,
    width INTEGER, height INTEGER, frames INTEGER, steps INTEGER, cfg REAL,
    work_units REAL,
    predicted_memory INTEGER,
    time_s REAL NOT NULL,
    peak_memory INTEGER,
    outcome TEXT NOT NULL,
    error_class TEXT,
    error_message TEXT
);
CREATE INDEX IF NOT EXISTS attempts_by_workflow ON attempts (workflow, capability, id);
CREATE TABLE IF NOT EXISTS stats (
    workflow TEXT NOT NULL,
    capability TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    rate_sum REAL NOT NULL DEFAULT 0, rate_weight REAL NOT NULL DEFAULT 0,
    mem_sum REAL NOT NULL DEFAULT 0, mem_weight REAL NOT NULL DEFAULT 0,
    ok_sum REAL NOT NULL DEFAULT 0, ok_weight REAL NOT NULL DEFAULT 0,
    last_ts REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (workflow, capability)
);
CREATE TABLE IF NOT EXISTS round_robin (capability TEXT PRIMARY KEY, last_workflow TEXT NOT NULL);
"""

# (workflow, size, seconds, outcome, peak GiB); sizes as the router node would send them.
HISTORY = [
    ("big", (480, 272, 17), 45.0, "success", 20.0),
    ("big", (640, 368, 33), 95.0, "success", 22.0),
    ("big", (832, 480, 81), 3.0, "out_of_memory", None),
    ("big", (832, 480, 49), 290.0, "success", 30.0),
    ("small", (832, 480, 81), 120.0, "success", 9.0),
    ("small", (832, 480, 81), 130.0, "error", None),
    ("small", (832, 480, 81), 125.0, "success", 9.5),
]


def _attempt(name, seconds, outcome, peak_gib, ts):
    failed = outcome != "success"
    return Attempt(name, T2V, AttemptOutcome(outcome), seconds, None if failed else int(peak_gib * GIB),
                   "X" if failed else None, "boom" if failed else None, started_at=ts)


def _write_v1(path):
    """A schema-1 file as the previous release left it: attempts, its own stats rows, version '1'."""
    conn = sqlite3.connect(path)
    conn.executescript(SCHEMA_V1)
    conn.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    for i, (name, size, seconds, outcome, peak) in enumerate(HISTORY):
        r = t2v(size)
        conn.execute(
            "INSERT INTO attempts (ts, workflow, capability, width, height, frames, steps, cfg, work_units,"
            " predicted_memory, time_s, peak_memory, outcome, error_class, error_message)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (1000.0 + i, name, "text_to_video", r.width, r.height, r.frames, r.steps, r.cfg, r.work_units,
             10 * GIB, seconds, int(peak * GIB) if peak else None, outcome, None, None))
    conn.execute("INSERT INTO stats (workflow, capability, attempts, ok_sum, ok_weight) VALUES"
                 " ('big', 'text_to_video', 4, 0.1, 0.2), ('small', 'text_to_video', 3, 0.1, 0.2)")
    conn.execute("INSERT INTO round_robin VALUES ('text_to_video', 'small')")
    conn.commit()
    conn.close()


def test_a_schema_1_file_opens_and_its_aggregates_are_rebuilt(tmp_path):
    path = tmp_path / "history.sqlite3"
    _write_v1(path)
    store = HistoryStore(path)
    assert store.status().ok and store.status().recovered_from is None  # migrated, not moved aside
    assert store.count_attempts() == len(HISTORY) and store.round_robin_last(T2V) == "small"
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == SCHEMA_VERSION
        columns = {row[1] for row in conn.execute("PRAGMA table_info(attempts)")}
    assert {"tokens", "memory_available"} <= columns
    # The same attempts recorded live by this version give exactly the same aggregates and limits.
    live = HistoryStore(None)
    for i, (name, size, seconds, outcome, peak) in enumerate(HISTORY):
        live.record_attempt(_attempt(name, seconds, outcome, peak, 1000.0 + i), t2v(size), 10 * GIB)
    assert store.stats_for(T2V) == live.stats_for(T2V)
    assert store.oom_limits() == live.oom_limits()
    big = store.stats_for(T2V)["big"]
    assert big.time_fit.kind == "quadratic" and big.timed_runs == 3 and big.success_rate == 1.0
    assert store.oom_limits()["big"].tokens == 32_760
    # New attempts go on from the rebuilt state, and the file opens again as schema 2.
    store.record_attempt(_attempt("small", 126.0, "success", 9.0, 2000.0), t2v((832, 480, 81)), 10 * GIB)
    store.close()
    again = HistoryStore(path)
    assert again.stats_for(T2V)["small"].attempts == 4 and again.status().recovered_from is None
    again.close()


def test_rows_a_rebuild_cannot_read_are_kept_but_not_learnt(tmp_path):
    path = tmp_path / "history.sqlite3"
    _write_v1(path)
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO attempts (ts, workflow, capability, time_s, outcome)"
                     " VALUES (5000, 'big', 'text_to_video', 1.0, 'cancelled_by_a_newer_version')")
    store = HistoryStore(path)
    assert store.count_attempts() == len(HISTORY) + 1
    assert store.stats_for(T2V)["big"].attempts == 4
    store.close()


def test_rebuild_applies_a_new_half_life(tmp_path):
    path = tmp_path / "history.sqlite3"
    _write_v1(path)
    HistoryStore(path).close()
    store = HistoryStore(path, half_life=3.0)
    live = HistoryStore(None, half_life=3.0)
    for i, (name, size, seconds, outcome, peak) in enumerate(HISTORY):
        live.record_attempt(_attempt(name, seconds, outcome, peak, 1000.0 + i), t2v(size), 10 * GIB)
    assert store.stats_for(T2V) != live.stats_for(T2V)  # built with the default half-life of 20
    store.rebuild_aggregates()
    assert store.stats_for(T2V) == live.stats_for(T2V)
    store.close()


def test_an_interrupted_migration_leaves_schema_1(tmp_path, monkeypatch):
    path = tmp_path / "history.sqlite3"
    _write_v1(path)

    def fail(self, conn):
        raise RuntimeError("killed mid-migration")

    monkeypatch.setattr(HistoryStore, "_rebuild_aggregates", fail)
    with pytest.raises(RuntimeError):
        HistoryStore(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == "1"
        assert "tokens" not in {row[1] for row in conn.execute("PRAGMA table_info(attempts)")}
    monkeypatch.undo()
    store = HistoryStore(path)  # the next open migrates
    assert store.stats_for(T2V)["big"].time_fit is not None
    store.close()


def test_a_future_schema_is_moved_aside_not_misread(tmp_path):
    path = tmp_path / "history.sqlite3"
    HistoryStore(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.warns(RuntimeWarning, match="unsupported schema version '99'"):
        store = HistoryStore(path)
    assert store.status().recovered_from is not None and store.count_attempts() == 0
    store.close()


def _decision_cost(tmp_path, rows: int) -> tuple[list[str], int]:
    """SQL statements and SQLite VM instructions of one decision right after a write (cache cold)."""
    from prediction_error import FakeClock, timed_workflow
    registry = WorkflowRegistry()
    workflows = [registry.register(timed_workflow(f"wf{i:02d}", lambda r: 1.0, FakeClock())) for i in range(20)]
    store = HistoryStore(tmp_path / f"h{rows}.sqlite3")
    sizes = [(480, 272, 17), (640, 368, 33), (832, 480, 49), (832, 480, 81)]
    items = []
    for i in range(rows):
        wf, size = workflows[i % 20], sizes[(i // 20) % 4]
        outcome = "out_of_memory" if i % 50 == 7 else "success"
        items.append((_attempt(wf.name, 10.0 + i % 13, outcome, 5.0, float(i)), t2v(size), GIB))
    store.record_many(items)
    router = Router(registry, store)
    request = t2v((832, 480, 65))
    router.route(request)
    store.record_attempt(_attempt("wf00", 11.0, "success", 5.0, 1e6), request, GIB)  # invalidates the cache
    statements: list[str] = []
    ops = [0]

    def count() -> int:
        ops[0] += 1
        return 0

    store._conn.set_trace_callback(statements.append)
    store._conn.set_progress_handler(count, 1)
    router.route(request)
    store._conn.set_trace_callback(None)
    store._conn.set_progress_handler(None, 1)
    store.close()
    return statements, ops[0]


def test_a_decision_reads_aggregates_only_whatever_the_history_length(tmp_path):
    few_statements, few_ops = _decision_cost(tmp_path, 200)
    many_statements, many_ops = _decision_cost(tmp_path, 4000)
    assert many_statements == few_statements
    assert len(many_statements) <= 4
    tables = {t for s in many_statements for t in re.findall(r"\bFROM (\w+)", s)}
    assert tables == {"stats", "oom_limits"}, many_statements
    # 20x the rows, the same work (up to the few OOM-limit rows, which differ): a scan would add thousands.
    assert abs(many_ops - few_ops) < 0.05 * few_ops, (few_ops, many_ops)
