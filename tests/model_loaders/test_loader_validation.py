"""validate_loader_inputs: everything a per-family loader is given, checked from headers before anything loads.

Diffusion models are the tiny fixtures (tests/tiny_models) or sparse real-size headers; companions are sparse
real-shape headers (tests/component_headers.py).
"""
import math

import pytest

from component_headers import FILE_NAMES, component_shapes, linear_modules, lora_shapes, write_component
from model_loaders.errors import CheckpointError
from model_loaders.families import FAMILIES, missing_and_mismatched
from model_loaders.families.newbie.keys import newbie_tensor_shapes
from model_loaders.families.qwen_image.keys import qwen_image_tensor_shapes
from model_loaders.families.wan.keys import wan_tensor_shapes
from model_loaders.inspection import detect_family
from model_loaders.layout import StateDictLayout
from model_loaders.safetensors_header import read_safetensors_header
from model_loaders.loader_validation import LoaderValidationError, validate_loader_inputs
from routing.capabilities import Capability
from tiny_models import VARIANTS, write_checkpoint, write_sparse_checkpoint


@pytest.fixture(scope="module")
def parts(tmp_path_factory):
    """Every companion file once, at its official file name."""
    directory = tmp_path_factory.mktemp("components")
    return {kind: write_component(kind, directory) for kind in FILE_NAMES}


def wan(tiny_models_dir, variant="wan21_t2v", precision="bf16"):
    return write_checkpoint(variant, precision, tiny_models_dir)


def problems_of(excinfo) -> tuple[str, ...]:
    return excinfo.value.problems


# ---------------------------------------------------------------------------------------------- declarations
@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_every_variant_is_declared_with_known_ids(family):
    module = FAMILIES[family]
    assert set(module.DECLARATIONS) == set(module.VARIANTS)
    known_caps = {c.value for c in Capability}
    from model_loaders.components import KINDS
    for variant, decl in module.DECLARATIONS.items():
        # A variant may serve only with its optional parts (the HunyuanVideo 1.5 SR model on its own)
        assert decl.all_capabilities() and set(decl.all_capabilities()) <= known_caps, variant
        assert decl.workflow_type in ("video", "image")
        assert set(decl.text_encoders) <= set(KINDS) and decl.vae in KINDS
        assert decl.clip_vision is None or decl.clip_vision in KINDS
        assert set(decl.overridable_to) <= set(module.VARIANTS) - {variant}


# ------------------------------------------------------------------------------------------------ happy paths
def test_wan_t2v_validates_and_reports_sizes(tiny_models_dir, parts):
    model = wan(tiny_models_dir)
    result = validate_loader_inputs("wan", models={"model": model}, text_encoders=[parts["umt5_xxl"]],
                                    vae=parts["wan21_vae"], clip_vision=None, loras=[], precision="auto")
    assert (result.variant, result.capabilities, result.workflow_type, result.clip_type) == (
        "wan21_t2v", ("text_to_video", "text_to_image"), "video", "wan")
    assert result.parameter_count == VARIANTS["wan21_t2v"].parameter_count()
    assert result.weight_bytes == read_safetensors_header(model).data_bytes == 2 * result.parameter_count
    assert result.text_encoder_bytes == read_safetensors_header(parts["umt5_xxl"]).data_bytes
    assert result.vae_bytes == read_safetensors_header(parts["wan21_vae"]).data_bytes
    assert dict(result.files) == {"model": model, "text_encoder_1": parts["umt5_xxl"], "vae": parts["wan21_vae"]}


def test_full_size_wan_14b_header_passes(tmp_path, parts):
    path = write_sparse_checkpoint(tmp_path / "wan2.1_t2v_14B_fp8_e4m3fn.safetensors",
                                   wan_tensor_shapes(5120, 13824, 40, 16, 16), "F8_E4M3")
    result = validate_loader_inputs("wan", models={"model": path}, text_encoders=[parts["umt5_xxl"]],
                                    vae=parts["wan21_vae"], precision="auto")
    assert result.variant == "wan21_t2v" and result.precision.weight_dtype == "float8_e4m3fn"
    assert result.parameter_count > 14_000_000_000 and result.weight_bytes == result.parameter_count


