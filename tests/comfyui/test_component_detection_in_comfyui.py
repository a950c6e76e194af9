"""ComfyUI tier: model_loaders.components identifies companion files as ComfyUI itself does (run on 0.8 and 0.33).

Text encoders go through comfy.sd.detect_te_model on meta tensors of the real-shape tables; CLIP vision through
comfy.clip_vision.load_clipvision_from_sd with the model class stubbed (the config it picks is recorded); the tiny
Wan 2.1 VAE is loaded by comfy.sd.VAE; a tiny LoRA is mapped onto the tiny Wan model by comfy.lora.
"""
import logging
import os

import pytest

from component_headers import CLIP_VISIONS, COMPONENT_SHAPES, TEXT_ENCODERS, linear_modules, lora_shapes
from model_loaders.components import (clip_vision_kind, fit_lora, identify_lora, identify_vae, text_encoder_kind)
from model_loaders.families import FAMILIES
from tiny_models import VARIANTS, write_checkpoint, write_wan21_vae

# our kind -> comfy.sd.TEModel member
COMFY_TE_MODEL = {"umt5_xxl": "T5_XXL", "t5_xxl": "T5_XXL", "clip_l": "CLIP_L", "llama3_8b_llava": "LLAMA3_8",
                  "llama3_8b": "LLAMA3_8", "qwen25_7b_vl": "QWEN25_7B", "qwen25_7b": "QWEN25_7B",
                  "byt5_small_glyph": "BYT5_SMALL_GLYPH", "gemma3_4b": "GEMMA_3_4B", "jina_clip_v2": "JINA_CLIP_2"}
# our kind -> the config file comfy/clip_vision.py picks
COMFY_CLIP_VISION_CONFIG = {"clip_vision_h": "clip_vision_config_h.json", "siglip_384": "clip_vision_siglip_384.json",
                            "llava_llama3_vision": "clip_vision_config_vitl_336_llava.json"}


def _variants_of_tables():
    """The real tables plus the look-alikes our detector tells apart and ComfyUI lumps together."""
    tables = {kind: dict(COMPONENT_SHAPES[kind]) for kind in TEXT_ENCODERS}
    t5 = dict(COMPONENT_SHAPES["umt5_xxl"])
    t5["shared.weight"] = (32128, 4096)
    del t5["encoder.block.1.layer.0.SelfAttention.relative_attention_bias.weight"]
    tables["t5_xxl"] = t5
    tables["qwen25_7b"] = {k: v for k, v in COMPONENT_SHAPES["qwen25_7b_vl"].items() if not k.startswith("visual.")}
    llama = dict(COMPONENT_SHAPES["llama3_8b_llava"])
    llama["model.embed_tokens.weight"] = (128256, 4096)
    tables["llama3_8b"] = llama
    return tables


TE_TABLES = _variants_of_tables()


def meta_state_dict(shapes):
    import torch
    return {k: torch.empty(s, device="meta") for k, s in shapes.items()}


@pytest.mark.parametrize("kind", sorted(TE_TABLES))
def test_text_encoder_detection_agrees_with_comfyui(comfyui, kind):
    shapes = TE_TABLES[kind]
    assert comfyui.comfy.sd.detect_te_model(meta_state_dict(shapes)).name == COMFY_TE_MODEL[kind]
    assert text_encoder_kind(shapes)[0] == kind


def test_declared_clip_types_exist(comfyui):
    clip_types = {d.clip_type for m in FAMILIES.values() for d in m.DECLARATIONS.values()}
    assert clip_types == {"wan", "hunyuan_video", "hunyuan_video_15", "qwen_image", "newbie"}
    for name in clip_types:
        assert hasattr(comfyui.comfy.sd.CLIPType, name.upper()), (comfyui.version, name)


@pytest.mark.parametrize("kind", CLIP_VISIONS)
def test_clip_vision_detection_agrees_with_comfyui(comfyui, monkeypatch, kind):
    import comfy.clip_vision
    picked = []

    class Recorder:  # stands in for ClipVisionModel: records the config ComfyUI chose, builds nothing
        def __init__(self, json_config):
            picked.append(os.path.basename(json_config) if isinstance(json_config, str) else json_config)

        def load_sd(self, sd):
            return [], list(sd)

    monkeypatch.setattr(comfy.clip_vision, "ClipVisionModel", Recorder)
    comfy.clip_vision.load_clipvision_from_sd(meta_state_dict(COMPONENT_SHAPES[kind]))
    assert picked == [COMFY_CLIP_VISION_CONFIG[kind]]
    assert clip_vision_kind(COMPONENT_SHAPES[kind])[0] == kind


def test_tiny_wan21_vae_loads_in_comfyui_and_is_detected(comfyui, tiny_models_dir):
    import comfy.ldm.wan.vae
    import comfy.utils
    path = write_wan21_vae(tiny_models_dir)
    vae = comfyui.comfy.sd.VAE(sd=comfy.utils.load_torch_file(str(path)))
    assert isinstance(vae.first_stage_model, comfy.ldm.wan.vae.WanVAE) and vae.latent_channels == 16
    assert identify_vae(path).kind == "wan21_vae"


@pytest.mark.parametrize("key_format, maps", [("diffusion_model", True), ("lora_unet", True), ("wan_fun", True),
                                              ("bare", False), ("transformer", False)])
def test_tiny_wan_lora_maps_like_comfyui(comfyui, tiny_models_dir, tmp_path, caplog, key_format, maps):
    import torch
    import comfy.lora
    import comfy.lora_convert
    import comfy.utils
    from safetensors.torch import save_file

    model_path = write_checkpoint("wan21_t2v", "bf16", tiny_models_dir)
    patcher = comfyui.comfy.sd.load_diffusion_model(str(model_path))
    model_shapes = VARIANTS["wan21_t2v"].tensor_shapes()
    modules = linear_modules(model_shapes, "blocks.")
    generator = torch.Generator().manual_seed(0)
    tensors = {k: (torch.randn(s, generator=generator) * 0.01 if s else torch.tensor(4.0))
               for k, s in lora_shapes(modules, key_format=key_format).items()}
    lora_path = tmp_path / f"wan_tiny_lora_{key_format}.safetensors"
    save_file(tensors, str(lora_path))

    lora = comfy.lora_convert.convert_lora(comfy.utils.load_torch_file(str(lora_path)))
    key_map = comfy.lora.model_lora_keys_unet(patcher.model, {})
    with caplog.at_level(logging.WARNING):
        patches = comfy.lora.load_lora(lora, key_map)
    applied = patcher.clone().add_patches(patches, 1.0)

    ours = identify_lora(lora_path)
    fit = fit_lora(ours, model_shapes)
    assert ours.target_family == "wan"
    if maps:  # every key consumed and every module lands on a weight of the model, in ComfyUI and in our check
        assert not [r for r in caplog.records if "lora key not loaded" in r.getMessage()]
        assert sorted(applied) == sorted(f"diffusion_model.{m}.weight" for m in modules)
        assert (fit.mapped, fit.unmapped, fit.mismatched) == (len(modules), (), ())
    else:  # ComfyUI maps none of these keys onto Wan; we say so before loading
        assert patches == {} and applied == []
        assert fit.mapped == 0 and fit.unmapped_formats
