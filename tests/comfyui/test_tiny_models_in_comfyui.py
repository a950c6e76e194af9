"""ComfyUI tier: real ComfyUI (CPU, in-process) detects, loads and samples every tiny checkpoint.

(a) the hand-written shape tables are exactly ComfyUI's modules (ComfyUI loads non-strict: a missing key would
    silently stay uninitialised); (b) detection picks the intended config class in every storage format;
(c) load_diffusion_model keeps fp8 where it should and one sampling step gives a finite latent.
Qwen-Image and NewBie are full width (~400 M parameters): they are sampled in bf16, fp8_e4m3fn and comfy_quant
only; every precision of them is still detected in (b). Deselect them with -k "not qwen and not newbie".
"""
import gc
import types

import pytest
import torch

from sampling import conditioning_for, sample_one_step
from tiny_models import PLAIN_FP8, PRECISIONS, QUANTISED_PRECISIONS, VARIANTS, write_checkpoint, write_wan21_vae

LARGE_SAMPLED_PRECISIONS = ("bf16", "fp8_e4m3fn", "comfy_quant")
VARIANT_IDS = list(VARIANTS)
ALL_CASES = [pytest.param(v, p, id=f"{v}-{p}") for v in VARIANTS for p in PRECISIONS]
SAMPLE_CASES = [pytest.param(v, p, id=f"{v}-{p}") for v in VARIANTS for p in PRECISIONS
                if not VARIANTS[v].large or p in LARGE_SAMPLED_PRECISIONS]


@pytest.fixture(autouse=True)
def _free_models(comfyui):
    yield
    comfyui.comfy.model_management.unload_all_models()
    gc.collect()
    comfyui.comfy.model_management.soft_empty_cache()


def _config_class(comfyui, sd, metadata=None):
    config = comfyui.comfy.model_detection.model_config_from_unet(sd, "", metadata=metadata)
    assert config is not None, "ComfyUI detected no model"
    return config


# (a) ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("variant_id", VARIANT_IDS)
def test_shape_table_is_exactly_the_comfyui_module(comfyui, variant_id):
    spec = VARIANTS[variant_id]
    shapes = spec.tensor_shapes()
    meta_sd = {k: torch.empty(s, dtype=torch.bfloat16, device="meta") for k, s in shapes.items()}
    config = _config_class(comfyui, meta_sd)
    assert type(config).__name__ == spec.comfy_config_class
    config.set_inference_dtype(torch.bfloat16, None)
    with torch.device("meta"):
        model = config.get_model(meta_sd, "", device="meta")
    module_shapes = {k: tuple(v.shape) for k, v in model.diffusion_model.state_dict().items()}
    # The keys as ComfyUI loads them (model_base.load_model_weights renames, e.g. 0.33's HunyuanVideo "_norm.scale").
    loaded = {k: tuple(v.shape) for k, v in config.process_unet_state_dict(dict(meta_sd)).items()}
    assert set(loaded) - set(module_shapes) == set(), "keys ComfyUI's module does not have"
    assert set(module_shapes) - set(loaded) == set(), "module keys the fixture lacks (would stay uninitialised)"
    assert loaded == module_shapes


# (b) ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("variant_id,precision", ALL_CASES)
def test_comfyui_detects_the_intended_config_class(comfyui, tiny_models_dir, variant_id, precision):
    spec = VARIANTS[variant_id]
    comfy = comfyui.comfy
    path = write_checkpoint(variant_id, precision, tiny_models_dir)
    sd, metadata = comfy.utils.load_torch_file(str(path), return_metadata=True)
    # What load_diffusion_model_state_dict does first: legacy scaled_fp8 / metadata form -> .comfy_quant tensors.
    sd, metadata = comfy.utils.convert_old_quants(sd, "", metadata=metadata)
    config = _config_class(comfyui, sd, metadata)
    assert type(config).__name__ == spec.comfy_config_class
    if precision in QUANTISED_PRECISIONS:
        assert config.quant_config == {"mixed_ops": True}
        assert sum(k.endswith(".comfy_quant") for k in sd) == len(spec.linear_weights())
    else:
        assert config.quant_config is None
    del sd
    gc.collect()


# (c) ---------------------------------------------------------------------------------------------------------

def _fp8_storage(weight):
    """The dtype the weight is kept in memory: QuantizedTensor keeps fp8 data (_qdata) behind a float facade."""
    qdata = getattr(weight, "_qdata", None)
    return qdata.dtype if qdata is not None else weight.dtype


