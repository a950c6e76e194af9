"""The StoryCore Advanced Router's behaviour through API prompts on a real ComfyUI server: fallback on an
out-of-memory error raised inside ComfyUI's sampler, a user interrupt during sampling, only the chosen model's
file is read (and not again on the next prompt), impossible and malformed requests, and the strategies among
three wired workflows, learning from measured history that survives a server restart."""
import json
import time

import pytest

from comfyui_server import execution_error
from router_prompts import server  # noqa: F401  (the module-scoped server fixture)
from router_prompts import (conditioning_node, copy_model, fault_node, history_store, loader_node, probe_node,
                            probe_report, reset_probe, router_node, router_output, run_ok)


def wan_loader(server, model_name=None, variant="wan21_t2v"):
    node = loader_node(variant, "fp8_e4m3fn", server.models_root, server.tiny_models_dir)
    if model_name is not None:
        node["inputs"]["model_name"] = model_name
    return node


def outcomes(store, workflow) -> list[str]:
    return [row["outcome"] for row in store.recent_attempts(limit=100, workflow=workflow)]


def node_error(server, prompt) -> dict:
    status, body = server.submit(prompt)
    assert status == 200, body
    error = execution_error(server.wait_for(body["prompt_id"]))
    assert error is not None, "the prompt should have failed"
    return error


def test_out_of_memory_inside_sampling_falls_back_to_the_next_workflow(server):
    # Names decide the order of equal-quality candidates: the "aaa_oom" copy comes first.
    oom_file = copy_model(server, "wan21_t2v", "fp8_e4m3fn", "aaa_oom")
    reset_probe(server)
    prompt = {"oom_loader": wan_loader(server, oom_file), "oom": fault_node("oom_loader", "out_of_memory"),
              "ok": wan_loader(server), "cond": conditioning_node("wan"),
              "router": router_node(["oom", "ok"], "cond", strategy="best_quality"), "probe": probe_node("router")}
    entry = run_ok(server, prompt)
    _, report = router_output(entry)
    attempts = report["attempts"]
    assert [a["outcome"] for a in attempts] == ["out_of_memory", "success"]
    assert oom_file.replace(".safetensors", "").replace("_fp8_e4m3fn", "") in attempts[0]["workflow"]
    assert "out of memory" in attempts[0]["error"].lower() and attempts[0]["error_class"] == "OutOfMemoryError"
    assert report["workflow"] == attempts[1]["workflow"] != attempts[0]["workflow"]
    probe = probe_report(entry)
    assert probe["fault_calls"].get("out_of_memory", 0) >= 1  # raised from inside ComfyUI's model call
    assert probe["cleanup_calls"].get("unload_all_models", 0) >= 1  # ComfyUI's own functions freed memory
    assert probe["cleanup_calls"].get("soft_empty_cache", 0) >= 1
    store = history_store(server)
    assert "out_of_memory" in outcomes(store, attempts[0]["workflow"])
    assert "success" in outcomes(store, attempts[1]["workflow"])


def test_interrupt_during_sampling_stops_without_fallback_and_the_next_prompt_runs(server):
    slow_file = copy_model(server, "wan21_t2v", "fp8_e4m3fn", "aab_slow")
    marker = server.workdir / "output" / "storycore_test_fault_slow.started"
    marker.unlink(missing_ok=True)
    other_file = copy_model(server, "wan21_t2v", "fp8_e4m3fn", "zzz_never")
    prompt = {"slow_loader": wan_loader(server, slow_file), "slow": fault_node("slow_loader", "slow", 1.0),
              "other": wan_loader(server, other_file), "cond": conditioning_node("wan"),
              "router": router_node(["slow", "other"], "cond", strategy="best_quality", steps=8)}
    status, body = server.submit(prompt)
    assert status == 200, body
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert time.monotonic() < deadline, server.log_tail()
        time.sleep(0.1)
    server.interrupt()
    entry = server.wait_for(body["prompt_id"])
    assert entry["status"]["status_str"] == "error"
    assert "execution_interrupted" in [name for name, _ in entry["status"]["messages"]]
    store = history_store(server)
    slow_name = next(r["workflow"] for r in store.recent_attempts(limit=20) if "aab_slow" in r["workflow"])
    assert outcomes(store, slow_name)[0] == "interrupted"
    assert not [r for r in store.recent_attempts(limit=100) if "zzz_never" in r["workflow"]]  # no fallback
    after = {"ok": wan_loader(server), "cond": conditioning_node("wan"), "router": router_node(["ok"], "cond")}
    _, report = router_output(run_ok(server, after))
    assert report["success"]


