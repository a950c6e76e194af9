"""Each strategy, learning from history, hard constraints and the decision report."""
from __future__ import annotations

import json

import pytest

from routing import (
    Attempt,
    AttemptOutcome,
    Capability,
    HistoryStore,
    NoEligibleWorkflowError,
    Router,
    RoutingConfig,
    Strategy,
    WorkflowRequest,
)

GIB = 1024**3
T2V = Capability.TEXT_TO_VIDEO


def t2v(**kw) -> WorkflowRequest:
    base = dict(width=832, height=480, frames=81, steps=20, cfg=6.0)
    base.update(kw)
    return WorkflowRequest("a fox in the snow", T2V, **base)


def record(store, workflow, request, seconds, *, peak_gib=None, outcome=AttemptOutcome.SUCCESS, times=1):
    wf = workflow
    for _ in range(times):
        store.record_attempt(
            Attempt(wf.name, request.capability, outcome, seconds,
                    int(peak_gib * GIB) if peak_gib else None,
                    None if outcome is AttemptOutcome.SUCCESS else "OutOfMemoryError"),
            request, wf.estimate_memory(request))


def test_fastest_bootstraps_from_parameter_count(registry, workflow_factory):
    registry.register(workflow_factory("small", params=1.3e9))
    registry.register(workflow_factory("big", params=14e9))
    decision = Router(registry).route(t2v(), Strategy.FASTEST)
    assert decision.order == ("small", "big")
    ratio = decision.candidate("big").predicted_time_s / decision.candidate("small").predicted_time_s
    assert ratio == pytest.approx(14 / 1.3)
    assert decision.confidence <= 0.5  # no history: at most half confident


def test_fastest_follows_measured_times(registry, store, workflow_factory):
    small = registry.register(workflow_factory("small", params=1.3e9))
    big = registry.register(workflow_factory("big", params=14e9))
    router = Router(registry, store)
    request = t2v()
    assert router.route(request, Strategy.FASTEST).selected == "small"
    record(store, small, request, 600.0, times=3)
    record(store, big, request, 60.0, times=3)
    decision = router.route(request, Strategy.FASTEST)
    assert decision.selected == "big"
    assert decision.predicted_time_s == pytest.approx(60.0)
    # Scales with the request's work: half the steps, half the time.
    assert router.route(t2v(steps=10), Strategy.FASTEST).predicted_time_s == pytest.approx(30.0)
    assert decision.confidence > 0.5


def test_recent_runs_weigh_more(registry, tmp_path, workflow_factory):
    store = HistoryStore(tmp_path, half_life=2)
    a = registry.register(workflow_factory("a"))
    b = registry.register(workflow_factory("b"))
    router = Router(registry, store)
    request = t2v()
    record(store, a, request, 100.0, times=5)
    record(store, b, request, 150.0, times=5)
    assert router.route(request, Strategy.FASTEST).selected == "a"
    record(store, a, request, 400.0, times=3)  # a got slower recently (e.g. a driver change)
    assert router.route(request, Strategy.FASTEST).selected == "b"
    store.close()


def test_least_memory_follows_measured_peaks(registry, store, workflow_factory):
    light = registry.register(workflow_factory("light", weight_gib=3))
    heavy = registry.register(workflow_factory("heavy", weight_gib=6))
    router = Router(registry, store)
    request = t2v()
    assert router.route(request, Strategy.LEAST_MEMORY).selected == "light"
    record(store, light, request, 100.0, peak_gib=30.0)  # measured far above its model
    record(store, heavy, request, 100.0, peak_gib=12.0)
    decision = router.route(request, Strategy.LEAST_MEMORY)
    assert decision.selected == "heavy"
    assert decision.candidate("heavy").predicted_memory_bytes == pytest.approx(12 * GIB, rel=1e-6)
    assert decision.candidate("light").predicted_memory_bytes == pytest.approx(30 * GIB, rel=1e-6)