def test_wan_i2v_with_clip_vision_h(tiny_models_dir, parts):
    result = validate_loader_inputs("wan", models={"model": wan(tiny_models_dir, "wan21_i2v")},
                                    text_encoders=[parts["umt5_xxl"]], vae=parts["wan21_vae"],
                                    clip_vision=parts["clip_vision_h"], precision="auto")
    assert result.capabilities == ("image_to_video",) and result.clip_vision.kind == "clip_vision_h"


def test_qwen_image_full_size_header(tmp_path, parts):
    path = write_sparse_checkpoint(tmp_path / "qwen_image_fp8_e4m3fn.safetensors", qwen_image_tensor_shapes(60),
                                   "F8_E4M3")
    result = validate_loader_inputs("qwen_image", models={"model": path}, text_encoders=[parts["qwen25_7b_vl"]],
                                    vae=parts["wan21_vae"], precision="auto")
    assert (result.variant, result.capabilities, result.workflow_type, result.clip_type) == (
        "qwen_image", ("text_to_image",), "image", "qwen_image")


def test_newbie_full_size_header(tmp_path, parts):
    path = write_sparse_checkpoint(tmp_path / "NewBie-Image-Exp0.1.safetensors", newbie_tensor_shapes(36), "BF16")
    result = validate_loader_inputs("newbie", models={"model": path},
                                    text_encoders=[parts["jina_clip_v2"], parts["gemma3_4b"]],
                                    vae=parts["flux_vae"], precision="as_stored")
    assert result.capabilities == ("anime_generation", "text_to_image") and result.clip_type == "newbie"
    assert result.precision.weight_dtype == "bfloat16"


def test_hunyuan_video_15_with_sr_model(tiny_models_dir, parts):
    """super_resolution comes with both the SR model and the latent upsampler."""
    from tiny_models.upscale_models import write_latent_upsampler
    files = dict(models={"model": write_checkpoint("hunyuan_video_15", "bf16", tiny_models_dir),
                         "sr_model": write_checkpoint("hunyuan_video_15_sr", "bf16", tiny_models_dir)},
                 text_encoders=[parts["byt5_small_glyph"], parts["qwen25_7b_vl"]], vae=parts["hunyuan_video_15_vae"],
                 clip_vision=parts["siglip_384"], precision="auto")
    result = validate_loader_inputs("hunyuan_video", **files)
    assert result.capabilities == ("text_to_video", "image_to_video")
    from model_loaders.families import declaration
    assert declaration("hunyuan_video", "hunyuan_video_15").missing_parts("super_resolution", models=result.models) \
        == ["hunyuanvideo15_latent_upsampler_1080p.safetensors (models/latent_upscale_models) as latent_upsampler"]
    upsampler = write_latent_upsampler(tiny_models_dir)
    result = validate_loader_inputs("hunyuan_video", **files, companions={"latent_upsampler": upsampler})
    assert result.capabilities == ("text_to_video", "image_to_video", "super_resolution")
    assert result.clip_type == "hunyuan_video_15" and set(result.models) == {"model", "sr_model"}
    assert result.companions["latent_upsampler"].kind == "hunyuan_video_15_latent_upsampler_1080p"
    assert result.files["latent_upsampler"] == upsampler


# ------------------------------------------------------------------------------------------------ wrong files
def test_checkpoint_of_another_family_names_its_loader(tiny_models_dir, parts):
    with pytest.raises(LoaderValidationError) as err:
        validate_loader_inputs("hunyuan_video", models={"model": wan(tiny_models_dir)},
                               text_encoders=[parts["clip_l"], parts["llama3_8b_llava"]],
                               vae=parts["hunyuan_video_vae"], precision="auto")
    assert problems_of(err) == ("wan2.1_t2v_1.3B_tiny_bf16.safetensors is a Wan checkpoint (Wan 2.1 T2V) — use "
                                "the StoryCore Wan Loader, or choose a HunyuanVideo model here",)
    assert isinstance(err.value, CheckpointError)


def test_wrong_text_encoder_names_file_and_fix(tmp_path, parts):
    path = write_sparse_checkpoint(tmp_path / "qwen_image.safetensors", qwen_image_tensor_shapes(2), "BF16")
    with pytest.raises(LoaderValidationError) as err:
        validate_loader_inputs("qwen_image", models={"model": path}, text_encoders=[parts["umt5_xxl"]],
                               vae=parts["wan21_vae"], precision="auto")
    assert problems_of(err) == (
        "umt5_xxl_fp8_e4m3fn_scaled.safetensors is a UMT5-XXL text encoder (Wan); Qwen-Image needs a "
        "Qwen2.5-VL-7B text encoder (e.g. qwen_2.5_vl_7b_fp8_scaled.safetensors)",)


