"""Loader problems through /prompt on a real server: every problem together, each once.

- a bad VAE name is one node error, on vae (ComfyUI's own list check; nothing else is marked);
- the Qwen-Image Loader given a NewBie model and a UMT5 text encoder reports both problems in one error.
"""
import pytest

from comfyui_server import execution_error
from loader_files import LOADER_NODES, loader_inputs, place_model


@pytest.fixture(scope="module")
def server(comfyui_server_workdir, tiny_models_dir, request):
    models_root = comfyui_server_workdir / "models"
    for family in ("wan", "qwen_image", "newbie"):  # place the files before the server lists the folders
        loader_inputs(family, models_root, tiny_models_dir)
    server = request.getfixturevalue("comfyui_server")
    server.models_root = models_root
    return server


def test_one_bad_vae_name_is_one_error_on_vae(server, tiny_models_dir):
    inputs = loader_inputs("wan", server.models_root, tiny_models_dir, vae="wan_2.1_vae_typo.safetensors")
    status, body = server.submit({"1": {"class_type": LOADER_NODES["wan"], "inputs": inputs}})
    assert status == 400
    errors = body["node_errors"]["1"]["errors"]
    assert [e["extra_info"]["input_name"] for e in errors] == ["vae"], errors
    assert "wan_2.1_vae_typo.safetensors" in errors[0]["details"]


def test_another_familys_model_and_text_encoder_are_reported_together(server, tiny_models_dir):
    newbie = place_model(server.models_root, tiny_models_dir, "newbie", "bf16")
    umt5 = loader_inputs("wan", server.models_root, tiny_models_dir)["text_encoder"]
    inputs = loader_inputs("qwen_image", server.models_root, tiny_models_dir, model_name=newbie, text_encoder=umt5)
    status, body = server.submit({"1": {"class_type": LOADER_NODES["qwen_image"], "inputs": inputs}})
    assert status == 200, body
    error = execution_error(server.wait_for(body["prompt_id"]))
    message = error["exception_message"]
    assert f"{newbie} is a NewBie-image checkpoint" in message and "NewBie Loader" in message
    assert f"{umt5} is a UMT5-XXL text encoder" in message and "Qwen2.5-VL-7B" in message