def test_best_quality_uses_config_priors_and_success_rate(registry, store, workflow_factory):
    wan = registry.register(workflow_factory("wan_t2v", {T2V: 0.5}, family="wan", variant="2.2_a14b_t2v"))
    hy = registry.register(workflow_factory("hunyuan_t2v", {T2V: 0.99}, family="hunyuan_video", variant="1.5"))
    config = RoutingConfig()
    config.quality.priors["wan"] = {"text_to_video": 0.8}
    config.quality.priors["wan/2.2_a14b_t2v"] = {"text_to_video": 0.9}  # variant beats family and declared
    config.quality.priors["hunyuan_video"] = {"text_to_video": 0.85}  # family beats declared
    router = Router(registry, store, config)
    request = t2v()
    decision = router.route(request, Strategy.BEST_QUALITY)
    assert decision.selected == "wan_t2v"
    assert decision.candidate("wan_t2v").terms["quality_prior"] == 0.9
    assert decision.candidate("hunyuan_t2v").terms["quality_prior"] == 0.85  # family prior from config
    record(store, wan, request, 10.0, outcome=AttemptOutcome.ERROR, times=3)
    record(store, hy, request, 10.0, times=3)
    decision = router.route(request, Strategy.BEST_QUALITY)
    assert decision.selected == "hunyuan_t2v"
    assert decision.candidate("wan_t2v").terms["success_factor"] < 1.0


def _minute_scale(registry, store, workflow_factory, a_quality, a_seconds, b_quality, b_seconds):
    """Two workflows of another family (declared priors apply) with measured minute-scale times."""
    a = registry.register(workflow_factory("a_quality", {T2V: a_quality}, family="custom"))
    b = registry.register(workflow_factory("b_speed", {T2V: b_quality}, family="custom"))
    request = t2v()
    record(store, a, request, a_seconds)
    record(store, b, request, b_seconds)
    return Router(registry, store), request


def _naive_pick(decision) -> str:
    def naive(c):
        return 0.6 * c.terms["quality"] + 0.4 * (1.0 / c.predicted_time_s)
    return max((c for c in decision.candidates if c.eligible), key=naive).workflow


def test_balanced_trades_speed_for_quality_at_minute_scale(registry, store, workflow_factory):
    router, request = _minute_scale(registry, store, workflow_factory, 0.90, 600.0, 0.85, 120.0)
    balanced = router.route(request, Strategy.BALANCED)
    assert balanced.candidate("a_quality").predicted_time_s == pytest.approx(600.0)
    assert balanced.candidate("b_speed").predicted_time_s == pytest.approx(120.0)
    assert balanced.selected == "b_speed"  # 5x faster for 0.05 less quality
    assert router.route(request, Strategy.BEST_QUALITY).selected == "a_quality"
    assert _naive_pick(balanced) == "a_quality"  # the naive formula would have collapsed to best quality


def test_balanced_keeps_quality_when_the_speed_gain_is_small(registry, store, workflow_factory):
    router, request = _minute_scale(registry, store, workflow_factory, 0.90, 130.0, 0.60, 120.0)
    balanced = router.route(request, Strategy.BALANCED)
    assert balanced.selected == "a_quality"
    assert router.route(request, Strategy.FASTEST).selected == "b_speed"


def test_balanced_weights_come_from_config(registry, store, workflow_factory):
    router, request = _minute_scale(registry, store, workflow_factory, 0.90, 130.0, 0.60, 120.0)
    config = RoutingConfig()
    config.routing.balanced_weights.quality = 0.0
    config.routing.balanced_weights.time = 1.0
    assert Router(registry, store, config).route(request, Strategy.BALANCED).selected == "b_speed"


