"""The models the router keeps between prompts, on a real ComfyUI server: a repeated prompt reuses them (no load
stage, the file not read again), also after a prompt without the loader (ComfyUI runs the loader again: a new
workflow object for the same files); ComfyUI's POST /free releases them: after /free with unload_models + free_memory the
next prompt loads and reads the file again; a /free that asks for neither keeps them."""
import json
import urllib.request

import pytest

from router_prompts import server  # noqa: F401  (the module-scoped server fixture)
from router_prompts import (conditioning_node, copy_model, loader_node, probe_node, probe_report, reset_probe,
                            router_node, router_output, run_ok)


def post_free(server, body: dict, route="/free") -> int:
    request = urllib.request.Request(server.base_url + route, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status


def loader(server, model_name):
    return loader_node("wan21_t2v", "fp8_e4m3fn", server.models_root, server.tiny_models_dir, model_name=model_name)


def run_router(server, model_name):
    """(report, files opened for weight reading since the last probe) of one router prompt."""
    entry = run_ok(server, {"loader": loader(server, model_name), "cond": conditioning_node("wan"),
                            "router": router_node(["loader"], "cond"), "probe": probe_node("router")})
    _, report = router_output(entry)
    return report, probe_report(entry)["opened"]


def settle(server, model_name):
    """Two prompts of the same loader alone (cached, so its workflow stays the same object): ComfyUI's worker
    applies /free's flags (and collects garbage) after a prompt at the latest, so after the second they apply."""
    for _ in range(2):
        run_ok(server, {"loader": loader(server, model_name)})


def loaded(report) -> bool:
    return report["attempts"][0]["timings_s"].get("load", 0) > 0


@pytest.mark.parametrize("route", ["/free", "/api/free"])
def test_free_releases_the_kept_models_and_the_next_prompt_loads_again(server, route):
    name = copy_model(server, "wan21_t2v", "fp8_e4m3fn", "free" + route.replace("/", "_"))
    path = str((server.models_root / "diffusion_models" / name).resolve())
    reset_probe(server)
    report, opened = run_router(server, name)
    assert loaded(report) and path in opened
    report, opened = run_router(server, name)  # kept: nothing loads
    assert not loaded(report) and path not in opened

    assert post_free(server, {"unload_models": False, "free_memory": False}, route) == 200
    settle(server, name)
    report, opened = run_router(server, name)  # asked for nothing: still kept
    assert not loaded(report) and path not in opened

    # unload_models alone keeps ComfyUI's cached node outputs (the loader's workflow is the same object), so only
    # the release makes the router load and read the file again.
    for body in ({"unload_models": True}, {"unload_models": True, "free_memory": True}):
        assert post_free(server, body, route) == 200
        settle(server, name)
        report, opened = run_router(server, name)
        assert loaded(report), body
        assert path in opened, body  # read from the file again: nothing kept the model alive
        report, opened = run_router(server, name)  # and kept again for the next prompt
        assert not loaded(report) and path not in opened


def test_a_prompt_without_the_loader_in_between_keeps_the_models(server):
    name = copy_model(server, "wan21_t2v", "fp8_e4m3fn", "kept_between")
    path = str((server.models_root / "diffusion_models" / name).resolve())
    reset_probe(server)
    report, opened = run_router(server, name)
    assert loaded(report) and path in opened
    reset_probe(server)  # a prompt without the loader: ComfyUI drops the loader's cached output
    report, opened = run_router(server, name)
    assert not loaded(report) and path not in opened
