"""The pack's server routes on a real ComfyUI server (both versions): /storycore/registry, /stats, /health and the
POST /storycore/route dry run, also under /api/. Workflows come from real loader runs; the dry run must decide
exactly as the router node then does; bad bodies get HTTP 400 naming the field and never hurt the server;
no response names a directory (the server runs with a broken STORYCORE_CONFIG in a folder whose name holds spaces
to show its error without its path)."""
import json
import os
import urllib.error
import urllib.request

import pytest

from comfyui_server import ComfyUIServer
from conftest import COMFYUI, REPO_ROOT
from router_prompts import conditioning_node, loader_node, router_node, router_output, run_ok

CONFIG_FOLDER = "my storycore configs"  # spaces: a path must not leak in pieces
ROUTER_VALUES = dict(capability="text_to_video", strategy="config", prompt="a red fox in the snow",
                     negative_prompt="", width=64, height=64, frames=5, steps=2, cfg=2.0, shift=5.0,
                     sampler="euler", scheduler="simple", denoise=1.0, memory_budget_gb=0.0, time_limit_s=0.0)


@pytest.fixture(scope="module")
def server(tmp_path_factory, tiny_models_dir):
    workdir = tmp_path_factory.mktemp("routes_server")
    server = ComfyUIServer(COMFYUI, REPO_ROOT, workdir)
    server.prepare()
    broken = workdir / CONFIG_FOLDER / "storycore_broken.yaml"
    broken.parent.mkdir()
    broken.write_text("routing: {strategy: not_a_strategy}\n")
    old = os.environ.get("STORYCORE_CONFIG")
    os.environ["STORYCORE_CONFIG"] = str(broken)
    try:
        server.start()
    finally:
        if old is None:
            os.environ.pop("STORYCORE_CONFIG")
        else:
            os.environ["STORYCORE_CONFIG"] = old
    server.models_root = workdir / "models"
    server.tiny_models_dir = tiny_models_dir
    try:
        yield server
    finally:
        server.stop()


