"""Manager flows with fake executors: fallback, stop conditions, recording, health, async."""
from __future__ import annotations

import asyncio
import json
import threading

import pytest

from routing import (
    AttemptOutcome,
    Capability,
    ConfigManager,
    ErrorKind,
    ExecutionOutput,
    InvalidRequestError,
    OutOfMemoryError,
    RetryableWorkflowError,
    RoutingConfig,
    WorkflowManager,
    WorkflowRequest,
)

GIB = 1024**3


class InterruptProcessingException(BaseException):
    """Shaped like ComfyUI's (a BaseException in new versions)."""


class TorchOOM(RuntimeError):
    pass


TorchOOM.__name__ = "OutOfMemoryError"


def request(**kw) -> WorkflowRequest:
    base = dict(width=832, height=480, frames=33, strategy="fastest")
    base.update(kw)
    return WorkflowRequest("p", Capability.TEXT_TO_VIDEO, **base)


def raising(exc):
    def run(req):
        raise exc
    return run


@pytest.fixture
def setup(registry, store, workflow_factory):
    """Three t2v workflows, fastest first: w1 (1B) < w2 (5B) < w3 (14B)."""
    calls: list[str] = []
    cleanups: list[str] = []

    def add(name, params, behaviour=None):
        def run(req):
            calls.append(name)
            if behaviour is not None:
                return behaviour(req)
            return {"video": name}
        registry.register(workflow_factory(name, params=params, executor=run))

    def manager(config=None, **kw):
        return WorkflowManager(registry, store, config or RoutingConfig(),
                               cleanup=lambda attempt: cleanups.append(attempt.workflow), **kw)

    return add, manager, calls, cleanups


def test_success_first_try(setup, store):
    add, manager, calls, cleanups = setup
    add("w1", 1e9)
    add("w2", 5e9)
    result = manager().execute_workflow(request())
    assert result.success and result.workflow == "w1" and result.outputs == {"video": "w1"}
    assert [a.outcome for a in result.attempts] == [AttemptOutcome.SUCCESS]
    assert result.decision.selected == "w1" and calls == ["w1"] and cleanups == []
    assert store.count_attempts() == 1
    assert result.raise_for_failure() is result
    json.dumps(result.to_dict())


@pytest.mark.parametrize("oom", [OutOfMemoryError("device"), TorchOOM("CUDA"), RuntimeError("CUDA out of memory")])
def test_out_of_memory_falls_back_after_cleanup(setup, store, oom):
    add, manager, calls, cleanups = setup
    add("w1", 1e9, raising(oom))
    add("w2", 5e9)
    result = manager().execute_workflow(request())
    assert result.success and result.workflow == "w2"
    assert calls == ["w1", "w2"] and cleanups == ["w1"]
    assert [a.outcome for a in result.attempts] == [AttemptOutcome.OUT_OF_MEMORY, AttemptOutcome.SUCCESS]
    rows = store.recent_attempts()
    assert [(r["workflow"], r["outcome"]) for r in rows] == [("w2", "success"), ("w1", "out_of_memory")]
    assert rows[1]["error_class"] == type(oom).__name__
    assert "w1" in result.report() and "out_of_memory" in result.report()


def test_invalid_request_stops_at_once(setup, store):
    add, manager, calls, cleanups = setup
    add("w1", 1e9, raising(InvalidRequestError("prompt too long for this text encoder")))
    add("w2", 5e9)
    result = manager().execute_workflow(request())
    assert not result.success and calls == ["w1"] and cleanups == []
    assert result.attempts[0].outcome is AttemptOutcome.INVALID_REQUEST
    assert "prompt too long" in result.error
    assert store.count_attempts() == 1
    with pytest.raises(InvalidRequestError):
        result.raise_for_failure()


@pytest.mark.parametrize("interrupt", [InterruptProcessingException(), KeyboardInterrupt()])
def test_interrupt_is_recorded_then_reraised(setup, store, interrupt):
    add, manager, calls, cleanups = setup
    add("w1", 1e9, raising(interrupt))
    add("w2", 5e9)
    with pytest.raises(type(interrupt)):
        manager().execute_workflow(request())
    assert calls == ["w1"] and cleanups == []
    rows = store.recent_attempts()
    assert len(rows) == 1 and rows[0]["outcome"] == "interrupted"


