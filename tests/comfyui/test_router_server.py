"""The StoryCore Advanced Router through API prompts on a real ComfyUI server, with tiny models and test
conditioning of each family's shapes: every capability x variant end to end (saved files, frame counts, sizes,
channel layout), reported settings and timings."""
import io as bytes_io

import pytest
from PIL import Image

from router_prompts import conditioning_node, loader_node, router_node, router_output, run_ok


@pytest.fixture(scope="module")
def server(comfyui_server_workdir, tiny_models_dir, request):
    server = request.getfixturevalue("comfyui_server")
    server.models_root = comfyui_server_workdir / "models"
    server.tiny_models_dir = tiny_models_dir
    return server


def saved_frames(server, ui) -> list:
    """The saved file, read back through /view: its frames as PIL images."""
    (entry,) = ui["images"]
    status, body = server.get_raw(f"/view?filename={entry['filename']}&subfolder={entry['subfolder']}"
                                  f"&type={entry['type']}")
    assert status == 200
    image = Image.open(bytes_io.BytesIO(body))
    frames = []
    for i in range(getattr(image, "n_frames", 1)):
        image.seek(i)
        frames.append(image.convert("RGB").copy())
    return frames


def test_wan21_text_to_video_end_to_end(server):
    prompt = {
        "wan": loader_node("wan21_t2v", "fp8_e4m3fn", server.models_root, server.tiny_models_dir),
        "cond": conditioning_node("wan"),
        "router": router_node(["wan"], "cond", width=64, height=48, frames=6),
    }
    entry = run_ok(server, prompt)
    ui, report = router_output(entry)
    assert report["workflow"].startswith("wan:wan21_t2v:")
    assert ui["animated"] == [True]
    settings = report["settings"]
    assert (settings["width"], settings["height"], settings["frames"]) == (64, 48, 5)
    assert (settings["steps"], settings["cfg"], settings["shift"], settings["sampler"]) == (2, 2.0, 5.0, "euler")
    assert any("frames 6 rounded to 5" in n for n in report["request"]["notes"])
    assert report["output"]["latent_shape"] == [1, 16, 2, 6, 8]
    assert report["output"]["images_shape"] == [5, 48, 64, 3]
    assert set(report["timings_s"]) >= {"load", "sample", "decode", "save"}
    assert [a["outcome"] for a in report["attempts"]] == ["success"]
    frames = saved_frames(server, ui)
    assert len(frames) == 5 and frames[0].size == (64, 48)
