"""How the router node's inputs become the one request the routing core decides on (plain Python): auto values
from the wired workflows' templates, sizes rounded to a multiple every candidate accepts, frames to 4n+1, the
strategy, inputs present; and the per-prompt registry of exactly the wired workflows, with CONDITIONING of the
wrong width excluded and explained."""
import types

import pytest

from model_loaders.families import routing_defaults
from model_loaders.sampling.candidates import build_registry
from model_loaders.sampling.router_inputs import RouterInputs
from model_loaders.sampling.routing_run import routing_request
from model_loaders.sampling.settings import Overrides
from routing import Capability, InvalidRequestError, RequestRules, WorkflowRequest, config_from_dict
from routing.workflow import BaseAdvancedWorkflow

CONFIG = config_from_dict({}, routing_defaults())


def workflow(name, family, variant, capabilities, multiple=16):
    return BaseAdvancedWorkflow(name=name, family=family, variant=variant, capabilities={c: 0.5 for c in capabilities},
                                parameter_count=10**9, weight_bytes=10**9, rules=RequestRules(resolution_multiple=multiple))


WAN21 = workflow("wan21", "wan", "wan21_t2v", ["text_to_video"])
TI2V = workflow("ti2v", "wan", "wan22_ti2v_5b", ["text_to_video", "image_to_video"], multiple=32)
QWEN = workflow("qwen", "qwen_image", "qwen_image", ["text_to_image"])


def request_for(wired, capability="text_to_video", strategy="config", **overrides):
    inputs = RouterInputs(overrides=Overrides(**overrides), config=CONFIG)
    return routing_request("a fox", "", capability, strategy, inputs, [(f"workflow_{i}", w) for i, w in
                                                                        enumerate(wired, 1)],
                           memory_budget_gb=0.0, time_limit_s=0.0)


def test_auto_values_take_the_largest_template_among_the_candidates_serving_the_capability():
    request, notes = request_for([WAN21, TI2V, QWEN])
    # wan21_t2v: 832x480x33, 30 steps, cfg 6; ti2v: 1280x704x121, 20 steps, cfg 5 (qwen serves no video)
    assert (request.width, request.height, request.frames, request.steps, request.cfg) == (1280, 704, 121, 30, 6.0)
    assert request.strategy is None  # "config": the config's default strategy
    assert notes == []


def test_sizes_round_to_a_multiple_every_candidate_accepts_and_frames_to_4n_plus_1():
    request, notes = request_for([WAN21, TI2V], width=100, height=64, frames=10, steps=2, cfg=1.0)
    assert (request.width, request.height, request.frames) == (96, 64, 9)
    assert any("rounded to 96x64" in n and "multiple of 32" in n for n in notes)
    assert "frames 10 rounded to 9 (4n+1)" in notes
    assert not WAN21.validate_request(request) and not TI2V.validate_request(request)


def test_image_requests_have_one_frame_and_a_strategy_is_parsed():
    request, _ = request_for([QWEN], capability="text_to_image", strategy="least_memory", width=64, height=64)
    assert request.frames == 1 and request.capability is Capability.TEXT_TO_IMAGE
    assert str(request.strategy) == "least_memory"
    with pytest.raises(InvalidRequestError):
        request_for([QWEN], capability="text_to_music")


def conditioning(width):
    return [[types.SimpleNamespace(shape=(1, 16, width)), {}]]


def test_the_registry_holds_exactly_the_wired_workflows_and_excludes_conditioning_of_the_wrong_width():
    registry, notes = build_registry([("workflow_1", WAN21), ("workflow_2", QWEN), ("workflow_3", WAN21)],
                                     conditioning(4096), None,
                                     context_width_of=lambda w: 4096 if w.family == "wan" else 3584)
    assert sorted(w.name for w in registry.workflows()) == ["qwen", "wan21"]
    assert notes == ["workflow_3: wan21 is wired more than once; used once"]
    request = WorkflowRequest("a fox", "text_to_image", width=64, height=64)
    (problem,) = registry.get("qwen").validate_request(request)
    assert "4096 wide" in problem and "needs 3584" in problem and "leave positive/negative unwired" in problem
    assert registry.get("wan21").validate_request(WorkflowRequest("a fox", "text_to_video", width=64, height=64,
                                                                  frames=5)) == []