def test_ti2v_5b_needs_the_wan22_vae(tiny_models_dir, parts):
    with pytest.raises(LoaderValidationError) as err:
        validate_loader_inputs("wan", models={"model": wan(tiny_models_dir, "wan22_ti2v_5b")},
                               text_encoders=[parts["umt5_xxl"]], vae=parts["wan21_vae"], precision="auto")
    assert problems_of(err) == ("the Wan 2.2 TI2V-5B model needs the Wan 2.2 VAE (wan2.2_vae.safetensors); "
                                "wan_2.1_vae.safetensors is the Wan 2.1 VAE",)


def test_wan_i2v_without_clip_vision_or_with_the_wrong_one(tiny_models_dir, parts):
    model = {"model": wan(tiny_models_dir, "wan21_i2v")}
    common = dict(text_encoders=[parts["umt5_xxl"]], vae=parts["wan21_vae"], precision="auto")
    with pytest.raises(LoaderValidationError, match=r"needs a CLIP-ViT-H/14 vision encoder .*clip_vision_h"):
        validate_loader_inputs("wan", models=model, clip_vision=None, **common)
    with pytest.raises(LoaderValidationError, match=r"sigclip_vision_patch14_384.safetensors is a SigLIP"):
        validate_loader_inputs("wan", models=model, clip_vision=parts["siglip_384"], **common)


def test_hunyuan_video_needs_both_text_encoders(tiny_models_dir, parts):
    with pytest.raises(LoaderValidationError) as err:
        validate_loader_inputs("hunyuan_video",
                               models={"model": write_checkpoint("hunyuan_video_t2v", "bf16", tiny_models_dir)},
                               text_encoders=[parts["llama3_8b_llava"]], vae=parts["hunyuan_video_vae"],
                               precision="auto")
    (problem,) = problems_of(err)
    assert "needs a CLIP-L text encoder" in problem and "clip_l.safetensors" in problem


def test_newbie_text_encoder_width_must_match_the_model(tmp_path, parts):
    path = write_sparse_checkpoint(tmp_path / "newbie_other.safetensors", newbie_tensor_shapes(1, cap_feat_dim=2304))
    with pytest.raises(LoaderValidationError) as err:
        validate_loader_inputs("newbie", models={"model": path},
                               text_encoders=[parts["gemma3_4b"], parts["jina_clip_v2"]], vae=parts["flux_vae"])
    (problem,) = problems_of(err)
    assert problem.startswith("gemma_3_4b_it_bf16.safetensors produces 2560-wide features but "
                              "newbie_other.safetensors expects 2304")


# ------------------------------------------------------------------------------------------- required keys
def test_one_missing_key_is_listed_exactly(tmp_path, parts):
    shapes = wan_tensor_shapes(128, 256, 1, 16, 16)
    del shapes["blocks.0.cross_attn.k.bias"]
    path = write_sparse_checkpoint(tmp_path / "wan2.1_t2v_broken.safetensors", shapes, "BF16")
    with pytest.raises(LoaderValidationError) as err:
        validate_loader_inputs("wan", models={"model": path}, text_encoders=[parts["umt5_xxl"]],
                               vae=parts["wan21_vae"])
    assert problems_of(err) == (
        "wan2.1_t2v_broken.safetensors is missing 1 of the 42 weights of Wan 2.1 T2V ('blocks.0.cross_attn.k.bias'); "
        "ComfyUI would leave them as uninitialised memory. The file is incomplete or damaged: download it again",)


def test_many_missing_keys_show_the_first_ten_and_the_count(tmp_path):
    shapes = wan_tensor_shapes(5120, 13824, 40, 16, 16)
    removed = [k for k in shapes if k.startswith("blocks.7.")]
    for key in removed:
        del shapes[key]
    layout = StateDictLayout(shapes)
    check = missing_and_mismatched(layout, detect_family(layout, "wan.safetensors"))
    assert check.missing == tuple(removed)  # a whole block gone in the middle: ComfyUI would stop at block 7


