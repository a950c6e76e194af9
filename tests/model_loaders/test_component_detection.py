"""Header-only identification of text encoders, VAEs, CLIP vision and LoRAs (model_loaders.components).

The real-shape tables come from ComfyUI's own modules (see tests/component_headers.py); the ComfyUI tier checks that
ComfyUI's detection agrees on them.
"""
import pytest

from component_headers import (CLIP_VISIONS, TEXT_ENCODERS, VAES, component_shapes, linear_modules, lora_shapes,
                               write_component)
from model_loaders.components import (UnknownComponentError, fit_lora, identify_clip_vision, identify_lora,
                                      identify_text_encoder, identify_vae)
from model_loaders.families.hunyuan_video.keys import hunyuan_video_tensor_shapes
from model_loaders.families.newbie.keys import newbie_tensor_shapes
from model_loaders.families.qwen_image.keys import qwen_image_tensor_shapes
from model_loaders.families.wan.keys import wan_tensor_shapes
from tiny_models import write_sparse_checkpoint, write_wan21_vae


@pytest.mark.parametrize("kind", TEXT_ENCODERS)
def test_text_encoder_kind_from_real_shapes(kind, tmp_path):
    described = identify_text_encoder(write_component(kind, tmp_path))
    assert described.kind == kind
    assert described.role == "text_encoder"
    assert described.weight_bytes == sum(2 * _numel(s) for s in component_shapes(kind).values())


@pytest.mark.parametrize("kind", VAES)
def test_vae_kind_from_real_shapes(kind, tmp_path):
    assert identify_vae(write_component(kind, tmp_path)).kind == kind


@pytest.mark.parametrize("kind", CLIP_VISIONS)
def test_clip_vision_kind_from_real_shapes(kind, tmp_path):
    assert identify_clip_vision(write_component(kind, tmp_path)).kind == kind


def test_text_encoder_widths_are_reported(tmp_path):
    widths = {k: identify_text_encoder(write_component(k, tmp_path)).dims["hidden_size"] for k in TEXT_ENCODERS}
    assert widths == {"umt5_xxl": 4096, "clip_l": 768, "llama3_8b_llava": 4096, "qwen25_7b_vl": 3584,
                      "byt5_small_glyph": 1472, "gemma3_4b": 2560, "jina_clip_v2": 1024}


def test_t5_xxl_is_not_taken_for_umt5(tmp_path):
    # FLUX's T5-XXL: same widths as UMT5-XXL, but a 32128-token vocabulary and a relative bias in block 0 only.
    shapes = component_shapes("umt5_xxl")
    shapes["shared.weight"] = (32128, 4096)
    del shapes["encoder.block.1.layer.0.SelfAttention.relative_attention_bias.weight"]
    assert identify_text_encoder(write_component("umt5_xxl", tmp_path, "t5xxl_fp16.safetensors",
                                                 shapes=shapes)).kind == "t5_xxl"


def test_qwen_without_vision_tower_is_its_own_kind(tmp_path):
    shapes = {k: v for k, v in component_shapes("qwen25_7b_vl").items() if not k.startswith("visual.")}
    assert identify_text_encoder(write_component("qwen25_7b_vl", tmp_path, "qwen_7b.safetensors",
                                                 shapes=shapes)).kind == "qwen25_7b"


def test_plain_llama_31_is_not_the_llava_encoder(tmp_path):
    shapes = component_shapes("llama3_8b_llava")
    shapes["model.embed_tokens.weight"] = (128256, 4096)
    assert identify_text_encoder(write_component("llama3_8b_llava", tmp_path, "llama_3.1_8b.safetensors",
                                                 shapes=shapes)).kind == "llama3_8b"


def test_prefixed_text_encoder_is_named_with_its_prefix(tmp_path):
    path = write_component("qwen25_7b_vl", tmp_path, "qwen_from_checkpoint.safetensors",
                           prefix="text_encoders.qwen25_7b.transformer.")
    with pytest.raises(UnknownComponentError) as err:
        identify_text_encoder(path)
    message = str(err.value)
    assert "qwen_from_checkpoint.safetensors" in message
    assert "Qwen2.5-VL-7B" in message and "'text_encoders.qwen25_7b.transformer.'" in message
    assert "qwen_2.5_vl_7b_fp8_scaled.safetensors" in message  # the fix: the standalone file


def test_a_vae_given_as_text_encoder_is_named(tmp_path):
    with pytest.raises(UnknownComponentError, match=r"wan2.2_vae.safetensors is a Wan 2.2 VAE .* not a text encoder"):
        identify_text_encoder(write_component("wan22_vae", tmp_path))


def test_a_diffusion_model_given_as_vae_is_named(tmp_path):
    path = write_sparse_checkpoint(tmp_path / "wan2.1_t2v_1.3B.safetensors", wan_tensor_shapes(128, 256, 1, 16, 16))
    with pytest.raises(UnknownComponentError, match=r"is a Wan diffusion model, not a VAE"):
        identify_vae(path)


def test_unknown_file_lists_what_was_found(tmp_path):
    path = write_sparse_checkpoint(tmp_path / "mystery.safetensors", {"foo.bar.weight": (4, 4), "baz": (2,)})
    with pytest.raises(UnknownComponentError) as err:
        identify_clip_vision(path)
    assert "mystery.safetensors" in str(err.value) and "[baz, foo]" in str(err.value)


