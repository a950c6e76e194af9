"""What leaves the server names files, never the folders they sit in, whatever characters those folders hold."""
import pytest

from model_loaders.service.public import public, scrub

PATHS = [
    ("config /srv/my configs/storycore.yaml failed", "config storycore.yaml failed"),
    ("C:\\Program Files\\ComfyUI\\models\\vae\\wan_2.1_vae.safetensors", "wan_2.1_vae.safetensors"),
    ('could not open "/home/a user/my models/x.safetensors": gone', 'could not open "x.safetensors": gone'),
    ("\\\\nas\\shared models\\loras\\relight.safetensors", "relight.safetensors"),
    ("~/Comfy UI/models/a.safetensors, /opt/b c/d.yaml", "a.safetensors, d.yaml"),
    ("/plain/path/file.bin", "file.bin"),
]


@pytest.mark.parametrize("text,expected", PATHS)
def test_folders_with_spaces_are_removed_whole(text, expected):
    assert scrub(text) == expected


@pytest.mark.parametrize("text", ["steps 20 / 30 done", "ratio 1/2 here", "see models/loras (w/h)",
                                  "text_to_video / image_to_video"])
def test_text_that_is_no_absolute_path_is_kept(text):
    assert scrub(text) == text


def test_public_scrubs_keys_and_nested_values():
    value = {"/srv/my models/a.safetensors": ["at /srv/my models/b.safetensors", 3, None]}
    assert public(value) == {"a.safetensors": ["at b.safetensors", 3, None]}
