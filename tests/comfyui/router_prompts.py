"""API-prompt builders for the router's server tests: loader nodes for tiny fixture variants, test conditioning
of each family's shapes, and the router node with explicit small settings."""
import itertools
import json

from comfyui_server import execution_error
from loader_files import LOADER_NODES, variant_loader_inputs

# Conditioning of each family's real widths (tiny_models' specs): context dim, pooled dim, byt5 dim.
CONDITIONING = {
    "wan": dict(context_dim=4096, pooled_dim=0, pooled_key=False, byt5_dim=0),
    "hunyuan_video_10": dict(context_dim=4096, pooled_dim=768, pooled_key=True, byt5_dim=0),
    "hunyuan_video_15": dict(context_dim=3584, pooled_dim=0, pooled_key=True, byt5_dim=1472),
    "qwen_image": dict(context_dim=3584, pooled_dim=0, pooled_key=False, byt5_dim=0),
    "newbie": dict(context_dim=2560, pooled_dim=1024, pooled_key=False, byt5_dim=0),
}
_seeds = itertools.count(1)

ROUTER_DEFAULTS = dict(capability="text_to_video", strategy="config", prompt="a red fox in the snow",
                       negative_prompt="", width=64, height=64, frames=5, steps=2, cfg=2.0, shift=5.0,
                       sampler="euler", scheduler="simple", denoise=1.0, memory_budget_gb=0.0, time_limit_s=0.0,
                       filename_prefix="storycore_router_test")


def loader_node(variant_id, precision, models_root, tiny_models_dir, **overrides):
    from tiny_models import VARIANTS
    inputs = variant_loader_inputs(variant_id, precision, models_root, tiny_models_dir)
    inputs.update(overrides)
    return {"class_type": LOADER_NODES[VARIANTS[variant_id].family], "inputs": inputs}


def conditioning_node(kind, tokens=16, seed=0):
    return {"class_type": "StoryCoreTestConditioning", "inputs": dict(CONDITIONING[kind], tokens=tokens, seed=seed)}


def router_node(workflows, conditioning=None, **inputs):
    """`workflows`: node ids of loader (or fault) nodes; `conditioning`: the node id of a test conditioning node."""
    values = dict(ROUTER_DEFAULTS, seed=next(_seeds))  # a new seed: the prompt really runs, not from cache
    values.update(inputs)
    for n, node_id in enumerate(workflows, 1):
        values[f"workflow_{n}"] = [node_id, 0]
    if conditioning is not None:
        values["positive"], values["negative"] = [conditioning, 0], [conditioning, 1]
    return {"class_type": "StoryCoreAdvancedRouter", "inputs": values}


def run_ok(server, prompt, timeout=600) -> dict:
    entry = server.run(prompt, timeout=timeout)
    assert entry["status"]["status_str"] == "success", json.dumps(execution_error(entry))[:4000]
    return entry


def router_output(entry, node_id="router") -> tuple[dict, dict]:
    """(the router's UI output, its report)."""
    out = entry["outputs"][node_id]
    return out, json.loads(out["text"][0])