def test_siglip_with_an_unknown_position_count_is_unknown(tmp_path):
    # ComfyUI has no config for it (load_clipvision_from_sd would fail with an unbound json_config).
    shapes = component_shapes("siglip_384")
    shapes["vision_model.embeddings.position_embedding.weight"] = (576, 1152)
    with pytest.raises(UnknownComponentError):
        identify_clip_vision(write_component("siglip_384", tmp_path, shapes=shapes))


def test_tiny_wan21_vae_fixture(tiny_models_dir):
    described = identify_vae(write_wan21_vae(tiny_models_dir))
    assert (described.kind, described.dims["dim"], described.dims["image_channels"]) == ("wan21_vae", 8, 3)


def test_real_wan21_vae_dim(tmp_path):
    assert identify_vae(write_component("wan21_vae", tmp_path)).dims["dim"] == 96


# -------------------------------------------------------------------------------------------------------- LoRAs
WAN_TINY = wan_tensor_shapes(128, 256, 1, 16, 16)
WAN_BLOCKS = linear_modules(WAN_TINY, "blocks.")


@pytest.mark.parametrize("key_format", ["diffusion_model", "lora_unet", "wan_fun"])
def test_wan_lora_formats_target_wan_and_map_fully(key_format, tmp_path):
    path = write_sparse_checkpoint(tmp_path / f"wan_{key_format}.safetensors",
                                   lora_shapes(WAN_BLOCKS, key_format=key_format), "BF16")
    lora = identify_lora(path)
    assert lora.target_family == "wan"
    assert len(lora.modules) == len(WAN_BLOCKS)
    fit = fit_lora(lora, WAN_TINY)
    assert (fit.mapped, fit.unmapped, fit.mismatched) == (len(WAN_BLOCKS), (), ())


@pytest.mark.parametrize("key_format", ["bare", "transformer"])
def test_wan_lora_in_a_naming_comfy_does_not_map_for_wan(key_format, tmp_path):
    lora = identify_lora_from(tmp_path, lora_shapes(WAN_BLOCKS, key_format=key_format))
    fit = fit_lora(lora, WAN_TINY)
    assert lora.target_family == "wan" and fit.mapped == 0 and len(fit.unmapped_formats) == 1


def test_qwen_lora_targets_qwen(tmp_path):
    shapes = qwen_image_tensor_shapes(2)
    lora = identify_lora_from(tmp_path, lora_shapes(linear_modules(shapes, "transformer_blocks."), key_format="transformer"))
    assert lora.target_family == "qwen_image" and lora.key_format == "transformer."
    assert fit_lora(lora, shapes).mapped == len(lora.modules)


def test_hunyuan_video_lora_with_diffusers_names_maps_through_comfy_renames(tmp_path):
    shapes = hunyuan_video_tensor_shapes(128, 1, 1, 16, 16, 4096)
    modules = linear_modules(shapes, "_blocks.")
    renamed = {}
    for module, shape in modules.items():  # the spelling comfy/lora.py maps back (HunyuanVideo branch)
        m = module + "."
        for old, new in (("_mod.lin.", "_mod.linear."), ("_attn.qkv.", "_attn_qkv."), ("_attn.proj.", "_attn_proj."),
                         ("mlp.0.", "mlp.fc1."), ("mlp.2.", "mlp.fc2."), (".modulation.lin.", ".modulation.linear.")):
            m = m.replace(old, new)
        renamed[m[:-1]] = shape
    lora = identify_lora_from(tmp_path, lora_shapes(renamed, key_format="transformer"))
    assert lora.target_family == "hunyuan_video"
    fit = fit_lora(lora, shapes)
    assert fit.mapped == len(modules) and not fit.unmapped


def test_newbie_lora_targets_newbie(tmp_path):
    shapes = newbie_tensor_shapes(1)
    lora = identify_lora_from(tmp_path, lora_shapes(linear_modules(shapes, "layers."), key_format="diffusion_model"))
    assert lora.target_family == "newbie"


def test_lora_for_another_model_size_does_not_fit(tmp_path):
    wan_13b = wan_tensor_shapes(1536, 8960, 1, 16, 16)
    lora = identify_lora_from(tmp_path, lora_shapes(linear_modules(wan_13b, "blocks."), key_format="diffusion_model"))
    fit = fit_lora(lora, WAN_TINY)
    assert fit.mapped == len(lora.modules) and len(fit.mismatched) == len(lora.modules)


def test_text_encoder_modules_are_counted_apart(tmp_path):
    shapes = lora_shapes(WAN_BLOCKS)
    shapes["lora_te_encoder_block_0_layer_0_SelfAttention_q.lora_down.weight"] = (4, 4096)
    shapes["lora_te_encoder_block_0_layer_0_SelfAttention_q.lora_up.weight"] = (4096, 4)
    lora = identify_lora_from(tmp_path, shapes)
    assert lora.text_encoder_modules == 1 and len(lora.modules) == len(WAN_BLOCKS)


def test_diffusers_named_wan_lora_is_flagged(tmp_path):
    lora = identify_lora_from(tmp_path, lora_shapes({"blocks.0.attn1.to_q": (128, 128)}, key_format="transformer"))
    assert lora.target_family == "wan" and lora.unsupported_naming


def test_not_a_lora(tmp_path):
    with pytest.raises(UnknownComponentError, match=r"clip_l.safetensors: not a LoRA \(it is a CLIP-L text encoder"):
        identify_lora(write_component("clip_l", tmp_path))


def identify_lora_from(directory, shapes):
    path = directory / f"lora_{len(list(directory.iterdir()))}.safetensors"
    return identify_lora(write_sparse_checkpoint(path, shapes, "BF16"))


def _numel(shape):
    n = 1
    for d in shape:
        n *= d
    return n
