"""The router's per-attempt settings (plain Python): explicit values win, "auto" takes the chosen variant's
template from the routing config (the values of shared/reference/comfyui-recipes.md), sizes round to the
variant's multiple and frames to 4n+1; and NewBie's structured prompt."""
import pytest

from model_loaders.families import routing_defaults
from model_loaders.families.newbie.recipes import NEGATIVE_PREFIX, SYSTEM_PREFIX, negative_text, structured_prompt
from model_loaders.sampling.settings import (Overrides, SettingsError, resolve_settings, round_to_4n_plus_1,
                                             round_to_multiple)
from routing import config_from_dict

CONFIG = config_from_dict({}, routing_defaults())


@pytest.mark.parametrize("value,multiple,expected", [(64, 16, 64), (70, 16, 64), (72, 16, 80), (1, 16, 16),
                                                     (80, 32, 96), (79, 32, 64), (704, 32, 704)])
def test_sizes_round_to_the_nearest_multiple(value, multiple, expected):
    assert round_to_multiple(value, multiple) == expected


@pytest.mark.parametrize("frames,expected", [(1, 1), (2, 1), (3, 5), (5, 5), (6, 5), (7, 9), (81, 81), (80, 81)])
def test_frames_round_to_4n_plus_1(frames, expected):
    assert round_to_4n_plus_1(frames) == expected


# (family, variant, capability) -> (shift, shift node, steps, cfg, sampler, scheduler, width, height, frames,
# guidance, expert split): the official templates' effective values (comfyui-recipes.md §0-§1).
TEMPLATES = {
    ("wan", "wan21_t2v", "text_to_video"): (8, "sd3", 30, 6, "uni_pc", "simple", 832, 480, 33, None, None),
    ("wan", "wan21_i2v", "image_to_video"): (8, "sd3", 20, 6, "uni_pc", "simple", 512, 512, 33, None, None),
    ("wan", "wan22_a14b_t2v", "text_to_video"): (5, "sd3", 20, 3.5, "euler", "simple", 640, 640, 81, None, 10),
    ("wan", "wan22_a14b_i2v", "image_to_video"): (5, "sd3", 20, 3.5, "euler", "simple", 640, 640, 81, None, 10),
    ("wan", "wan22_ti2v_5b", "text_to_video"): (8, "sd3", 20, 5, "uni_pc", "simple", 1280, 704, 121, None, None),
    ("wan", "wan22_ti2v_5b", "image_to_video"): (8, "sd3", 20, 5, "uni_pc", "simple", 1280, 704, 121, None, None),
    ("hunyuan_video", "hunyuan_video_t2v", "text_to_video"): (7, "sd3", 20, 1, "euler", "simple", 848, 480, 73, 6.0,
                                                              None),
    ("hunyuan_video", "hunyuan_video_i2v_concat", "image_to_video"): (7, "sd3", 20, 1, "euler", "simple", 848, 480,
                                                                      53, 6.0, None),
    ("hunyuan_video", "hunyuan_video_15", "text_to_video"): (7, "sd3", 20, 6, "euler", "simple", 1280, 720, 121,
                                                             None, None),
    ("hunyuan_video", "hunyuan_video_15", "image_to_video"): (7, "sd3", 20, 6, "euler", "simple", 1280, 720, 121,
                                                              None, None),
    ("qwen_image", "qwen_image", "text_to_image"): (3.1, "auraflow", 20, 4, "euler", "simple", 1328, 1328, 1, None,
                                                    None),
    # HunyuanVideo 1.5 SR (§1.10): 8 steps split at 4, cfg 1, shift 2; the output size
    ("hunyuan_video", "hunyuan_video_15", "super_resolution"): (2, "sd3", 8, 1, "euler", "simple", 1920, 1088, 121,
                                                                None, 4),
    ("newbie", "newbie", "anime_generation"): (6, "auraflow", 20, 5.5, "res_multistep", "simple", 1024, 1536, 1,
                                               None, None),
}


@pytest.mark.parametrize("key", list(TEMPLATES), ids=["/".join(k) for k in TEMPLATES])
def test_auto_settings_are_the_official_template(key):
    family, variant, capability = key
    defaults = CONFIG.family(family).defaults_for(capability, variant)
    video = capability.endswith("video") or capability == "super_resolution"
    settings, notes = resolve_settings(Overrides(seed=7), defaults, multiple=32 if variant == "wan22_ti2v_5b" else 16,
                                       video=video)
    got = (settings.shift, settings.shift_node, settings.steps, settings.cfg, settings.sampler, settings.scheduler,
           settings.width, settings.height, settings.frames, settings.guidance, settings.expert_split_step)
    assert got == TEMPLATES[key]
    assert settings.seed == 7 and notes == []