def call(server, route, body=None, raw=None):
    """(status, parsed JSON, raw bytes) of a GET (body None) or POST."""
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    request = urllib.request.Request(server.base_url + route, data=data,
                                     headers={"Content-Type": "application/json"} if data is not None else {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            status, payload = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, payload = error.code, error.read()
    return status, json.loads(payload), payload


def assert_no_directories(server, payload: bytes):
    text = payload.decode()
    for directory in (str(server.workdir), str(server.tiny_models_dir), str(REPO_ROOT), str(COMFYUI), CONFIG_FOLDER,
                      server.workdir.name):
        assert directory not in text


def loaders(server):
    return {
        "wan": loader_node("wan21_t2v", "fp8_e4m3fn", server.models_root, server.tiny_models_dir),
        "ti2v": loader_node("wan22_ti2v_5b", "fp8_e4m3fn", server.models_root, server.tiny_models_dir),
        "newbie": loader_node("newbie", "fp8_e4m3fn", server.models_root, server.tiny_models_dir),
    }


@pytest.fixture(scope="module")
def registered(server):
    """Names of the three workflows after their loader nodes ran once."""
    entry = run_ok(server, loaders(server))
    return {node: json.loads(entry["outputs"][node]["text"][0])["name"] for node in ("wan", "ti2v", "newbie")}


def test_before_any_loader_ran_the_registry_is_empty_and_health_reports_the_broken_config(server):
    status, registry, _ = call(server, "/storycore/registry")
    assert status == 200 and registry["workflows"] == [] and registry["served"] == []
    assert len(registry["capabilities"]) == 10
    status, health, payload = call(server, "/storycore/health")
    assert status == 200
    assert health["store"]["ok"] and health["store"]["path"] == "storycore_routing_history.sqlite3"
    assert health["config"]["loaded"] is False and health["config"]["path"] == "storycore_broken.yaml"
    assert "not_a_strategy" in health["config"]["last_error"]
    assert health["ok"] is False  # the config did not load
    assert_no_directories(server, payload)


def test_registry_lists_what_the_loaders_registered_with_the_capability_matrix(server, registered):
    status, registry, payload = call(server, "/storycore/registry")
    assert status == 200
    by_name = {w["name"]: w for w in registry["workflows"]}
    assert set(by_name) == set(registered.values())
    wan = by_name[registered["wan"]]
    assert (wan["family"], wan["variant"]) == ("wan", "wan21_t2v")
    assert {"text_to_video", "image_to_video"} & set(wan["capabilities"]) and wan["weight_bytes"] > 0
    assert wan["files"]["model"].endswith(".safetensors") and "/" not in wan["files"]["model"]
    matrix = registry["capability_matrix"]
    assert set(matrix["text_to_video"]) == {registered["wan"], registered["ti2v"]}
    assert set(matrix["anime_generation"]) == {registered["newbie"]}
    assert matrix["anime_generation"][registered["newbie"]]["runnable"] is True
    assert {"text_to_video", "text_to_image", "anime_generation"} <= set(registry["served"])
    assert_no_directories(server, payload)
    status, mirrored, _ = call(server, "/api/storycore/registry")
    assert status == 200 and mirrored == registry


def dry_run_body(registered, **values):
    body = dict(ROUTER_VALUES, workflows=[registered[n] for n in ("wan", "ti2v", "newbie")], conditioning_width=4096)
    body.update(values)
    return body


def test_the_dry_run_decides_exactly_as_the_router_node_then_does(server, registered):
    status, planned, payload = call(server, "/storycore/route", dry_run_body(registered, strategy="fastest"))
    assert status == 200, planned
    assert_no_directories(server, payload)
    assert planned["decision"]["selected"] in (registered["wan"], registered["ti2v"])
    assert registered["newbie"] in planned["excluded"]
    prompt = dict(loaders(server), cond=conditioning_node("wan"),
                  router=router_node(["wan", "ti2v", "newbie"], "cond", strategy="fastest"))
    _, report = router_output(run_ok(server, prompt))
    assert report["decision"] == planned["decision"]
    assert report["candidates"] == planned["candidates"]
    assert report["request"]["width"] == planned["request"]["width"] == 64


def test_stats_per_workflow_and_capability_with_filters(server, registered):
    prompt = dict(loaders(server), cond=conditioning_node("wan"), router=router_node(["wan"], "cond"))
    _, report = router_output(run_ok(server, prompt))
    status, stats, _ = call(server, "/storycore/stats?capability=text_to_video")
    assert status == 200
    entry = next(s for s in stats["stats"] if s["workflow"] == report["workflow"])
    assert entry["capability"] == "text_to_video" and entry["runs"] >= 1 and entry["success_rate"] == 1.0
    assert entry["median_time_s"] > 0 and entry["p90_time_s"] >= entry["median_time_s"]
    newest = stats["runs"][0]
    assert newest["workflow"] == report["workflow"] and newest["outcome"] == "success"
    assert newest["time_s"] == pytest.approx(report["attempts"][-1]["time_s"], abs=1e-3)
    _, images, _ = call(server, "/storycore/stats?capability=text_to_image")
    assert images["stats"] == [] and images["runs"] == []
    _, recent, _ = call(server, "/storycore/stats?window_s=0.000001")
    assert recent["stats"] == []  # every run started more than a microsecond ago
    _, one, _ = call(server, "/storycore/stats?limit=1&workflow=" + urllib.request.quote(report["workflow"]))
    assert len(one["runs"]) == 1 and {s["workflow"] for s in one["stats"]} == {report["workflow"]}


def test_dry_run_explains_exclusions_for_the_wiring_the_caller_describes(server, registered):
    _, narrow, _ = call(server, "/storycore/route", dry_run_body(registered, conditioning_width=2560))
    assert narrow["decision"] is None
    assert "2560 wide" in narrow["excluded"][registered["wan"]]
    _, i2v, _ = call(server, "/storycore/route", dry_run_body(registered, capability="image_to_video"))
    assert i2v["decision"] is None and "needs an input image" in i2v["excluded"][registered["ti2v"]]
    assert "does not support image_to_video" in i2v["excluded"][registered["wan"]]
    _, with_image, _ = call(server, "/storycore/route",
                            dry_run_body(registered, capability="image_to_video", inputs=["image"]))
    assert with_image["decision"]["selected"] == registered["ti2v"]
    _, everything, _ = call(server, "/storycore/route", {"capability": "anime_generation"})
    assert everything["decision"]["selected"] == registered["newbie"]


@pytest.mark.parametrize("raw,field", [
    (b"{not json", "body"),
    (b"[1, 2]", "body"),
    (json.dumps({"capabilty": "text_to_video"}).encode(), "capabilty"),
    (json.dumps({"prompt": "x"}).encode(), "capability"),
    (json.dumps({"capability": "text_to_sound"}).encode(), "capability"),
    (json.dumps({"capability": "text_to_video", "width": "wide"}).encode(), "width"),
    (json.dumps({"capability": "text_to_video", "width": 99999}).encode(), "width"),
    (json.dumps({"capability": "text_to_video", "steps": 2.5}).encode(), "steps"),
    (json.dumps({"capability": "text_to_video", "workflows": ["nope"]}).encode(), "workflows[0]"),
    (json.dumps({"capability": "text_to_video", "inputs": ["audio"]}).encode(), "inputs.audio"),
    (b'{"capability": "text_to_video", "prompt": "' + b"x" * 200_000 + b'"}', "body"),
])
def test_bad_bodies_get_400_naming_the_field_and_the_server_keeps_serving(server, raw, field):
    status, answer, payload = call(server, "/storycore/route", raw=raw)
    assert status == 400 and answer["error"]["field"] == field, answer
    assert answer["error"]["message"]
    assert_no_directories(server, payload)
    assert call(server, "/storycore/health")[0] == 200


@pytest.mark.parametrize("query,field", [("capability=bogus", "capability"), ("limit=0", "limit"),
                                         ("window_s=abc", "window_s"), ("since=1", "since")])
def test_bad_stats_queries_get_400_naming_the_parameter(server, query, field):
    status, answer, _ = call(server, "/storycore/stats?" + query)
    assert status == 400 and answer["error"]["field"] == field
