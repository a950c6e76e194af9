"""End to end through a real ComfyUI server: the pack loads from outside the ComfyUI tree (extra model
paths file, unusual folder name), lists its nodes, inspects every fixture family through API prompts,
and turns every bad input into a node error while the server keeps serving."""
import json
import os
import re
import shutil
import urllib.parse
from pathlib import Path

import pytest

from bad_checkpoints import BAD_FILES, BAD_NAMES
from comfyui_server import PACK_FOLDER_NAME, execution_error
from example_checks import FRONTEND_NODES, widget_inputs, widget_values
from tiny_models import write_checkpoint

INSPECTOR = "StoryCoreCheckpointInspector"
REPO_ROOT = Path(__file__).resolve().parents[2]
LIVENESS_FILE = "wan2.1_t2v_liveness_check.safetensors"  # a real copy: its mtime is ours to change
# One fixture per family, in a mix of storage formats: (variant id, precision) -> what must be reported.
FAMILY_FIXTURES = [
    ("wan22_a14b_t2v_high_noise", "fp8_e4m3fn", "wan", "wan22_a14b_t2v", "fp8_e4m3fn"),
    ("hunyuan_video_i2v_concat", "scaled_fp8", "hunyuan_video", "hunyuan_video_i2v_concat", "scaled_fp8"),
    ("qwen_image_edit_2511", "comfy_quant", "qwen_image", "qwen_image_edit_2511", "comfy_quant"),
    ("newbie", "comfy_quant_metadata", "newbie", "newbie", "comfy_quant_metadata"),
]


@pytest.fixture(scope="module")
def server(comfyui_server_workdir, tiny_models_dir, request):
    """The session server, with the fixtures and the bad files in its diffusion_models folder."""
    folder = comfyui_server_workdir / "models" / "diffusion_models"
    folder.mkdir(parents=True, exist_ok=True)
    names = {}
    for variant, precision, *_ in FAMILY_FIXTURES:
        source = write_checkpoint(variant, precision, tiny_models_dir)
        link = folder / source.name
        if not link.exists():
            link.symlink_to(source)  # models symlinked in from another disk: a common real setup
        names[(variant, precision)] = source.name
    shutil.copyfile(write_checkpoint("wan21_t2v", "bf16", tiny_models_dir), folder / LIVENESS_FILE)
    for bad in BAD_FILES:
        bad.write(folder)
    server = request.getfixturevalue("comfyui_server")
    server.fixture_names = names
    return server


def inspector_prompt(model_name: str) -> dict:
    return {"1": {"class_type": INSPECTOR, "inputs": {"model_name": model_name}}}


def inspect_via_api(server, model_name: str) -> dict:
    entry = server.run(inspector_prompt(model_name))
    assert entry["status"]["status_str"] == "success", json.dumps(entry["status"])[:3000]
    return json.loads(entry["outputs"]["1"]["text"][0])


LORA_INPUTS = ["lora_1", "lora_1_strength", "lora_2", "lora_2_strength", "precision"]
EXPECTED_NODES = {  # node id -> (every input, output types)
    INSPECTOR: (["model_name"], ["STRING"]),
    "StoryCoreWanLoader": (["model_name", "low_noise_model_name", "text_encoder", "vae", "clip_vision",
                            *LORA_INPUTS, "variant", "alpha_vae"], ["STORYCORE_WORKFLOW"]),
    "StoryCoreHunyuanVideoLoader": (["model_name", "sr_model_name", "text_encoder", "text_encoder_2", "vae",
                                     "clip_vision", *LORA_INPUTS, "variant", "latent_upsampler"],
                                    ["STORYCORE_WORKFLOW"]),
    "StoryCoreQwenImageLoader": (["model_name", "text_encoder", "vae", *LORA_INPUTS, "variant", "upscale_model"],
                                 ["STORYCORE_WORKFLOW"]),
    "StoryCoreNewBieLoader": (["model_name", "text_encoder", "text_encoder_2", "vae", *LORA_INPUTS],
                              ["STORYCORE_WORKFLOW"]),
    "StoryCoreWorkflowModels": (["workflow"], ["MODEL", "MODEL", "VAE", "CLIP_VISION"]),
    "StoryCoreWorkflowTextEncoder": (["workflow"], ["CLIP"]),
    # The router's inputs are a public contract (programs drive it through API prompts): this pins them.
    "StoryCoreAdvancedRouter": (["capability", "strategy", "prompt", "negative_prompt", "width", "height", "frames",
                                 "steps", "cfg", "shift", "sampler", "scheduler", "seed", "denoise",
                                 "memory_budget_gb", "time_limit_s", "filename_prefix",
                                 *[f"workflow_{n}" for n in range(1, 9)], "positive", "negative", "image",
                                 "end_image", "mask", "video", "reference_image", "layers", "upscale_factor"],
                                ["IMAGE", "MASK", "LATENT", "STRING", "STRING"]),
}