def test_shape_mismatch_is_reported(tmp_path, parts):
    shapes = wan_tensor_shapes(128, 256, 1, 16, 16)
    shapes["blocks.0.self_attn.o.weight"] = (128, 64)
    path = write_sparse_checkpoint(tmp_path / "wan_merged.safetensors", shapes, "BF16")
    with pytest.raises(LoaderValidationError, match=r"blocks.0.self_attn.o.weight: expected \[128, 128\], "
                                                    r"found \[128, 64\]"):
        validate_loader_inputs("wan", models={"model": path}, text_encoders=[parts["umt5_xxl"]],
                               vae=parts["wan21_vae"])


@pytest.mark.parametrize("precision", ["scaled_fp8", "comfy_quant", "comfy_quant_metadata"])
def test_quantisation_auxiliaries_are_tolerated(tiny_models_dir, parts, precision):
    result = validate_loader_inputs("wan", models={"model": wan(tiny_models_dir, precision=precision)},
                                    text_encoders=[parts["umt5_xxl"]], vae=parts["wan21_vae"], precision="auto")
    assert result.precision.weight_dtype is None and result.precision.stored_format == precision


def test_optional_keys_comfy_accepts(tmp_path):
    wan_shapes = wan_tensor_shapes(128, 256, 1, 36, 16, image_embedding=True)
    wan_shapes["img_emb.emb_pos"] = (1, 514, 1280)  # FLF2V
    qwen_shapes = qwen_image_tensor_shapes(1)
    qwen_shapes["__index_timestep_zero__"] = (0,)
    for shapes in (wan_shapes, qwen_shapes):
        layout = StateDictLayout(shapes)
        check = missing_and_mismatched(layout, detect_family(layout, "x.safetensors"))
        assert check.ok and not check.unexpected


# ----------------------------------------------------------------------------------------------- precision
def test_forcing_fp8_on_a_scaled_file_is_refused(tiny_models_dir, parts):
    with pytest.raises(LoaderValidationError) as err:
        validate_loader_inputs("wan", models={"model": wan(tiny_models_dir, precision="scaled_fp8")},
                               text_encoders=[parts["umt5_xxl"]], vae=parts["wan21_vae"], precision="fp8_e4m3fn")
    (problem,) = problems_of(err)
    assert problem.startswith("wan2.1_t2v_1.3B_tiny_scaled_fp8.safetensors is already quantised (scaled_fp8")
    assert "set the precision to 'auto'" in problem


@pytest.mark.parametrize("requested, dtype, fast", [("auto", "float8_e4m3fn", False),
                                                    ("fp8_e4m3fn_fast", "float8_e4m3fn", True),
                                                    ("fp8_e5m2", "float8_e5m2", False),
                                                    ("as_stored", "float8_e4m3fn", False)])
def test_precision_choice_for_a_plain_fp8_file(tiny_models_dir, parts, requested, dtype, fast):
    result = validate_loader_inputs("wan", models={"model": wan(tiny_models_dir, precision="fp8_e4m3fn")},
                                    text_encoders=[parts["umt5_xxl"]], vae=parts["wan21_vae"], precision=requested)
    assert (result.precision.weight_dtype, result.precision.fp8_optimizations) == (dtype, fast)
    assert any("re-casts" in n for n in result.notes) == (requested == "fp8_e5m2")


def test_unknown_precision_choice_and_unknown_storage_format(tmp_path, parts):
    path = write_sparse_checkpoint(tmp_path / "wan_f64.safetensors", wan_tensor_shapes(128, 256, 1, 16, 16), "F64")
    with pytest.raises(LoaderValidationError) as err:
        validate_loader_inputs("wan", models={"model": path}, text_encoders=[parts["umt5_xxl"]],
                               vae=parts["wan21_vae"], precision="fp4")
    assert len(problems_of(err)) == 2
    assert problems_of(err)[0].startswith("precision 'fp4' is not a choice")
    assert problems_of(err)[1].startswith("wan_f64.safetensors is stored as 'f64'")


