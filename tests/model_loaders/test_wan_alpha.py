"""Wan-Alpha (alpha_video), plain Python: the router's auto settings are the official template's (shift 5,
20 / 6 / uni_pc / simple, 832x480x33), and the report's notes on the prompt and the RGB VAE (never a rewrite)."""
import pytest

from model_loaders.families import routing_defaults
from model_loaders.families.wan.recipes import TRANSPARENT_EXAMPLE, alpha_notes
from model_loaders.sampling.settings import Overrides, resolve_settings
from routing import config_from_dict

RGB_VAE = "wan_alpha_2.1_vae_rgb_channel.safetensors"


def test_auto_settings_are_the_wan_alpha_template():
    defaults = config_from_dict({}, routing_defaults()).family("wan").defaults_for("alpha_video", "wan21_t2v")
    settings, notes = resolve_settings(Overrides(seed=1), defaults, multiple=16, video=True)
    got = (settings.shift, settings.shift_node, settings.steps, settings.cfg, settings.sampler, settings.scheduler,
           settings.width, settings.height, settings.frames)
    assert got == (5, "sd3", 20, 6, "uni_pc", "simple", 832, 480, 33) and notes == []


@pytest.mark.parametrize("prompt", ["A fox runs. The background of this video is transparent.",
                                    "a fox on a TRANSPARENT background"])
def test_a_prompt_with_a_transparent_background_gets_no_note(prompt):
    assert alpha_notes(prompt, False, RGB_VAE) == []


@pytest.mark.parametrize("conditioning", [False, True])
def test_a_prompt_without_one_is_noted_and_used_as_given(conditioning):
    (note,) = alpha_notes("a fox runs in the snow", conditioning, RGB_VAE)
    assert "does not describe a transparent background" in note and TRANSPARENT_EXAMPLE in note
    assert "used as given" in note
    assert ("CONDITIONING is used as it is" in note) == conditioning


def test_another_rgb_vae_is_noted():
    (note,) = alpha_notes(TRANSPARENT_EXAMPLE, False, "wan_2.1_vae.safetensors")
    assert "wan_2.1_vae.safetensors" in note and RGB_VAE in note
