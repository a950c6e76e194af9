"""Circuit breaker with an injected clock (no sleeping)."""
from __future__ import annotations

import pytest

from routing import Capability, CircuitBreaker, NoEligibleWorkflowError, Router, WorkflowRequest


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_opens_after_threshold_and_closes_after_cooldown():
    clock = Clock()
    breaker = CircuitBreaker(failure_threshold=3, cooldown_s=60, clock=clock)
    for _ in range(2):
        breaker.record_failure("a")
    assert breaker.state("a") == "closed" and breaker.exclusion_reason("a") is None
    breaker.record_failure("a")
    assert breaker.state("a") == "open"
    assert breaker.exclusion_reason("a") == "circuit open after 3 consecutive failures (back in 60s)"
    clock.now += 59
    assert breaker.state("a") == "open"
    clock.now += 1
    assert breaker.state("a") == "half_open" and breaker.exclusion_reason("a") is None
    breaker.record_failure("a")  # the trial run fails: open again at once
    assert breaker.state("a") == "open"
    clock.now += 60
    breaker.record_success("a")
    assert breaker.state("a") == "closed"


def test_success_resets_the_count():
    breaker = CircuitBreaker(failure_threshold=2, cooldown_s=10, clock=Clock())
    breaker.record_failure("a")
    breaker.record_success("a")
    breaker.record_failure("a")
    assert breaker.state("a") == "closed"


def test_router_sets_aside_open_workflows(registry, workflow_factory):
    clock = Clock()
    registry.register(workflow_factory("a", params=1e9))
    registry.register(workflow_factory("b", params=14e9))
    from routing import RoutingConfig

    config = RoutingConfig()
    config.performance.breaker_failure_threshold = 2
    config.performance.breaker_cooldown_s = 120
    router = Router(registry, None, config, CircuitBreaker(clock=clock))
    request = WorkflowRequest("p", Capability.TEXT_TO_VIDEO, frames=33, strategy="fastest")
    assert router.route(request).selected == "a"
    router.breaker.record_failure("a")
    router.breaker.record_failure("a")
    decision = router.route(request)
    assert decision.selected == "b"
    assert "circuit open after 2 consecutive failures" in decision.candidate("a").excluded_reason
    router.breaker.record_failure("b")
    router.breaker.record_failure("b")
    with pytest.raises(NoEligibleWorkflowError, match="circuit open"):
        router.route(request)
    clock.now += 120
    assert router.route(request).selected == "a"
    assert router.breaker.open_workflows() == {}