# ------------------------------------------------------------------------------------------ variants / experts
def test_a14b_pair(tiny_models_dir, parts):
    high, low = (write_checkpoint(f"wan22_a14b_t2v_{e}", "bf16", tiny_models_dir) for e in ("high_noise", "low_noise"))
    result = validate_loader_inputs("wan", models={"high_noise": high, "low_noise": low},
                                    text_encoders=[parts["umt5_xxl"]], vae=parts["wan21_vae"])
    assert result.variant == "wan22_a14b_t2v" and set(result.files) >= {"high_noise", "low_noise"}
    assert result.weight_bytes == read_safetensors_header(high).data_bytes + read_safetensors_header(low).data_bytes


def test_a14b_swapped_by_name_is_an_error(tiny_models_dir, parts):
    high, low = (write_checkpoint(f"wan22_a14b_t2v_{e}", "bf16", tiny_models_dir) for e in ("high_noise", "low_noise"))
    with pytest.raises(LoaderValidationError) as err:
        validate_loader_inputs("wan", models={"high_noise": low, "low_noise": high},
                               text_encoders=[parts["umt5_xxl"]], vae=parts["wan21_vae"])
    assert len(problems_of(err)) == 2 and all("swap the two files" in p for p in problems_of(err))


def test_a14b_missing_expert_and_same_file_twice(tiny_models_dir, parts):
    high = write_checkpoint("wan22_a14b_t2v_high_noise", "bf16", tiny_models_dir)
    common = dict(text_encoders=[parts["umt5_xxl"]], vae=parts["wan21_vae"])
    with pytest.raises(LoaderValidationError) as err:
        validate_loader_inputs("wan", models={"high_noise": high}, **common)
    assert problems_of(err) == (
        "wan2.2_t2v_high_noise_14B_tiny_bf16.safetensors is the high-noise expert of Wan 2.2 A14B T2V; the low-noise "
        "expert is missing: add it as low_noise (e.g. wan2.2_t2v_low_noise_14B_tiny_bf16.safetensors)",)
    with pytest.raises(LoaderValidationError, match="given as both the high-noise and the low-noise expert"):
        validate_loader_inputs("wan", models={"high_noise": high, "low_noise": high}, **common)


def test_a14b_pair_of_different_layouts(tiny_models_dir, parts):
    with pytest.raises(LoaderValidationError, match="the A14B experts differ"):
        validate_loader_inputs("wan", models={"high_noise": write_checkpoint("wan22_a14b_i2v", "bf16", tiny_models_dir),
                                              "low_noise": write_checkpoint("wan22_a14b_t2v_low_noise", "bf16",
                                                                            tiny_models_dir)},
                               text_encoders=[parts["umt5_xxl"]], vae=parts["wan21_vae"])


def test_unnamed_t2v_files_in_expert_slots_become_a14b(tmp_path, parts):
    shapes = wan_tensor_shapes(128, 256, 1, 16, 16)
    first = write_sparse_checkpoint(tmp_path / "expert_a.safetensors", shapes, "BF16")
    second = write_sparse_checkpoint(tmp_path / "expert_b.safetensors", shapes, "BF16")
    result = validate_loader_inputs("wan", models={"high_noise": first, "low_noise": second},
                                    text_encoders=[parts["umt5_xxl"]], vae=parts["wan21_vae"])
    assert (result.variant, result.variant_source) == ("wan22_a14b_t2v", "slot")
    assert sum("does not say which A14B expert" in n for n in result.notes) == 2


def test_a14b_expert_given_as_single_model(tiny_models_dir, parts):
    with pytest.raises(LoaderValidationError, match="give this file as high_noise or low_noise"):
        validate_loader_inputs("wan", models={"model": write_checkpoint("wan22_a14b_t2v_high_noise", "bf16",
                                                                        tiny_models_dir)},
                               text_encoders=[parts["umt5_xxl"]], vae=parts["wan21_vae"])


@pytest.mark.parametrize("shapes_kw, override, allowed", [
    ({}, "qwen_image_edit", True), ({}, "qwen_image_edit_2511", True),
    ({"index_timestep_zero": True}, "qwen_image", False), ({"additional_t_cond": True}, "qwen_image_edit", False)])
