"""The loader nodes and the workflow companion nodes inside real ComfyUI (in-process, CPU)."""
import json
import sys

import pytest
import torch

from comfyui_validation import validation_errors
from component_headers import linear_modules, lora_shapes
from loader_files import LOADER_NODES, loader_inputs, place_model, variant_loader_inputs
from sampling import sample_variant
from tiny_models import PRECISIONS, VARIANTS, write_sparse_checkpoint


def run_loader(pack, family, models_root, tiny_models_dir, **overrides):
    node = pack[LOADER_NODES[family]]
    inputs = loader_inputs(family, models_root, tiny_models_dir, **overrides)
    assert validation_errors(LOADER_NODES[family], inputs) == []
    return node.execute(**inputs)


@pytest.mark.parametrize("family,variant,capabilities", [
    ("wan", "wan21_t2v", ["text_to_image", "text_to_video"]),
    ("hunyuan_video", "hunyuan_video_t2v", ["text_to_video"]),
    ("qwen_image", "qwen_image_edit_2511", ["image_editing"]),  # no relight LoRA exists for 2511
    ("newbie", "newbie", ["anime_generation", "text_to_image"]),
])
def test_each_loader_describes_and_registers_its_workflow(pack, models_root, tiny_models_dir, family, variant,
                                                          capabilities):
    output = run_loader(pack, family, models_root, tiny_models_dir)
    workflow = output.args[0]
    assert (workflow.family, workflow.variant) == (family, variant)
    assert sorted(str(c) for c in workflow.capabilities) == capabilities
    assert workflow.weight_bytes == workflow.validated.weight_bytes > 0
    report = json.loads(output.ui.as_dict()["text"][0])
    assert report["variant"] == variant and report["capabilities"] == capabilities
    validated = workflow.validated
    assert report["memory_estimate"]["all_files_bytes"] == (validated.weight_bytes + validated.text_encoder_bytes
                                                             + validated.vae_bytes + validated.clip_vision_bytes)
    # Registered with the pack's own routing core (the package ComfyUI loaded, not the tests' top-level copy).
    pack_routing = sys.modules[type(workflow).__module__.replace("model_loaders.model_workflow", "routing")]
    assert pack_routing.default_registry().get(workflow.name) is workflow
    # Nothing was loaded: no model is cached yet for these files.
    assert not any(isinstance(v, torch.nn.Module) for v in vars(workflow).values())


def test_loader_refuses_a_checkpoint_of_another_family(pack, models_root, tiny_models_dir):
    hunyuan = place_model(models_root, tiny_models_dir, "hunyuan_video_t2v", "bf16")
    with pytest.raises(Exception) as caught:
        run_loader(pack, "wan", models_root, tiny_models_dir, model_name=hunyuan)
    message = str(caught.value)
    assert hunyuan in message and "HunyuanVideo Loader" in message


def test_loader_lists_missing_keys(pack, models_root, tiny_models_dir):
    shapes = VARIANTS["wan21_t2v"].tensor_shapes()
    del shapes["blocks.0.cross_attn.k.weight"]
    broken = write_sparse_checkpoint(models_root / "diffusion_models" / "wan2.1_t2v_incomplete.safetensors",
                                     shapes, "BF16")
    with pytest.raises(Exception) as caught:
        run_loader(pack, "wan", models_root, tiny_models_dir, model_name=broken.name)
    assert "blocks.0.cross_attn.k.weight" in str(caught.value)


def test_comfyui_refuses_names_outside_the_lists_each_on_its_input(pack, models_root, tiny_models_dir):
    """The loaders leave list and range checks to ComfyUI: each bad value is one error naming its input."""
    inputs = loader_inputs("wan", models_root, tiny_models_dir)
    bad = {"text_encoder": "../../etc/passwd", "vae": "missing.safetensors", "model_name": "none"}
    errors = validation_errors("StoryCoreWanLoader", {**inputs, **bad})
    assert sorted(e["extra_info"]["input_name"] for e in errors) == sorted(bad)
    assert {e["type"] for e in errors} == {"value_not_in_list"}


def test_workflow_models_node_loads_samples_and_decodes(pack, models_root, tiny_models_dir):
    import comfy.sample
    import comfy.samplers
    workflow = run_loader(pack, "wan", models_root, tiny_models_dir).args[0]
    model, low_noise, vae, clip_vision = pack["StoryCoreWorkflowModels"].execute(workflow=workflow).args
    assert low_noise is model and clip_vision is None
    assert model.model.diffusion_model.blocks[0].self_attn.q.weight.dtype == torch.float8_e4m3fn  # stayed fp8
    latent = torch.zeros(1, 16, 2, 8, 8)
    context = torch.randn(1, 32, 4096)
    with torch.inference_mode():
        samples = comfy.sample.sample(model, torch.randn_like(latent), 1, 1.0, "euler", "simple",
                                      [[context, {}]], [[torch.zeros_like(context), {}]], latent, seed=0)
        frames = vae.decode(samples)
    assert torch.isfinite(samples).all() and samples.shape == latent.shape
    assert frames.shape[-1] == 3 and frames.shape[1] == 5  # 2 latent frames -> 5 video frames, RGB