@pytest.mark.parametrize("variant_id,precision", SAMPLE_CASES)
def test_comfyui_loads_keeps_fp8_and_samples_one_step(comfyui, tiny_models_dir, variant_id, precision):
    spec = VARIANTS[variant_id]
    comfy = comfyui.comfy
    path = write_checkpoint(variant_id, precision, tiny_models_dir)
    # Plain fp8 files need the dtype explicitly (on CPU ComfyUI would up-cast them); quantised files use {}.
    options = {"dtype": PLAIN_FP8[precision]} if precision in PLAIN_FP8 else {}
    model = comfy.sd.load_diffusion_model(str(path), model_options=options)
    assert type(model.model.model_config).__name__ == spec.comfy_config_class

    params = dict(model.model.diffusion_model.named_parameters())
    linear = spec.linear_weights()
    if precision in PLAIN_FP8:
        for key in linear:
            assert params[key].dtype == PLAIN_FP8[precision], key
        for key in spec.keep_fp32 & set(params):
            assert params[key].dtype == torch.float32, key
    elif precision in QUANTISED_PRECISIONS:
        # Also proves the metadata form reached the loader: without it these would be plain compute-dtype weights.
        from comfy.quant_ops import QuantizedTensor
        for key in linear:
            assert isinstance(params[key].data, QuantizedTensor) or isinstance(params[key], QuantizedTensor), key
            assert _fp8_storage(params[key]) == torch.float8_e4m3fn, key

    latent = torch.zeros(spec.conditioning.latent)
    positive, negative = conditioning_for(spec)
    out = sample_one_step(comfyui.comfy, model, latent, positive, negative, spec.conditioning.cfg)
    assert out.shape == latent.shape
    assert torch.isfinite(out).all()
    assert out.abs().sum() > 0
    del model, params


# The tiny Wan 2.1 VAE and a whole I2V graph built from ComfyUI's own nodes ---------------------------------

def _tiny_wan_vae(comfyui, directory):
    comfy = comfyui.comfy
    vae = comfy.sd.VAE(sd=comfy.utils.load_torch_file(str(write_wan21_vae(directory))))
    assert type(vae.first_stage_model).__name__ == "WanVAE"
    assert vae.latent_channels == 16
    return vae


def _node_outputs(result):
    return tuple(getattr(result, "args", result))  # V3 io.NodeOutput (.args) or a V1 tuple


def _frames(images):
    assert images.shape[-1] == 3
    return images.reshape(-1, *images.shape[-3:])


def test_tiny_wan_vae_encodes_and_decodes_5_frames(comfyui, tiny_models_dir):
    vae = _tiny_wan_vae(comfyui, tiny_models_dir)
    pixels = torch.rand(5, 64, 64, 3, generator=torch.Generator().manual_seed(0))
    latent = vae.encode(pixels)
    assert tuple(latent.shape) == (1, 16, 2, 8, 8)  # 8x spatial, (5 - 1) // 4 + 1 latent frames
    assert torch.isfinite(latent).all()
    frames = _frames(vae.decode(torch.randn(1, 16, 2, 8, 8, generator=torch.Generator().manual_seed(1))))
    assert tuple(frames.shape) == (5, 64, 64, 3)
    assert torch.isfinite(frames).all()


def test_wan_i2v_graph_with_comfyui_nodes_samples_and_decodes(comfyui, tiny_models_dir):
    import comfy_extras.nodes_wan as nodes_wan
    spec = VARIANTS["wan21_i2v"]
    vae = _tiny_wan_vae(comfyui, tiny_models_dir)
    positive, negative = conditioning_for(spec)
    for cond in (positive, negative):  # the node sets these itself
        for key in ("concat_latent_image", "concat_mask", "clip_vision_output"):
            cond[0][1].pop(key)
    gen = torch.Generator().manual_seed(2)
    clip_vision = types.SimpleNamespace(penultimate_hidden_states=torch.randn(1, 257, 1280, generator=gen))
    positive, negative, latent = _node_outputs(nodes_wan.WanImageToVideo.execute(
        positive, negative, vae, width=64, height=64, length=5, batch_size=1,
        start_image=torch.rand(1, 64, 64, 3, generator=gen), clip_vision_output=clip_vision))[:3]
    assert "concat_latent_image" in positive[0][1] and "concat_mask" in positive[0][1]
    model = comfyui.comfy.sd.load_diffusion_model(str(write_checkpoint("wan21_i2v", "fp8_e4m3fn", tiny_models_dir)),
                                                  model_options={"dtype": torch.float8_e4m3fn})
    out = sample_one_step(comfyui.comfy, model, latent["samples"], positive, negative, spec.conditioning.cfg)
    assert out.shape == latent["samples"].shape == (1, 16, 2, 8, 8)
    frames = _frames(vae.decode(out))
    assert tuple(frames.shape) == (5, 64, 64, 3)
    assert torch.isfinite(frames).all()
