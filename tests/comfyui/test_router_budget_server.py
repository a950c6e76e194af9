"""The router's memory_budget_gb and time_limit_s through API prompts on a real ComfyUI server (tiny models, test
conditioning): a budget excludes exactly the workflows predicted above it (the reason in the report), a time limit
does likewise once measured history says which workflow is slow, and a budget or limit nothing fits is a node
error that names the input to change. The predictions are read from the POST /storycore/route dry run just
before each prompt (same history, same code), so the test needs no figures of its own."""
from router_prompts import server  # noqa: F401  (the module-scoped server fixture)
from router_prompts import (conditioning_node, copy_model, fault_node, loader_node, router_node, router_output,
                            run_ok)
from test_router_behaviour_server import STRATEGY_VARIANTS, node_error, strategy_prompt
from route_calls import dry_run as post_dry_run

GIB = 1024**3


def dry_run(server, names, **values) -> dict:
    status, body = post_dry_run(server, strategy="best_quality", cfg=1.0, conditioning_width=4096, workflows=names,
                                **values)
    assert status == 200, body
    return {c["workflow"]: c for c in body["candidates"]}


def test_a_memory_budget_excludes_the_workflows_predicted_above_it(server):
    files = [copy_model(server, v, "fp8_e4m3fn", "budget") for v in STRATEGY_VARIANTS]
    _, first = router_output(run_ok(server, strategy_prompt(server, files, "best_quality")))
    names = [c["workflow"] for c in first["candidates"]]
    assert len(names) == 3
    memory = {n: c["predicted_memory_bytes"] for n, c in dry_run(server, names).items()}
    smallest, second = sorted(memory.values())[:2]
    assert smallest < second, memory  # the three architectures differ in size
    budget_gb = (smallest + second) / 2 / GIB

    prompt = strategy_prompt(server, files, "best_quality")
    prompt["router"]["inputs"]["memory_budget_gb"] = budget_gb
    _, report = router_output(run_ok(server, prompt))
    assert report["request"]["memory_budget_bytes"] == int(budget_gb * GIB)
    excluded = {c["workflow"]: c["excluded_reason"] for c in report["candidates"] if not c["eligible"]}
    eligible = [c["workflow"] for c in report["candidates"] if c["eligible"]]
    assert eligible == [min(memory, key=memory.get)] == [report["workflow"]]
    assert set(excluded) == {n for n in names if memory[n] > budget_gb * GIB}
    assert all("exceeds the budget" in why for why in excluded.values())

    prompt = strategy_prompt(server, files, "best_quality")
    prompt["router"]["inputs"]["memory_budget_gb"] = smallest / 2 / GIB
    error = node_error(server, prompt)
    assert error["node_type"] == "StoryCoreAdvancedRouter"
    message = error["exception_message"]
    assert "memory_budget_gb" in message and all(n in message for n in names)
    _, report = router_output(run_ok(server, strategy_prompt(server, files, "best_quality")))  # still serving
    assert report["success"]


def time_prompt(server, fast, slow, wired=("fast", "slow"), **router_inputs):
    """Two copies of the tiny Wan 2.1; the slow one sleeps 6 s per model call inside ComfyUI's sampler (more than a
    tiny run's own time varies on a busy machine: 2 s was seen to be less)."""
    prompt = {"fast": loader_node("wan21_t2v", "fp8_e4m3fn", server.models_root, server.tiny_models_dir,
                                  model_name=fast),
              "slow_loader": loader_node("wan21_t2v", "fp8_e4m3fn", server.models_root, server.tiny_models_dir,
                                         model_name=slow),
              "slow": fault_node("slow_loader", "slow", 6.0), "cond": conditioning_node("wan")}
    prompt["router"] = router_node(list(wired), "cond", strategy="best_quality", cfg=1.0, **router_inputs)
    return prompt


def test_a_time_limit_excludes_the_workflow_history_shows_to_be_slow(server):
    fast, slow = (copy_model(server, "wan21_t2v", "fp8_e4m3fn", tag) for tag in ("limit_fast", "limit_slow"))
    names = {}
    for wired in (["fast"], ["slow"]):  # one measured run each
        _, report = router_output(run_ok(server, time_prompt(server, fast, slow, wired)))
        names[wired[0]] = report["workflow"]
    planned = dry_run(server, list(names.values()))
    times = {key: planned[name]["predicted_time_s"] for key, name in names.items()}
    assert all(planned[n]["time_prediction"]["basis"] != "bootstrap" for n in names.values())
    assert times["fast"] < times["slow"], times
    limit = (times["fast"] + times["slow"]) / 2

    _, report = router_output(run_ok(server, time_prompt(server, fast, slow, time_limit_s=limit)))
    assert report["request"]["time_limit_s"] == limit
    assert report["workflow"] == names["fast"]
    excluded = {c["workflow"]: c["excluded_reason"] for c in report["candidates"] if not c["eligible"]}
    assert list(excluded) == [names["slow"]] and "exceeds the limit" in excluded[names["slow"]]

    error = node_error(server, time_prompt(server, fast, slow, time_limit_s=times["fast"] / 2))
    message = error["exception_message"]
    assert error["node_type"] == "StoryCoreAdvancedRouter"
    assert "time_limit_s" in message and names["fast"] in message and names["slow"] in message
