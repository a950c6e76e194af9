"""The loader and workflow nodes through API prompts to a real ComfyUI server: each loader succeeds, a loaded
workflow feeds ComfyUI's own nodes, and every validation error comes back as a node error naming the file and
the fix, with the server serving the next prompt."""
import json
import random

import pytest

from comfyui_server import execution_error
from loader_files import LOADER_NODES, loader_inputs, place_model


@pytest.fixture(scope="module")
def server(comfyui_server_workdir, tiny_models_dir, request):
    models_root = comfyui_server_workdir / "models"
    for family in LOADER_NODES:  # place every family's files before the first prompt
        loader_inputs(family, models_root, tiny_models_dir)
    server = request.getfixturevalue("comfyui_server")
    server.models_root = models_root
    return server


def loader_prompt(server, family, tiny_models_dir, **overrides) -> dict:
    inputs = loader_inputs(family, server.models_root, tiny_models_dir, **overrides)
    return {"1": {"class_type": LOADER_NODES[family], "inputs": inputs}}


def run_ok(server, prompt) -> dict:
    entry = server.run(prompt)
    assert entry["status"]["status_str"] == "success", json.dumps(execution_error(entry))[:3000]
    return entry


@pytest.mark.parametrize("family,variant", [("wan", "wan21_t2v"), ("hunyuan_video", "hunyuan_video_t2v"),
                                            ("qwen_image", "qwen_image_edit_2511"), ("newbie", "newbie")])
def test_each_loader_runs_through_the_api(server, tiny_models_dir, family, variant):
    entry = run_ok(server, loader_prompt(server, family, tiny_models_dir))
    report = json.loads(entry["outputs"]["1"]["text"][0])
    assert (report["family"], report["variant"]) == (family, variant)


def test_a_loaded_workflow_feeds_comfyui_native_nodes(server, tiny_models_dir):
    """Wan loader -> StoryCore Workflow Models -> core EmptyHunyuanLatentVideo + VAEDecode + PreviewImage."""
    prompt = loader_prompt(server, "wan", tiny_models_dir)
    prompt.update({
        "2": {"class_type": "StoryCoreWorkflowModels", "inputs": {"workflow": ["1", 0]}},
        "3": {"class_type": "EmptyHunyuanLatentVideo", "inputs": {"width": 64, "height": 64, "length": 5,
                                                                  "batch_size": 1}},
        "4": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["2", 2]}},
        "5": {"class_type": "PreviewImage", "inputs": {"images": ["4", 0]}},
        "6": {"class_type": "PreviewAny", "inputs": {"source": ["2", 0]}},
    })
    entry = run_ok(server, prompt)
    assert len(entry["outputs"]["5"]["images"]) == 5  # 2 latent frames decode to 5 frames
    assert "ModelPatcher" in entry["outputs"]["6"]["text"][0]


@pytest.mark.parametrize("case", ["other_family", "wrong_text_encoder", "fp8_forced_on_quantised"])
def test_validation_errors_are_node_errors_and_the_server_keeps_serving(server, tiny_models_dir, case):
    models_root = server.models_root
    if case == "other_family":
        wan_file = place_model(models_root, tiny_models_dir, "wan21_t2v", "bf16")
        prompt = loader_prompt(server, "qwen_image", tiny_models_dir, model_name=wan_file)
        expected = [wan_file, "Wan Loader"]
    elif case == "wrong_text_encoder":
        umt5 = loader_inputs("wan", models_root, tiny_models_dir)["text_encoder"]
        prompt = loader_prompt(server, "qwen_image", tiny_models_dir, text_encoder=umt5)
        expected = [umt5, "Qwen2.5-VL"]
    else:
        prompt = loader_prompt(server, "qwen_image", tiny_models_dir, precision="fp8_e4m3fn")
        expected = ["auto"]
    status, body = server.submit(prompt)
    assert status == 200, body
    error = execution_error(server.wait_for(body["prompt_id"]))
    assert error is not None and error["node_type"] == "StoryCoreQwenImageLoader"
    assert error["exception_type"] == "storycore.LoaderValidationError"  # not the pack's folder path
    for part in expected:
        assert part in error["exception_message"], error["exception_message"]
    assert_server_still_serves(server, tiny_models_dir)


def test_file_names_that_escape_are_refused_at_validation(server, tiny_models_dir):
    prompt = loader_prompt(server, "wan", tiny_models_dir, text_encoder="../../../etc/passwd")
    status, body = server.submit(prompt)
    assert status == 400
    errors = body["node_errors"]["1"]["errors"]  # ComfyUI's own list check: one error, on that input
    assert [(e["type"], e["extra_info"]["input_name"]) for e in errors] == [("value_not_in_list", "text_encoder")]
    assert "../../../etc/passwd" in errors[0]["details"]
    assert_server_still_serves(server, tiny_models_dir)


def assert_server_still_serves(server, tiny_models_dir):
    # A new LoRA strength (LoRA slot empty) gives the prompt a new fingerprint: it really runs, not from cache.
    prompt = loader_prompt(server, "wan", tiny_models_dir, lora_2_strength=round(random.uniform(0, 1), 4))
    entry = run_ok(server, prompt)
    assert json.loads(entry["outputs"]["1"]["text"][0])["variant"] == "wan21_t2v"