def test_explicit_values_win_and_rounding_is_noted():
    defaults = CONFIG.family("wan").defaults_for("text_to_video", "wan22_ti2v_5b")
    overrides = Overrides(width=100, height=64, frames=10, steps=4, cfg=2.5, shift=3.0, sampler="euler",
                          scheduler="normal", seed=3, denoise=0.5)
    settings, notes = resolve_settings(overrides, defaults, multiple=32, video=True)
    assert (settings.width, settings.height, settings.frames) == (96, 64, 9)
    assert (settings.steps, settings.cfg, settings.shift, settings.sampler, settings.scheduler) == (
        4, 2.5, 3.0, "euler", "normal")
    assert settings.denoise == 0.5
    assert "size 100x64 rounded to 96x64 (multiples of 32)" in notes
    assert "frames 10 rounded to 9 (4n+1)" in notes


def test_the_a14b_expert_split_keeps_the_template_proportion():
    defaults = CONFIG.family("wan").defaults_for("text_to_video", "wan22_a14b_t2v")
    settings, notes = resolve_settings(Overrides(steps=8), defaults, multiple=16, video=True)
    assert settings.expert_split_step == 4
    assert any("expert split at step 4 of 8" in n for n in notes)
    settings, _ = resolve_settings(Overrides(steps=2), defaults, multiple=16, video=True)
    assert settings.expert_split_step == 1


def test_an_upscale_refine_takes_the_template_denoise_unless_lowered():
    defaults = CONFIG.family("qwen_image").defaults_for("super_resolution", "qwen_image")
    settings, _ = resolve_settings(Overrides(), defaults, multiple=16, video=False)
    assert settings.denoise == 0.33
    settings, _ = resolve_settings(Overrides(denoise=0.5), defaults, multiple=16, video=False)
    assert settings.denoise == 0.5
    text_to_image = CONFIG.family("qwen_image").defaults_for("text_to_image", "qwen_image")
    assert resolve_settings(Overrides(), text_to_image, multiple=16, video=False)[0].denoise == 1.0


def test_auto_without_a_template_names_the_fields_and_the_fix():
    with pytest.raises(SettingsError) as info:
        resolve_settings(Overrides(width=64, height=64, steps=2, cfg=1.0, shift=1.0, sampler="euler"), None,
                         multiple=16, video=False, where="wan variant x")
    message = str(info.value)
    assert "wan variant x" in message and "scheduler" in message and "width" not in message
    assert "set them on the router node" in message


def test_explicit_values_need_no_template():
    settings, _ = resolve_settings(Overrides(width=64, height=64, frames=5, steps=2, cfg=1.0, shift=2.0,
                                             sampler="euler", scheduler="simple"), None, multiple=16, video=True,
                                   shift_node="auraflow")
    assert settings.shift_node == "auraflow" and settings.frames == 5


def test_newbie_prompt_has_the_system_prefix_and_a_structured_body():
    text = structured_prompt("a girl with silver hair reading in a library")
    assert text.startswith(SYSTEM_PREFIX + "\n")
    body = text[len(SYSTEM_PREFIX) + 1:]
    import json
    data = json.loads(body)
    assert data["image"]["caption"] == "a girl with silver hair reading in a library"
    assert "<general_tags>" in data["image"]["tags"] and "<character_1>" in data["image"]["tags"]
    xml = "<character_1><n>miku</n></character_1>"
    assert structured_prompt(xml) == f"{SYSTEM_PREFIX}\n{xml}"  # already structured: kept as written
    assert negative_text("") == NEGATIVE_PREFIX
    assert negative_text("blurry") == f"{NEGATIVE_PREFIX} blurry"


def test_super_resolution_asks_for_the_input_size_times_the_factor():
    from types import SimpleNamespace

    from model_loaders.sampling.router_inputs import super_resolution_size
    image, video = SimpleNamespace(shape=(1, 48, 64, 3)), SimpleNamespace(shape=(5, 40, 80, 3))
    assert super_resolution_size("super_resolution", image, None, 2.0, 0, 0) == (128, 96, 0)
    assert super_resolution_size("super_resolution", image, video, 1.5, 0, 0) == (120, 60, 5)  # the video's
    assert super_resolution_size("super_resolution", image, video, 1.5, 0, 0, 9) == (120, 60, 9)
    assert super_resolution_size("super_resolution", image, None, 2.0, 200, 0) == (200, 96, 0)  # a set side wins
    assert super_resolution_size("super_resolution", None, None, 2.0, 0, 0) == (0, 0, 0)  # the template's
    assert super_resolution_size("image_editing", image, None, 2.0, 0, 0) == (0, 0, 0)