def test_round_robin_rotates_and_persists_across_restarts(registry, tmp_path, workflow_factory):
    for name in ("c", "a", "b"):
        registry.register(workflow_factory(name))
    request = t2v(strategy="round_robin")
    store = HistoryStore(tmp_path)
    router = Router(registry, store)
    picks = []
    for _ in range(2):
        decision = router.route(request)
        assert router.route(request) == decision  # routing alone does not move the rotation
        router.advance_round_robin(decision)
        picks.append(decision.selected)
    assert picks == ["a", "b"]
    assert decision.fallbacks == ("c", "a")
    store.close()
    restarted = Router(registry, HistoryStore(tmp_path))
    decision = restarted.route(request)
    assert decision.selected == "c"
    restarted.advance_round_robin(decision)
    assert restarted.route(request).selected == "a"
    # Rotation is per capability.
    registry.register(workflow_factory("i2v", {Capability.IMAGE_TO_VIDEO: 0.8}))
    i2v = WorkflowRequest("p", Capability.IMAGE_TO_VIDEO, frames=81, has_image=True, strategy="round_robin")
    assert restarted.route(i2v).selected == "i2v"


def test_memory_budget_and_time_limit_are_hard_constraints(registry, workflow_factory):
    registry.register(workflow_factory("small", weight_gib=3, params=1.3e9))
    registry.register(workflow_factory("big", weight_gib=28, params=14e9))
    router = Router(registry)
    decision = router.route(t2v(memory_budget_bytes=24 * GIB), Strategy.BEST_QUALITY)
    assert decision.order == ("small",)
    assert decision.candidate("big").excluded_reason.startswith("predicted memory")
    assert "exceeds the budget of 24.00 GiB" in decision.candidate("big").excluded_reason
    big_time = router.route(t2v(), Strategy.FASTEST).candidate("big").predicted_time_s
    decision = router.route(t2v(time_limit_s=big_time / 2), Strategy.BEST_QUALITY)
    assert decision.order == ("small",)
    assert "exceeds the limit" in decision.candidate("big").excluded_reason


def test_no_eligible_lists_every_reason(registry, workflow_factory):
    registry.register(workflow_factory("wan"))
    registry.register(workflow_factory("qwen", {Capability.TEXT_TO_IMAGE: 0.9}, family="qwen_image"))
    with pytest.raises(NoEligibleWorkflowError) as info:
        Router(registry).route(t2v(frames=80))
    message = str(info.value)
    assert message.startswith("no eligible workflow for text_to_video: ")
    assert "qwen: does not support text_to_video" in message
    assert "wan: frames=80 is not 4n+1 (use 77 or 81)" in message
    assert info.value.reasons == {"qwen": "does not support text_to_video",
                                  "wan": "frames=80 is not 4n+1 (use 77 or 81)"}


def test_decision_report_is_complete_and_serialisable(registry, workflow_factory):
    registry.register(workflow_factory("a", params=1.3e9))
    registry.register(workflow_factory("b", params=5e9))
    registry.register(workflow_factory("img", {Capability.TEXT_TO_IMAGE: 0.9}, family="qwen_image"))
    decision = Router(registry).route(t2v(), Strategy.BALANCED)
    assert decision.selected == "a" and decision.fallbacks == ("b",)
    assert [c.workflow for c in decision.candidates] == ["a", "b", "img"]
    assert set(decision.candidate("a").terms) == {"quality", "quality_score", "predicted_time_s", "time_score"}
    assert decision.predicted_memory_bytes == decision.candidate("a").predicted_memory_bytes
    assert 0.0 <= decision.confidence <= 1.0
    data = json.loads(json.dumps(decision.to_dict()))
    assert data["strategy"] == "balanced" and data["selected"] == "a"
    text = decision.explain()
    assert "img: excluded - does not support text_to_video" in text


def test_default_strategy_comes_from_config(registry, workflow_factory):
    registry.register(workflow_factory("a"))
    config = RoutingConfig()
    config.routing.strategy = "least_memory"
    assert Router(registry, None, config).route(t2v()).strategy is Strategy.LEAST_MEMORY
    assert Router(registry, None, config).route(t2v(strategy="fastest")).strategy is Strategy.FASTEST