def test_qwen_variant_override_only_among_identical_layouts(tmp_path, parts, shapes_kw, override, allowed):
    path = write_sparse_checkpoint(tmp_path / "qwen_model.safetensors", qwen_image_tensor_shapes(1, **shapes_kw))
    call = dict(models={"model": path}, text_encoders=[parts["qwen25_7b_vl"]], vae=parts["wan21_vae"],
                variant_override=override)
    if allowed:
        result = validate_loader_inputs("qwen_image", **call)
        assert (result.variant, result.variant_source) == (override, "override")
        assert result.capabilities == FAMILIES["qwen_image"].DECLARATIONS[override].capabilities
    else:
        with pytest.raises(LoaderValidationError, match=r"qwen_model.safetensors cannot be used as .*Set the variant "
                                                        r"to auto"):
            validate_loader_inputs("qwen_image", **call)


def test_qwen_edit_needs_the_vision_tower(tmp_path, parts):
    shapes = {k: v for k, v in component_shapes("qwen25_7b_vl").items()
              if not k.startswith("visual.")}
    te = write_component("qwen25_7b_vl", tmp_path, "qwen_2.5_7b_text_only.safetensors", shapes=shapes)
    model = write_sparse_checkpoint(tmp_path / "qwen_image_edit.safetensors", qwen_image_tensor_shapes(1))
    with pytest.raises(LoaderValidationError, match="without the vision tower; Qwen-Image-Edit passes"):
        validate_loader_inputs("qwen_image", models={"model": model}, text_encoders=[te], vae=parts["wan21_vae"])


# --------------------------------------------------------------------------------------------------- LoRAs
def test_loras_are_checked_against_family_and_size(tiny_models_dir, tmp_path, parts):
    model = wan(tiny_models_dir)
    good = write_sparse_checkpoint(tmp_path / "wan_style.safetensors",
                                   lora_shapes(linear_modules(wan_tensor_shapes(128, 256, 1, 16, 16), "blocks.")))
    qwen = write_sparse_checkpoint(tmp_path / "qwen_lightning.safetensors", lora_shapes(
        linear_modules(qwen_image_tensor_shapes(1), "transformer_blocks."), key_format="transformer"))
    big = write_sparse_checkpoint(tmp_path / "wan_14b_style.safetensors", lora_shapes(
        linear_modules(wan_tensor_shapes(5120, 13824, 1, 16, 16), "blocks."), key_format="lora_unet"))
    common = dict(models={"model": model}, text_encoders=[parts["umt5_xxl"]], vae=parts["wan21_vae"])
    result = validate_loader_inputs("wan", loras=[(good, 0.8)], **common)
    assert [(d.target_family, s) for d, s in result.loras] == [("wan", 0.8)]
    assert result.lora_bytes == read_safetensors_header(good).data_bytes
    with pytest.raises(LoaderValidationError) as err:
        validate_loader_inputs("wan", loras=[(qwen, 1.0), (big, 1.0), (good, math.nan)], **common)
    first, second, third = problems_of(err)
    assert first.startswith("qwen_lightning.safetensors is a LoRA for Qwen-Image") and "remove it" in first
    assert second.startswith("wan_14b_style.safetensors does not fit wan2.1_t2v_1.3B_tiny_bf16.safetensors")
    assert third.startswith("wan_style.safetensors: LoRA strength nan is not a finite number")


# ------------------------------------------------------------------------------------------ all problems at once
def test_all_problems_are_reported_together_and_each_names_a_file(tmp_path, parts):
    shapes = wan_tensor_shapes(128, 256, 1, 48, 48)  # TI2V-5B layout
    del shapes["head.head.bias"]
    model = write_sparse_checkpoint(tmp_path / "wan2.2_ti2v_5B_partial.safetensors", shapes, "BF16")
    with pytest.raises(LoaderValidationError) as err:
        validate_loader_inputs("wan", models={"model": model}, text_encoders=[parts["qwen25_7b_vl"]],
                               vae=parts["hunyuan_video_vae"], clip_vision=None, precision="auto")
    found = problems_of(err)
    assert len(found) == 3
    assert found[0].startswith("wan2.2_ti2v_5B_partial.safetensors is missing 1 of the 42 weights")
    assert found[1].startswith("qwen_2.5_vl_7b_fp8_scaled.safetensors is a Qwen2.5-VL-7B text encoder")
    assert found[2].endswith("hunyuan_video_vae_bf16.safetensors is the HunyuanVideo VAE")
    assert str(err.value).startswith("The StoryCore Wan Loader cannot run with these files (3 problems):")
