"""Without a usable diffusion model (another family's checkpoint, an unreadable one) the loaders still check every
companion file against what any variant of their family takes, so all problems are reported together."""
import pytest

from component_headers import FILE_NAMES, write_component
from model_loaders.loader_validation import LoaderValidationError, validate_loader_inputs
from tiny_models import write_checkpoint


@pytest.fixture(scope="module")
def parts(tmp_path_factory):
    directory = tmp_path_factory.mktemp("components")
    return {kind: write_component(kind, directory) for kind in FILE_NAMES}


def problems(family, **given) -> tuple[str, ...]:
    with pytest.raises(LoaderValidationError) as caught:
        validate_loader_inputs(family, **given)
    return caught.value.problems


def test_qwen_loader_given_a_newbie_model_and_umt5_reports_both(parts, tiny_models_dir):
    newbie = write_checkpoint("newbie", "bf16", tiny_models_dir)
    found = problems("qwen_image", models={"model": newbie}, text_encoders=[parts["umt5_xxl"]],
                     vae=parts["wan21_vae"])
    assert len(found) == 2, found
    assert newbie.name in found[0] and "NewBie Loader" in found[0]
    assert found[1].startswith("umt5_xxl_fp8_e4m3fn_scaled.safetensors is a UMT5-XXL text encoder")
    assert "StoryCore Qwen-Image Loader takes a Qwen2.5-VL-7B text encoder" in found[1]


def test_every_companion_is_checked_against_the_family(parts, tiny_models_dir):
    hunyuan = write_checkpoint("hunyuan_video_t2v", "bf16", tiny_models_dir)
    found = problems("wan", models={"model": hunyuan}, text_encoders=[parts["clip_l"]], vae=parts["flux_vae"],
                     clip_vision=parts["siglip_384"])
    assert len(found) == 4, found
    assert any("clip_l.safetensors is a CLIP-L text encoder" in p and "UMT5-XXL" in p for p in found)
    assert any("ae.safetensors is a FLUX VAE" in p and "Wan 2.1 VAE" in p and "Wan 2.2 VAE" in p for p in found)
    assert any("sigclip_vision_patch14_384.safetensors" in p and "CLIP-ViT-H" in p for p in found), found


def test_companions_any_variant_of_the_family_takes_are_not_problems(parts, tmp_path):
    damaged = tmp_path / "wan_damaged.safetensors"
    damaged.write_bytes(b"\x00" * 4)
    found = problems("hunyuan_video", models={"model": damaged},
                     text_encoders=[parts["qwen25_7b_vl"], parts["byt5_small_glyph"]],
                     vae=parts["hunyuan_video_15_vae"], clip_vision=parts["siglip_384"])
    assert len(found) == 1 and "wan_damaged.safetensors" in found[0], found