def test_only_the_chosen_model_is_read_and_not_again_on_the_next_prompt(server):
    chosen = copy_model(server, "wan21_t2v", "fp8_e4m3fn", "ccc_chosen")
    unused = copy_model(server, "wan21_t2v", "fp8_e4m3fn", "zzz_unused")
    models = server.models_root / "diffusion_models"
    reset_probe(server)
    opened = []
    for _ in range(2):  # the second prompt differs only by its seed
        prompt = {"a": wan_loader(server, chosen), "b": wan_loader(server, unused), "cond": conditioning_node("wan"),
                  "router": router_node(["a", "b"], "cond", strategy="best_quality"), "probe": probe_node("router")}
        entry = run_ok(server, prompt)
        _, report = router_output(entry)
        assert "ccc_chosen" in report["workflow"]
        opened.append(probe_report(entry)["opened"])
    assert str((models / chosen).resolve()) in opened[0]
    assert str((models / unused).resolve()) not in opened[0] + opened[1]
    assert str((models / chosen).resolve()) not in opened[1]  # the cached model, not a reload


def test_impossible_requests_say_what_to_wire_or_change(server):
    base = {"t2v": wan_loader(server), "cond": conditioning_node("wan")}
    error = node_error(server, {**base, "router": router_node(["t2v"], "cond", capability="image_to_video")})
    assert error["node_type"] == "StoryCoreAdvancedRouter"
    message = error["exception_message"]
    assert "no wired workflow can do image_to_video" in message and "does not support image_to_video" in message

    ti2v = {"ti2v": wan_loader(server, variant="wan22_ti2v_5b"), "cond": conditioning_node("wan")}
    message = node_error(server, {**ti2v, "router": router_node(["ti2v"], "cond", capability="image_to_video")}
                         )["exception_message"]
    assert "image_to_video needs an input image" in message

    qwen_cond = {"t2v": wan_loader(server), "cond": conditioning_node("qwen_image")}
    message = node_error(server, {**qwen_cond, "router": router_node(["t2v"], "cond")})["exception_message"]
    assert "3584 wide" in message and "needs 4096" in message

    message = node_error(server, {"cond": conditioning_node("wan"), "router": router_node([], "cond")}
                         )["exception_message"]
    assert "no workflow is wired" in message
    _, report = router_output(run_ok(server, {**base, "router": router_node(["t2v"], "cond")}))
    assert report["success"]


@pytest.mark.parametrize("change", [{"capability": "text_to_music"}, {"width": -16}, {"strategy": "cheapest"},
                                    {"sampler": "no_such_sampler"}])
def test_malformed_requests_are_refused_at_validation(server, change):
    prompt = {"t2v": wan_loader(server), "cond": conditioning_node("wan"),
              "router": router_node(["t2v"], "cond", **change)}
    status, body = server.submit(prompt)
    # The router is refused at validation; the valid loader (an output node) may still run (HTTP 200 then).
    errors = body["node_errors"]["router"]["errors"]
    assert errors[0]["extra_info"]["input_name"] == next(iter(change))
    if status == 200:
        server.wait_for(body["prompt_id"])
    else:
        assert status == 400, body
    _, report = router_output(run_ok(server, {**prompt, "router": router_node(["t2v"], "cond")}))
    assert report["success"]