def test_respects_max_fallbacks(setup, store):
    add, manager, calls, cleanups = setup
    for i, params in enumerate([1e9, 2e9, 3e9, 4e9], start=1):
        add(f"w{i}", params, raising(OutOfMemoryError("oom")))
    config = RoutingConfig()
    config.routing.max_fallbacks = 1
    result = manager(config).execute_workflow(request())
    assert not result.success
    assert calls == ["w1", "w2"] and cleanups == ["w1", "w2"]
    assert "max_fallbacks reached" in result.error
    assert store.count_attempts() == 2
    config.routing.max_fallbacks = 5
    calls.clear()
    result = manager(config).execute_workflow(request())
    # w1 and w2 ran out of memory at this very size: not tried again, the others are.
    assert calls == ["w3", "w4"] and len(result.attempts) == 2
    assert "ran out of memory at" in result.decision.candidate("w1").excluded_reason
    calls.clear()
    result = manager(config).execute_workflow(request(frames=1))  # far smaller: everyone may try again
    assert calls == ["w1", "w2", "w3", "w4"] and len(result.attempts) == 4


def test_other_errors_stop_unless_policy_says_fall_back(setup):
    add, manager, calls, cleanups = setup
    add("w1", 1e9, raising(FileNotFoundError("model file missing")))
    add("w2", 5e9)
    result = manager().execute_workflow(request())
    assert not result.success and calls == ["w1"]
    assert result.attempts[0].outcome is AttemptOutcome.ERROR
    config = RoutingConfig()
    config.routing.fallback_on_any_error = True
    calls.clear()
    result = manager(config).execute_workflow(request())
    assert result.success and calls == ["w1", "w2"]
    assert cleanups == []  # cleanup is for memory failures


def test_configured_retryable_error_names(setup):
    add, manager, calls, cleanups = setup

    class HubTimeout(Exception):
        pass

    add("w1", 1e9, raising(HubTimeout("slow")))
    add("w2", 5e9)
    config = RoutingConfig()
    config.routing.retryable_errors = ["HubTimeout"]
    result = manager(config).execute_workflow(request())
    assert result.success and [a.outcome for a in result.attempts] == [AttemptOutcome.RETRYABLE,
                                                                        AttemptOutcome.SUCCESS]


def test_injected_classifier(setup):
    add, manager, calls, cleanups = setup
    add("w1", 1e9, raising(ValueError("weird")))
    add("w2", 5e9)
    result = manager(classifier=lambda exc, names: ErrorKind.OUT_OF_MEMORY).execute_workflow(request())
    assert result.success and calls == ["w1", "w2"]


def test_no_eligible_workflow_is_a_failed_result(setup, store):
    add, manager, calls, cleanups = setup
    add("w1", 1e9)
    result = manager().execute_workflow(request(frames=80))
    assert not result.success and result.attempts == [] and calls == []
    assert "frames=80 is not 4n+1 (use 77 or 81)" in result.error
    assert store.count_attempts() == 0


def test_peak_memory_reported_by_the_executor(setup, store):
    add, manager, calls, cleanups = setup
    add("w1", 1e9, lambda req: ExecutionOutput({"video": 1}, peak_memory_bytes=7 * GIB))
    result = manager().execute_workflow(request())
    assert result.peak_memory_bytes == 7 * GIB and result.outputs == {"video": 1}
    assert store.recent_attempts(1)[0]["peak_memory"] == 7 * GIB


def test_peak_memory_from_an_injected_probe(setup, store):
    add, manager, calls, cleanups = setup
    add("w1", 1e9)  # returns a plain dict

    class Probe:
        resets = 0

        def reset(self):
            Probe.resets += 1

        def peak_bytes(self):
            return 9 * GIB

    result = manager(memory_probe=Probe()).execute_workflow(request())
    assert result.peak_memory_bytes == 9 * GIB and Probe.resets == 1
    assert store.recent_attempts(1)[0]["peak_memory"] == 9 * GIB


def slow_clock(step: float = 1000.0):
    """A timer where every attempt lasts ``step`` seconds (so successes do not look instant)."""
    state = {"now": 0.0}

    def tick() -> float:
        state["now"] += step / 2
        return state["now"]
    return tick


