"""Property-based routing invariants (hypothesis): eligibility, order, determinism."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routing import (
    Attempt,
    AttemptOutcome,
    BaseAdvancedWorkflow,
    Capability,
    CircuitBreaker,
    HistoryStore,
    NoEligibleWorkflowError,
    RequestRules,
    Router,
    Strategy,
    WorkflowRegistry,
    WorkflowRequest,
    WorkflowType,
)

GIB = 1024**3
CAPS = [Capability.TEXT_TO_VIDEO, Capability.IMAGE_TO_VIDEO, Capability.TEXT_TO_IMAGE]


@st.composite
def workflows(draw, index: int) -> BaseAdvancedWorkflow:
    caps = draw(st.lists(st.sampled_from(CAPS), min_size=1, max_size=3, unique=True))
    return BaseAdvancedWorkflow(
        name=f"wf{index}",
        family=draw(st.sampled_from(["wan", "hunyuan_video", "qwen_image", "newbie", "custom"])),
        variant=f"v{index}",
        workflow_type=WorkflowType.VIDEO,
        capabilities={c: draw(st.floats(0.1, 1.0)) for c in caps},
        parameter_count=draw(st.integers(10**8, 2 * 10**10)),
        weight_bytes=draw(st.integers(GIB, 40 * GIB)),
        rules=RequestRules(resolution_multiple=draw(st.sampled_from([16, 32])),
                           max_frames=draw(st.sampled_from([None, 81]))),
    )


@st.composite
def scenarios(draw):
    n = draw(st.integers(1, 6))
    wfs = [draw(workflows(i)) for i in range(n)]
    request = WorkflowRequest(
        "p",
        draw(st.sampled_from(CAPS)),
        has_image=draw(st.booleans()),
        width=draw(st.integers(1, 12)) * 64 + draw(st.sampled_from([0, 16, 8])),
        height=draw(st.integers(1, 12)) * 64,
        frames=draw(st.sampled_from([1, 33, 80, 81, 121])),
        steps=draw(st.integers(1, 50)),
        cfg=draw(st.sampled_from([1.0, 3.5, 6.0])),
        memory_budget_bytes=draw(st.sampled_from([None, 8 * GIB, 24 * GIB, 80 * GIB])),
        strategy=draw(st.sampled_from(list(Strategy))),
    )
    runs = draw(st.lists(
        st.tuples(st.integers(0, n - 1), st.floats(1.0, 3000.0), st.floats(1.0, 80.0), st.booleans()),
        max_size=8))
    failures = draw(st.lists(st.integers(0, n - 1), max_size=4))
    return wfs, request, runs, failures


def build(wfs, request, runs, failures):
    registry = WorkflowRegistry()
    for wf in wfs:
        registry.register(wf)
    store = HistoryStore(None)
    for index, seconds, peak_gib, ok in runs:
        wf = wfs[index]
        if request.capability in wf.capabilities:
            store.record_attempt(
                Attempt(wf.name, request.capability,
                        AttemptOutcome.SUCCESS if ok else AttemptOutcome.OUT_OF_MEMORY, seconds,
                        int(peak_gib * GIB) if ok else None, tokens=wf.token_count(request),
                        memory_available_bytes=request.memory_budget_bytes),  # as the manager records it
                request, wf.estimate_memory(request))
    breaker = CircuitBreaker(failure_threshold=2, cooldown_s=100, clock=lambda: 0.0)
    for index in failures:
        breaker.record_failure(wfs[index].name)
    return Router(registry, store, None, breaker), store


def out_of_memory_last(wfs, request, runs) -> set[str]:
    """Workflows whose last run at this (only) size ran out of memory: the OOM rule excludes them."""
    last = {}
    for index, _, _, ok in runs:
        if request.capability in wfs[index].capabilities:
            last[wfs[index].name] = ok
    return {name for name, ok in last.items() if not ok}


def eligible_names(router: Router, request: WorkflowRequest, oom_blocked: set[str]) -> set[str]:
    """Eligibility computed independently of the router's internals."""
    out = set()
    for wf in router.registry.workflows():
        if not wf.supports(request.capability) or wf.validate_request(request):
            continue
        if router.breaker.state(wf.name) == "open" or wf.name in oom_blocked:
            continue
        predicted = router.predict(wf, request)
        if request.memory_budget_bytes is not None and predicted.memory_bytes > request.memory_budget_bytes:
            continue
        out.add(wf.name)
    return out


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(scenarios())
def test_never_selects_an_ineligible_workflow(scenario):
    router, store = build(*scenario)
    wfs, request, runs, _ = scenario
    expected = eligible_names(router, request, out_of_memory_last(wfs, request, runs))
    try:
        decision = router.route(request)
    except NoEligibleWorkflowError as exc:
        assert expected == set()
        assert set(exc.reasons) == {wf.name for wf in router.registry.workflows()}
        return
    assert set(decision.order) == expected
    assert len(decision.order) == len(set(decision.order))
    excluded = {c.workflow for c in decision.candidates if not c.eligible}
    assert excluded.isdisjoint(expected)
    assert all(c.excluded_reason for c in decision.candidates if not c.eligible)
    store.close()


@SETTINGS
@given(scenarios())
def test_order_is_consistent_with_scores(scenario):
    router, store = build(*scenario)
    try:
        decision = router.route(scenario[1])
    except NoEligibleWorkflowError:
        return
    eligible = [c for c in decision.candidates if c.eligible]
    assert [c.workflow for c in eligible] == list(decision.order)
    keys = [(-c.score, c.workflow) for c in eligible]
    assert keys == sorted(keys)  # descending score, ties by name
    assert all(0.0 <= c.score <= 1.0 for c in eligible)
    assert 0.0 <= decision.confidence <= 1.0
    store.close()


@SETTINGS
@given(scenarios())
def test_routing_is_deterministic(scenario):
    first_router, store1 = build(*scenario)
    second_router, store2 = build(*scenario)  # same inputs and history, fresh objects
    outcomes = []
    for router in (first_router, first_router, second_router):
        try:
            outcomes.append(router.route(scenario[1]))
        except NoEligibleWorkflowError as exc:
            outcomes.append(str(exc))
    assert outcomes[0] == outcomes[1] == outcomes[2]
    store1.close()
    store2.close()