def test_object_info_lists_every_node_with_its_schema(server):
    info = server.get("/object_info")
    ours = sorted(k for k in info if k.startswith("StoryCore") and not k.startswith("StoryCoreTest"))
    assert ours == sorted(EXPECTED_NODES), f"server log:\n{server.log_tail()}"
    for node_id, (inputs, outputs) in EXPECTED_NODES.items():
        node = info[node_id]
        declared = {**node["input"].get("required", {}), **node["input"].get("optional", {})}
        assert list(declared) == inputs, node_id
        assert node["output"] == outputs, node_id
        assert all(spec[1].get("tooltip") for spec in declared.values()), f"{node_id}: an input lacks a tooltip"
        assert node["display_name"].startswith("StoryCore ")
    model_input = info[INSPECTOR]["input"]["required"]["model_name"]
    options = model_input[1]["options"] if model_input[0] == "COMBO" else model_input[0]
    for name in server.fixture_names.values():
        assert name in options


def test_example_workflows_use_only_known_nodes_and_their_widgets(server):
    """Each example workflow (graph-editor format) loads on this ComfyUI: every node type exists, and our nodes'
    saved widget values match their current inputs."""
    info = server.get("/object_info")
    examples = sorted((REPO_ROOT / "example_workflows").glob("*.json"))
    assert examples
    for path in examples:
        workflow = json.loads(path.read_text())
        for node in workflow["nodes"]:
            if node["type"] in FRONTEND_NODES:  # notes: the editor's own nodes, not in /object_info
                continue
            assert node["type"] in info, f"{path.name}: unknown node type {node['type']}"
            if node["type"] in EXPECTED_NODES:
                left_over, named = widget_values(node, info[node["type"]])
                wanted = {name for name, _ in widget_inputs(info[node["type"]])}
                assert not left_over and wanted <= set(named), (path.name, node["type"], wanted - set(named))


def test_pack_loads_from_outside_the_tree_under_an_unusual_folder_name(server):
    assert "IMPORT FAILED" not in server.log_text()
    scripts = server.get("/extensions")
    ours = [s for s in scripts if PACK_FOLDER_NAME in urllib.parse.unquote(s)]
    assert ours, f"web/js not listed; /extensions = {scripts}"
    served = [server.get_raw(s) for s in ours]  # the URLs the frontend loads (each .js file is imported)
    assert all(status == 200 for status, _ in served)
    assert any(b"registerExtension" in body for _, body in served)
    # Every module they import resolves, relative to where it is served (a wrong "../" breaks it silently).
    for url, (_, body) in zip(ours, served):
        for relative in re.findall(rb'from\s+"(\.[^"]+)"', body):
            target = urllib.parse.urljoin(url, relative.decode())
            assert server.get_raw(target)[0] == 200, f"{url} imports {relative.decode()} -> {target}: not found"


@pytest.mark.parametrize("fixture", FAMILY_FIXTURES, ids=[f"{v}-{p}" for v, p, *_ in FAMILY_FIXTURES])
def test_inspector_prompt_succeeds_on_each_family(server, fixture):
    variant, precision, family, expected_variant, expected_format = fixture
    description = inspect_via_api(server, server.fixture_names[(variant, precision)])
    assert description["family"] == family
    assert description["variant"] == expected_variant
    assert description["precision"]["format"] == expected_format


@pytest.mark.parametrize("name,parts", BAD_NAMES, ids=[n for n, _ in BAD_NAMES])
def test_bad_name_is_a_validation_error_and_server_keeps_serving(server, name, parts):
    status, body = server.submit(inspector_prompt(name))
    assert status == 400
    details = " ".join(e.get("details", "") for e in body["node_errors"]["1"]["errors"]).lower()
    for part in parts:
        assert part in details, details
    assert_server_still_serves(server)


@pytest.mark.parametrize("bad", BAD_FILES, ids=lambda b: b.file_name)
def test_bad_file_is_a_node_error_and_server_keeps_serving(server, bad):
    status, body = server.submit(inspector_prompt(bad.file_name))
    if status == 400:  # refused at validation (pickle suffixes)
        message = " ".join(e.get("details", "") for e in body["node_errors"]["1"]["errors"])
    else:
        error = execution_error(server.wait_for(body["prompt_id"]))
        assert error is not None and error["node_type"] == INSPECTOR
        message = error["exception_message"]
    for part in bad.message_parts:
        assert part in message.lower(), message
    assert_server_still_serves(server)


def assert_server_still_serves(server):
    """A valid prompt really executes (not served from cache) after the error."""
    target = server.model_folder("diffusion_models") / LIVENESS_FILE
    stat = os.stat(target)
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))  # new fingerprint: no cache
    entry = server.run(inspector_prompt(LIVENESS_FILE))
    assert entry["status"]["status_str"] == "success"
    assert entry["outputs"]["1"]["text"], "the valid prompt was not executed"
