"""The pack inside real ComfyUI, in-process: registration, the inspector node, and agreement of the
inspector with ComfyUI's own model detection."""
import json

import pytest

from tiny_models import VARIANTS, write_checkpoint

SMALL_VARIANTS = [v for v, spec in VARIANTS.items() if not spec.large]


@pytest.fixture(scope="module")
def models_folder(comfyui, tiny_models_dir):
    comfyui.folder_paths.add_model_folder_path("diffusion_models", str(tiny_models_dir))
    return tiny_models_dir


def test_pack_registers_its_nodes(pack):
    assert set(pack) == {"StoryCoreCheckpointInspector", "StoryCoreWanLoader", "StoryCoreHunyuanVideoLoader",
                         "StoryCoreQwenImageLoader", "StoryCoreNewBieLoader", "StoryCoreWorkflowModels",
                         "StoryCoreWorkflowTextEncoder", "StoryCoreAdvancedRouter"}


def test_inspector_node_describes_a_checkpoint(pack, models_folder):
    inspector = pack["StoryCoreCheckpointInspector"]
    path = write_checkpoint("wan21_i2v", "fp8_e4m3fn", models_folder)
    assert inspector.validate_inputs(model_name=path.name) is True
    output = inspector.execute(model_name=path.name)
    description = json.loads(output.args[0])
    assert description["variant"] == "wan21_i2v"
    assert description["comfy_model_class"] == "WAN21_I2V"
    assert output.ui.as_dict()["text"][0] == output.args[0]


def test_inspector_validation_names_the_problem(pack, models_folder):
    inspector = pack["StoryCoreCheckpointInspector"]
    assert "climbs out" in inspector.validate_inputs(model_name="../../etc/passwd")
    assert "was not found" in inspector.validate_inputs(model_name="missing.safetensors")


@pytest.mark.parametrize("variant", SMALL_VARIANTS)
def test_inspector_agrees_with_comfyui_detection(comfyui, tiny_models_dir, variant):
    import comfy.model_detection
    import comfy.utils
    from model_loaders import inspect_checkpoint
    path = write_checkpoint(variant, "bf16", tiny_models_dir)
    state_dict = comfy.utils.load_torch_file(str(path))
    config = comfy.model_detection.model_config_from_unet(state_dict, "")
    description = inspect_checkpoint(path)
    assert type(config).__name__ == description.comfy_model_class
    unet = config.unet_config
    architecture = description.architecture
    if description.family == "wan":
        assert (unet["dim"], unet["num_layers"], unet["in_dim"], unet["out_dim"]) == (
            architecture["dim"], architecture["num_layers"], architecture["in_channels"], architecture["out_channels"])
    elif description.family == "hunyuan_video":
        assert (unet["hidden_size"], unet["depth"], unet["in_channels"], unet["out_channels"]) == (
            architecture["dim"], architecture["double_blocks"], architecture["in_channels"],
            architecture["out_channels"])