def test_repeated_failures_open_the_breaker(setup):
    add, manager, calls, cleanups = setup
    add("w1", 1e9, raising(RetryableWorkflowError("hub timeout")))
    add("w2", 5e9)
    m = manager(timer=slow_clock())  # w2 measured slow, so w1 (bootstrap ~17 s) stays first
    for _ in range(3):  # default threshold 3
        assert m.execute_workflow(request()).workflow == "w2"
    calls.clear()
    result = m.execute_workflow(request())
    assert calls == ["w2"]
    assert "circuit open" in result.decision.candidate("w1").excluded_reason
    assert "w1" in m.health_check().open_circuits


def test_out_of_memory_does_not_open_the_breaker(setup):
    """An OOM is about the size: smaller requests keep trying the workflow, the circuit stays closed."""
    add, manager, calls, cleanups = setup
    def fits_one_frame(req):
        if req.frames > 1:
            raise OutOfMemoryError("oom")
        return {"video": "w1"}

    add("w1", 1e9, fits_one_frame)
    add("w2", 5e9)
    m = manager(timer=slow_clock())
    for frames in (81, 65, 49, 33):  # each smaller than the last OOM, so w1 is tried each time
        assert m.execute_workflow(request(frames=frames)).workflow == "w2"
    assert calls == ["w1", "w2"] * 4
    assert m.breaker.state("w1") == "closed" and m.health_check().open_circuits == {}
    assert m.execute_workflow(request(frames=1)).workflow == "w1"


def test_measured_time_feeds_the_next_decision(setup):
    add, manager, calls, cleanups = setup
    ticks = iter([0.0, 500.0, 0.0, 10.0])  # w1 takes 500 s, then w2 10 s
    add("w1", 1e9)
    add("w2", 5e9, raising(OutOfMemoryError("oom")))
    m = manager(timer=lambda: next(ticks))
    first = m.execute_workflow(request())
    assert first.workflow == "w1" and first.execution_time_s == 500.0
    decision = m.router.route(request())
    assert decision.candidate("w1").predicted_time_s == pytest.approx(500.0)


def test_health_check_reports_registry_store_and_config(setup, tmp_path, workflow_factory, registry, store):
    add, manager, calls, cleanups = setup
    add("w1", 1e9)
    registry.register(workflow_factory("w1"), category="other")  # duplicate name
    config_path = tmp_path / "config.json"
    config_path.write_text("{not json", encoding="utf-8")
    with pytest.warns(RuntimeWarning, match="not valid JSON"):
        configs = ConfigManager(config_path, env={})
    report = WorkflowManager(registry, store, configs).health_check()
    assert not report.ok
    assert any("duplicate name" in str(i) for i in report.registry_issues)
    assert report.store.ok and report.store.rows == 0
    assert not report.config.loaded and "not valid JSON" in report.config.last_error
    data = report.to_dict()
    json.dumps(data)
    assert data["workflows"] == 2


def test_default_history_is_private_in_memory(registry, workflow_factory):
    registry.register(workflow_factory("w1"))
    m1, m2 = WorkflowManager(registry, config=RoutingConfig()), WorkflowManager(registry, config=RoutingConfig())
    m1.execute_workflow(request())
    assert m1.history.count_attempts() == 1 and m2.history.count_attempts() == 0


def test_history_dir_from_config(registry, workflow_factory, tmp_path):
    registry.register(workflow_factory("w1"))
    config = RoutingConfig()
    config.performance.history_dir = str(tmp_path / "user")
    m = WorkflowManager(registry, config=config)
    m.execute_workflow(request())
    assert m.history.path.startswith(str(tmp_path / "user"))
    assert m.history.count_attempts() == 1


def test_async_variant_does_not_block_the_event_loop(setup):
    add, manager, calls, cleanups = setup
    loop_ran = threading.Event()

    def waits_for_loop(req):
        assert loop_ran.wait(10), "the event loop was blocked while the workflow ran"
        return {"video": "ok"}

    add("w1", 1e9, waits_for_loop)

    async def main():
        async def other_task():
            await asyncio.sleep(0)
            loop_ran.set()
        result, _ = await asyncio.gather(manager().execute_workflow_async(request()), other_task())
        return result

    assert asyncio.run(main()).success