# -- strategies -----------------------------------------------------------------------------------------------
STRATEGY_VARIANTS = ("wan21_t2v", "wan22_ti2v_5b", "hunyuan_video_t2v")


def strategy_prompt(server, names, strategy, wired=None, slow=None):
    """Three fresh copies of different architectures, HunyuanVideo-1.0-shaped conditioning (4096 wide, pooled:
    it fits all three), cfg 1."""
    prompt = {"cond": conditioning_node("hunyuan_video_10")}
    ids = []
    for n, (variant, name) in enumerate(zip(STRATEGY_VARIANTS, names)):
        prompt[f"w{n}"] = loader_node(variant, "fp8_e4m3fn", server.models_root, server.tiny_models_dir,
                                      model_name=name)
        ids.append(f"w{n}")
    if slow is not None:  # index of the candidate made slow (3 s per model call)
        prompt["slow"] = fault_node(ids[slow], "slow", 3.0)
        ids[slow] = "slow"
    chosen = ids if wired is None else [ids[i] for i in wired]
    prompt["router"] = router_node(chosen, "cond", strategy=strategy, cfg=1.0)
    return prompt


def loader_indexes(entry) -> dict:
    """Workflow name -> its loader's index (w0, w1, w2), from the loaders' own reports."""
    out = {}
    for node_id, output in entry["outputs"].items():
        if node_id.startswith("w"):
            out[json.loads(output["text"][0])["name"]] = int(node_id[1:])
    return out


def eligible(report) -> dict:
    return {c["workflow"]: c for c in report["candidates"] if c["eligible"]}


def test_strategies_pick_as_designed_and_follow_measured_history_across_a_restart(server):
    names = [copy_model(server, v, "fp8_e4m3fn", "strategy") for v in STRATEGY_VARIANTS]
    # Before any run: fastest = the shortest bootstrap prediction, least_memory = the smallest predicted peak.
    entry = run_ok(server, strategy_prompt(server, names, "fastest"))
    index = loader_indexes(entry)
    _, report = router_output(entry)
    candidates = eligible(report)
    assert set(candidates) == set(index) and len(candidates) == 3
    assert all(c["time_prediction"]["basis"] == "bootstrap" for c in candidates.values())
    assert report["workflow"] == min(candidates, key=lambda n: candidates[n]["predicted_time_s"])
    slowed = report["workflow"]  # made slow below: measured history must overrule the bootstrap
    _, report = router_output(run_ok(server, strategy_prompt(server, names, "least_memory")))
    memory_before = {n: c["predicted_memory_bytes"] for n, c in eligible(report).items()}
    assert report["workflow"] == min(memory_before, key=memory_before.get)

    # Round robin visits every candidate in turn.
    picked = [router_output(run_ok(server, strategy_prompt(server, names, "round_robin")))[1]["workflow"]
              for _ in range(3)]
    assert sorted(picked) == sorted(index)

    # Measured history: the bootstrap-fastest model is made slow, and each runs twice alone.
    for _ in range(2):
        for i in range(3):
            run_ok(server, strategy_prompt(server, names, "fastest", wired=[i], slow=index[slowed]))
    decisions = []
    for restart in (False, True):
        if restart:
            server.restart()
        _, report = router_output(run_ok(server, strategy_prompt(server, names, "fastest")))
        candidates = eligible(report)
        assert all(c["time_prediction"]["basis"] != "bootstrap" for c in candidates.values())
        assert all(c["history_samples"] > 0 for c in candidates.values())
        assert report["workflow"] != slowed
        assert report["workflow"] == min(candidates, key=lambda n: candidates[n]["predicted_time_s"])
        decisions.append(report["workflow"])
        _, report = router_output(run_ok(server, strategy_prompt(server, names, "least_memory")))
        memory = {n: c["predicted_memory_bytes"] for n, c in eligible(report).items()}
        assert report["workflow"] == min(memory, key=memory.get)
        assert memory != memory_before  # corrected by the measured peaks
    assert decisions[0] == decisions[1]
