"""The families' routing data: one variant vocabulary (the DECLARATIONS ids), the official templates' values."""
import pytest

from model_loaders.families import FAMILIES, routing_defaults
from routing import Capability, ConfigError, config_from_dict


@pytest.fixture(scope="module")
def config():
    return config_from_dict({}, routing_defaults())


def test_every_defaults_and_prior_key_is_a_declared_variant_and_capability():
    base = routing_defaults()
    capabilities = {c.value for c in Capability}
    for family, section in base["families"].items():
        declarations = FAMILIES[family].DECLARATIONS
        for key in section["variants"]:
            variant, _, capability = key.partition("/")
            assert variant in declarations, (family, key)
            if capability:
                assert capability in declarations[variant].all_capabilities(), (family, key)
    for key, per_capability in base["quality"]["priors"].items():
        family, _, variant = key.partition("/")
        served = {c for d in FAMILIES[family].DECLARATIONS.values() for c in d.all_capabilities()}
        if variant:
            served = set(FAMILIES[family].DECLARATIONS[variant].all_capabilities())
        assert set(per_capability) <= served & capabilities, (key, set(per_capability) - served)


def test_every_declared_variant_has_template_defaults_for_each_capability(config):
    for family, module in FAMILIES.items():
        for variant, declaration in module.DECLARATIONS.items():
            for capability in declaration.all_capabilities():
                defaults = config.defaults_for(family, variant, capability)
                assert defaults is not None, (family, variant, capability)
                assert defaults.resolution_multiple == declaration.resolution_multiple, (family, variant)
                # super_resolution upscales what the workflow makes: a video workflow's videos, an image one's images
                video = capability in ("text_to_video", "image_to_video", "video_inpainting", "alpha_video") or (
                    capability == "super_resolution" and declaration.workflow_type == "video")
                assert (defaults.frames > 1) == video, (family, variant, capability)


def test_the_official_templates_values(config):
    """shared/reference/comfyui-recipes.md §0-§1 (the effective values, without the optional speed LoRAs)."""
    def values(family, variant, capability, *names):
        d = config.defaults_for(family, variant, capability)
        return tuple(getattr(d, n) for n in names)

    basic = ("shift", "steps", "cfg", "sampler", "scheduler", "width", "height", "frames")
    assert values("wan", "wan21_t2v", "text_to_video", *basic) == (8, 30, 6, "uni_pc", "simple", 832, 480, 33)
    assert values("wan", "wan21_t2v", "text_to_image", "frames", "width") == (1, 832)
    assert values("wan", "wan21_i2v", "image_to_video", *basic) == (8, 20, 6, "uni_pc", "simple", 512, 512, 33)
    # Wan 2.2 A14B: shift 5 on both experts (the newer templates), 20 steps split at 10, cfg 3.5.
    assert values("wan", "wan22_a14b_t2v", "text_to_video", "shift", "steps", "cfg", "sampler",
                  "expert_split_step", "frames") == (5, 20, 3.5, "euler", 10, 81)
    assert values("wan", "wan22_a14b_i2v", "image_to_video", "shift", "expert_split_step") == (5, 10)
    assert values("wan", "wan22_ti2v_5b", "text_to_video", "width", "height", "frames", "cfg",
                  "resolution_multiple") == (1280, 704, 121, 5, 32)
    assert values("wan", "wan21_vace", "video_inpainting", "shift", "width", "height", "frames") == (5, 720, 720, 81)
    assert values("hunyuan_video", "hunyuan_video_t2v", "text_to_video", "shift", "cfg", "guidance", "width",
                  "height", "frames") == (7, 1, 6.0, 848, 480, 73)
    assert values("hunyuan_video", "hunyuan_video_15", "image_to_video", "cfg", "width", "height", "frames") == \
        (6, 1280, 720, 121)
    assert values("qwen_image", "qwen_image", "text_to_image", "shift", "steps", "cfg", "width", "shift_node") == \
        (3.1, 20, 4, 1328, "auraflow")
    assert values("qwen_image", "qwen_image_edit", "image_editing", "shift", "steps", "cfg") == (3, 20, 2.5)
    assert values("qwen_image", "qwen_image_edit_2511", "image_editing", "shift", "steps", "cfg") == (3.1, 40, 4)
    assert values("qwen_image", "qwen_image_layered", "layered_generation", "shift", "steps", "cfg") == (1, 20, 2.5)
    assert values("newbie", "newbie", "anime_generation", "shift", "steps", "cfg", "sampler", "width",
                  "height") == (6, 20, 5.5, "res_multistep", 1024, 1536)


def test_config_files_use_the_declared_variant_ids(config):
    tuned = config_from_dict({"families": {"wan": {"variants": {"wan22_a14b_t2v": {"steps": 30}}}},
                              "quality": {"priors": {"wan/wan22_a14b_t2v": {"text_to_video": 0.9}}}},
                             routing_defaults())
    assert tuned.defaults_for("wan", "wan22_a14b_t2v", "text_to_video").steps == 30
    assert tuned.quality.prior("wan", "wan22_a14b_t2v", "text_to_video") == 0.9
    with pytest.raises(ConfigError, match=r"unknown key 'quality.priors.wan/2.2_a14b_t2v' \(did you mean "
                                          r"'quality.priors.wan/wan22_a14b_t2v'\?\)"):
        config_from_dict({"quality": {"priors": {"wan/2.2_a14b_t2v": {"text_to_video": 0.9}}}}, routing_defaults())
    with pytest.raises(ConfigError, match=r"did you mean 'families.qwen_image.variants.qwen_image_edit_2511'"):
        config_from_dict({"families": {"qwen_image": {"variants": {"edit_2511": {"steps": 8}}}}}, routing_defaults())
