"""The server routes' body checks and path scrubbing, without a server (the server test covers them end to end)."""
import pytest

from model_loaders.service.bodies import BodyError, parse_json_object, parse_route_body, stats_query, widget_specs
from model_loaders.service.public import public, scrub

INPUT_TYPES = {"required": {
    "capability": (["text_to_video", "text_to_image"], {"default": "text_to_video"}),
    "strategy": ("COMBO", {"options": ["config", "fastest"], "default": "config"}),
    "prompt": ("STRING", {"default": "", "multiline": True}),
    "width": ("INT", {"default": 0, "min": 0, "max": 16384}),
    "cfg": ("FLOAT", {"default": 0.0, "min": 0.0, "max": 100.0}),
    "workflow_1": ("STORYCORE_WORKFLOW", {}),
}}


def test_specs_keep_the_widgets_only():
    specs = widget_specs(INPUT_TYPES)
    assert set(specs) == {"capability", "strategy", "prompt", "width", "cfg"}
    assert specs["strategy"].options == ("config", "fastest") and specs["width"].maximum == 16384


def test_defaults_fill_in_and_values_are_checked():
    body = parse_route_body({"capability": "text_to_image", "width": 512.0, "inputs": ["image"]},
                            widget_specs(INPUT_TYPES))
    assert body.values == {"capability": "text_to_image", "strategy": "config", "prompt": "", "width": 512,
                           "cfg": 0.0}
    assert body.inputs == {"image": 1} and body.workflows is None


@pytest.mark.parametrize("body,field", [({}, "capability"), ({"capability": "x"}, "capability"),
                                        ({"capability": "text_to_video", "cfg": float("nan")}, "cfg"),
                                        ({"capability": "text_to_video", "width": True}, "width"),
                                        ({"capability": "text_to_video", "workflow_1": "a"}, "workflow_1"),
                                        ({"capability": "text_to_video", "workflows": []}, "workflows"),
                                        ({"capability": "text_to_video", "conditioning_width": 0},
                                         "conditioning_width")])
def test_bad_fields_are_named(body, field):
    with pytest.raises(BodyError) as error:
        parse_route_body(body, widget_specs(INPUT_TYPES))
    assert error.value.field == field


def test_json_objects_only_and_bounded():
    assert parse_json_object(b" ") == {}
    for data in (b"nul", b'"text"', b"\xff", b"{" * 70_000):
        with pytest.raises(BodyError) as error:
            parse_json_object(data)
        assert error.value.field == "body"


def test_stats_query():
    assert stats_query({"limit": "5", "window_s": "60"}, ["text_to_video"])["limit"] == 5
    with pytest.raises(BodyError):
        stats_query({"window_s": "inf"}, ["text_to_video"])


def test_paths_become_file_names():
    assert scrub("history store /srv/comfy/user/storycore/h.sqlite3 unavailable") == "history store h.sqlite3 unavailable"
    assert scrub(r"bad file C:\Users\me\config.yaml") == "bad file config.yaml"
    assert scrub("~/ComfyUI/x.yaml") == "x.yaml"
    assert scrub("models/diffusion_models and wan21_t2v/text_to_image") == "models/diffusion_models and wan21_t2v/text_to_image"
    assert public({"/a/b/c.txt": ["/d/e.bin", 3]}) == {"c.txt": ["e.bin", 3]}