def test_a14b_pair_gives_two_experts(pack, models_root, tiny_models_dir):
    high = place_model(models_root, tiny_models_dir, "wan22_a14b_t2v_high_noise", "fp8_e4m3fn")
    low = place_model(models_root, tiny_models_dir, "wan22_a14b_t2v_low_noise", "fp8_e4m3fn")
    workflow = run_loader(pack, "wan", models_root, tiny_models_dir, model_name=high, low_noise_model_name=low).args[0]
    assert workflow.variant == "wan22_a14b_t2v"
    model, low_noise, _, _ = pack["StoryCoreWorkflowModels"].execute(workflow=workflow).args
    assert model is not low_noise
    high_w = model.model.diffusion_model.blocks[0].self_attn.q.weight
    low_w = low_noise.model.diffusion_model.blocks[0].self_attn.q.weight
    assert not torch.equal(high_w.view(torch.uint8), low_w.view(torch.uint8))


def test_lora_is_applied_through_comfyui(pack, models_root, tiny_models_dir):
    from safetensors.torch import save_file
    modules = linear_modules(VARIANTS["wan21_t2v"].tensor_shapes(), contains="self_attn")
    lora = {k: torch.randn(v) * 0.1 if v else torch.tensor(4.0) for k, v in lora_shapes(modules).items()}
    save_file(lora, str(models_root / "loras" / "wan_tiny_lora.safetensors"))
    workflow = run_loader(pack, "wan", models_root, tiny_models_dir, lora_1="wan_tiny_lora.safetensors",
                          lora_1_strength=0.8).args[0]
    model = pack["StoryCoreWorkflowModels"].execute(workflow=workflow).args[0]
    patched = {k for k in model.patches if "self_attn" in k}
    assert patched and all(k.startswith("diffusion_model.") for k in patched)
    assert len(patched) == len(modules)
    assert model.patches[next(iter(patched))][0][0] == 0.8  # strength as given


def test_unchanged_files_load_once(pack, models_root, tiny_models_dir):
    workflow = run_loader(pack, "wan", models_root, tiny_models_dir).args[0]
    first = pack["StoryCoreWorkflowModels"].execute(workflow=workflow).args[0]
    again = pack["StoryCoreWorkflowModels"].execute(workflow=workflow).args[0]
    assert first is again


# Every variant fixture in every storage format through its loader node and the Workflow Models node. The
# large families (380-430 M parameters each) in two formats: their loading is covered format by format in
# test_diffusion_loading.py; Wan 2.2 A14B I2V has a single fixture, and the loader takes that variant as a pair.
NODE_CASES = [(v, p) for v, spec in VARIANTS.items() if not spec.large and v != "wan22_a14b_i2v" for p in PRECISIONS]
NODE_CASES += [(v, p) for v in ("qwen_image", "qwen_image_layered", "newbie") for p in ("fp8_e4m3fn", "comfy_quant")]


@pytest.mark.parametrize("variant_id,precision", NODE_CASES)
def test_loader_node_loads_and_samples_every_variant(comfyui, pack, models_root, tiny_models_dir, variant_id,
                                                     precision):
    spec = VARIANTS[variant_id]
    node = pack[LOADER_NODES[spec.family]]
    inputs = variant_loader_inputs(variant_id, precision, models_root, tiny_models_dir)
    assert validation_errors(LOADER_NODES[spec.family], inputs) == []
    workflow = node.execute(**inputs).args[0]
    if variant_id == "hunyuan_video_15_sr":  # the SR model is a second stage of a 1.5 workflow
        assert workflow.variant == "hunyuan_video_15" and "super_resolution" in workflow.capabilities
    else:
        assert workflow.variant == spec.expected_variant
    # The SR model is an optional stage's: it loads only when named.
    models = workflow.load_diffusion_models(("sr_model",) if variant_id == "hunyuan_video_15_sr" else None)
    role = "sr_model" if variant_id == "hunyuan_video_15_sr" else ("low_noise" if spec.expert == "low_noise" else
                                                                   next(iter(models)))
    model = models[role]
    assert type(model.model.model_config).__name__ == spec.comfy_config_class
    sample_variant(comfyui.comfy, model, spec)
    del models, model
    comfyui.comfy.model_management.unload_all_models()


def test_comfyui_checks_every_choice_each_on_its_input(pack, models_root, tiny_models_dir):
    inputs = loader_inputs("qwen_image", models_root, tiny_models_dir)
    bad = {"precision": "bf16", "variant": "qwen_image_layered", "lora_2_strength": 11.0}
    errors = validation_errors("StoryCoreQwenImageLoader", {**inputs, **bad})
    assert sorted(e["extra_info"]["input_name"] for e in errors) == sorted(bad)
    assert {e["type"] for e in errors} == {"value_not_in_list", "value_bigger_than_max"}
