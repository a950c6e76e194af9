"""API-prompt builders for the router's server tests: loader nodes for tiny fixture variants, test conditioning
of each family's shapes, the router node with explicit small settings, and the module-scoped `server` fixture."""
import itertools
import json

import pytest

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


def saved_latent(server, prefix):
    """The latent tensor SaveLatent wrote under `prefix` (the newest file)."""
    from safetensors.torch import load_file
    files = sorted((server.workdir / "output").glob(f"{prefix}*.latent"), key=lambda p: p.stat().st_mtime)
    assert files, f"no {prefix}*.latent in the output folder"
    return load_file(str(files[-1]))["latent_tensor"]


def saved_images(server, ui) -> list:
    """The images a node's UI output lists, read back through /view (PIL images)."""
    import io as bytes_io
    from PIL import Image
    images = []
    for entry in ui["images"]:
        status, body = server.get_raw(f"/view?filename={entry['filename']}&subfolder={entry['subfolder']}"
                                      f"&type={entry['type']}")
        assert status == 200
        images.append(Image.open(bytes_io.BytesIO(body)))
    return images


def a14b_i2v_loader_node(models_root, tiny_models_dir, precision="fp8_e4m3fn"):
    """Wan 2.2 A14B I2V needs a high/low-noise pair; the fixture is one expert, so its copy under a low-noise
    name serves as the other (a copy, not a link: the loader tells the experts apart by file name)."""
    import shutil
    node = loader_node("wan22_a14b_i2v", precision, models_root, tiny_models_dir)
    high = node["inputs"]["model_name"]
    low = high.replace("high_noise", "low_noise")
    target = models_root / "diffusion_models" / low
    if not target.exists():
        shutil.copy(models_root / "diffusion_models" / high, target)
    node["inputs"]["low_noise_model_name"] = low
    return node


def start_image_node(server, name="storycore_start.png", size=(64, 64)):
    """A LoadImage node for a small random image placed in the server's input folder."""
    import numpy as np
    from PIL import Image
    path = server.workdir / "input" / name
    if not path.exists():
        pixels = np.random.default_rng(0).integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)
        Image.fromarray(pixels).save(path)
    return {"class_type": "LoadImage", "inputs": {"image": name}}


def copy_model(server, variant_id, precision, tag) -> str:
    """A copy of a fixture under a new file name (a new workflow name, history and cache entry); returns its name.
    The tag goes after the fixture's stem, so the name keeps the hints the variant detection reads."""
    import shutil
    from tiny_models import VARIANTS, write_checkpoint
    source = write_checkpoint(variant_id, precision, server.tiny_models_dir)
    name = f"{VARIANTS[variant_id].file_stem}_{tag}_{precision}.safetensors"
    target = server.models_root / "diffusion_models" / name
    if not target.exists():
        shutil.copy(source, target)
    return name


def fault_node(workflow_node, fault, seconds_per_call=0.0):
    return {"class_type": "StoryCoreTestSamplingFault",
            "inputs": {"workflow": [workflow_node, 0], "fault": fault, "seconds_per_call": seconds_per_call}}


def probe_node(after):
    return {"class_type": "StoryCoreTestProbe", "inputs": {"after": [after, 3]}}


def reset_probe(server):
    """Run the probe alone, so that the next probe reports only what happened after this."""
    run_ok(server, {"s": {"class_type": "PrimitiveString", "inputs": {"value": "reset"}},
                    "probe": {"class_type": "StoryCoreTestProbe", "inputs": {"after": ["s", 0]}}})


def probe_report(entry, node_id="probe") -> dict:
    return json.loads(entry["outputs"][node_id]["text"][0])


def history_store(server):
    """The router's performance history in the server's ComfyUI user directory."""
    from routing import HistoryStore
    return HistoryStore(server.workdir / "user" / "storycore")


@pytest.fixture(scope="module")
def server(comfyui_server_workdir, tiny_models_dir, request):
    """The session's ComfyUI server, with where the router tests place their model files (import it into a test
    module to use it)."""
    server = request.getfixturevalue("comfyui_server")
    server.models_root = comfyui_server_workdir / "models"
    server.tiny_models_dir = tiny_models_dir
    return server
