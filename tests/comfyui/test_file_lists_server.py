"""What a user sees in the loaders' file lists and validation errors, through a real ComfyUI server whose model
folders hold other families' files first by name, a bad file, and an empty text_encoders folder:

- each list puts the files that fit the loader first (the default), keeps the others, and says so in its tooltip;
- an empty folder shows "no files in models/<folder>", not an empty widget;
- /prompt reports each problem once, on the input it concerns (the editor marks only those inputs).
"""
import pytest

from comfyui_server import ComfyUIServer
from component_headers import write_component
from conftest import COMFYUI, REPO_ROOT
from loader_files import LOADER_NODES, TINY_VAE_NAME, link_into, place_model
from tiny_models import write_wan21_vae


@pytest.fixture(scope="module")
def server(tmp_path_factory, tiny_models_dir):
    workdir = tmp_path_factory.mktemp("file_lists_server")
    server = ComfyUIServer(COMFYUI, REPO_ROOT, workdir)
    server.prepare()
    models = server.models_dir
    # By name, another family's file comes first in every folder.
    server.files = {
        "hunyuan": place_model(models, tiny_models_dir, "hunyuan_video_t2v", "bf16"),
        "wan": place_model(models, tiny_models_dir, "wan21_t2v", "bf16"),
        "flux_vae": write_component("flux_vae", models / "vae").name,           # ae.safetensors
        "wan_vae": link_into(models / "vae", write_wan21_vae(tiny_models_dir), TINY_VAE_NAME),
    }
    (models / "vae" / "a_damaged.safetensors").write_bytes(b"\x00\x01\x02")
    write_component("clip_vision_h", models / "clip_vision")
    try:
        server.start()
        yield server
    finally:
        server.stop()


def wan_schema(server) -> dict:
    info = server.get(f"/object_info/{LOADER_NODES['wan']}")[LOADER_NODES["wan"]]
    return {**info["input"]["required"], **info["input"].get("optional", {})}


def options_and_default(spec) -> tuple[list, str]:
    return spec[1]["options"], spec[1].get("default")


def test_the_files_that_fit_come_first_and_are_the_default(server):
    schema = wan_schema(server)
    vaes, default_vae = options_and_default(schema["vae"])
    assert vaes == [TINY_VAE_NAME, "ae.safetensors", "a_damaged.safetensors"] and default_vae == TINY_VAE_NAME
    models, default_model = options_and_default(schema["model_name"])
    assert models == [server.files["wan"], server.files["hunyuan"]] and default_model == server.files["wan"]
    assert "List order" in schema["vae"][1]["tooltip"] and "header" in schema["vae"][1]["tooltip"]
    # HunyuanVideo's loader: its own model first.
    hunyuan = server.get(f"/object_info/{LOADER_NODES['hunyuan_video']}")[LOADER_NODES["hunyuan_video"]]
    assert hunyuan["input"]["required"]["model_name"][1]["options"][0] == server.files["hunyuan"]


def test_an_empty_folder_says_so(server):
    options, default = options_and_default(wan_schema(server)["text_encoder"])
    assert options == [] and default == "no files in models/text_encoders"


def wan_prompt_from_defaults(server, **overrides) -> dict:
    """The prompt the editor sends for a freshly added Wan Loader (every widget at its default)."""
    inputs = {}
    for name, spec in wan_schema(server).items():
        inputs[name] = spec[1]["default"] if "default" in spec[1] else spec[1]["options"][0]
    inputs.update(overrides)
    return {"1": {"class_type": LOADER_NODES["wan"], "inputs": inputs}}


def node_errors(server, prompt) -> list[dict]:
    status, body = server.submit(prompt)
    assert status == 400, body
    return body["node_errors"]["1"]["errors"]


def test_one_problem_is_one_error_on_its_input(server):
    errors = node_errors(server, wan_prompt_from_defaults(server))
    assert [e["extra_info"]["input_name"] for e in errors] == ["text_encoder"], errors
    assert "no files in models/text_encoders" in errors[0]["details"]


def test_several_problems_are_each_one_error_on_their_input(server):
    bad = {"vae": "missing_vae.safetensors", "lora_1_strength": 11.0, "precision": "fp4", "clip_vision": "nope"}
    errors = node_errors(server, wan_prompt_from_defaults(server, **bad))
    assert sorted(e["extra_info"]["input_name"] for e in errors) == sorted(["text_encoder", *bad]), errors
    by_input = {e["extra_info"]["input_name"]: e for e in errors}
    assert "missing_vae.safetensors" in by_input["vae"]["details"]
    assert by_input["lora_1_strength"]["type"] == "value_bigger_than_max"
