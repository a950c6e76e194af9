"""Property tests of the time prediction (hypothesis): monotone, non-negative, deterministic, persisted."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prediction_error import FakeClock, timed_workflow
from routing import (Attempt, AttemptOutcome, Capability, HistoryStore, NoEligibleWorkflowError, Router,
                     WorkflowRegistry, WorkflowRequest)

T2V = Capability.TEXT_TO_VIDEO
SIDES = st.integers(1, 80).map(lambda n: 16 * n)
FRAMES = st.integers(0, 40).map(lambda n: 4 * n + 1)


@st.composite
def requests(draw) -> WorkflowRequest:
    return WorkflowRequest("p", T2V, width=draw(SIDES), height=draw(SIDES), frames=draw(FRAMES),
                           steps=draw(st.integers(1, 60)), cfg=draw(st.sampled_from([1.0, 3.5, 6.0])))


@st.composite
def larger(draw, base: WorkflowRequest) -> WorkflowRequest:
    """``base`` grown on every axis (or not): more tokens and more steps, same cfg."""
    return base.with_changes(width=base.width + 16 * draw(st.integers(0, 20)),
                             height=base.height + 16 * draw(st.integers(0, 20)),
                             frames=base.frames + 4 * draw(st.integers(0, 20)),
                             steps=base.steps + draw(st.integers(0, 30)))


HISTORY = st.lists(st.tuples(requests(), st.floats(0.01, 20000.0),
                             st.sampled_from([AttemptOutcome.SUCCESS] * 4 + [AttemptOutcome.OUT_OF_MEMORY])),
                   max_size=12)


def _router(history, store=None):
    registry = WorkflowRegistry()
    wf = registry.register(timed_workflow("wf", lambda r: 1.0, FakeClock()))
    store = store if store is not None else HistoryStore(None)
    for i, (request, seconds, outcome) in enumerate(history):
        store.record_attempt(Attempt("wf", T2V, outcome, seconds, started_at=float(i),
                                     tokens=wf.token_count(request)), request, wf.estimate_memory(request))
    return Router(registry, store), wf, store


def _decide(router, request):
    try:
        return router.route(request)
    except NoEligibleWorkflowError as exc:  # e.g. the request is at or above an out-of-memory size
        return str(exc)


SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(HISTORY, st.data())
def test_prediction_is_monotone_in_tokens_and_steps_and_never_negative(history, data):
    router, wf, store = _router(history)
    small = data.draw(requests())
    big = data.draw(larger(small))
    p_small, p_big = router.predict(wf, small).time, router.predict(wf, big).time
    assert 0.0 <= p_small.seconds <= p_big.seconds * (1 + 1e-12)
    for p in (p_small, p_big):
        assert 0.0 <= p.low_s <= p.seconds <= p.high_s
        assert p.describe()  # every basis can be put in words
    store.close()


@SETTINGS
@given(HISTORY, requests())
def test_prediction_is_deterministic(history, request):
    first, wf, s1 = _router(history)
    second, _, s2 = _router(history)
    a, b = first.predict(wf, request), second.predict(wf, request)
    assert a == b and a.time.describe() == b.time.describe()
    assert _decide(first, request) == _decide(first, request) == _decide(second, request)
    s1.close()
    s2.close()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(HISTORY, requests())
def test_prediction_survives_a_restart(tmp_path_factory, history, request):
    path = tmp_path_factory.mktemp("history") / "h.sqlite3"
    router, wf, store = _router(history, HistoryStore(path))
    before = router.predict(wf, request)
    store.close()
    reopened = HistoryStore(path)
    assert Router(router.registry, reopened).predict(wf, request) == before
    reopened.close()
