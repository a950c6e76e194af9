"""The StoryCore Advanced Router through API prompts on a real ComfyUI server, with tiny models and test
conditioning of each family's shapes: every capability x variant of text/image-to-video, text-to-image and
anime generation end to end (saved files read back through /view, frame counts, sizes, latent channel layout,
the experts that ran), with the reported settings and timings."""
import io as bytes_io

import pytest
from PIL import Image

from router_prompts import server  # noqa: F401  (the module-scoped server fixture)
from router_prompts import (a14b_i2v_loader_node, conditioning_node, loader_node, router_node, router_output,
                            run_ok, start_image_node)


def saved_frames(server, ui) -> list:
    """The saved file, read back through /view: its frames as RGB images (an animated WebP stores a run of
    identical frames once)."""
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
    assert report["attempts"][0]["sampling_stages"] == [{"model": "model", "start_step": 0, "end_step": 2}]
    frames = saved_frames(server, ui)
    assert len(frames) == 5 and frames[0].size == (64, 48)


# (case id, loader variant or "a14b_i2v", capability, conditioning kind, extra router inputs,
#  expected latent shape, expected sampling stages). Only the Wan 2.1 VAE can be tiny (the Wan 2.1 / A14B cases);
# the other families' VAEs (and Wan 2.1 I2V's CLIP vision) are real-size sparse files, which make every frame
# alike, so their saved WebP holds the frames as one (the decoded batch is checked through the report instead).
DISTINCT_FRAMES = {"wan22_a14b_t2v", "wan22_a14b_i2v"}
A14B_STAGES = [{"model": "high_noise", "start_step": 0, "end_step": 1},
               {"model": "low_noise", "start_step": 1, "end_step": 2}]
ONE_STAGE = [{"model": "model", "start_step": 0, "end_step": 2}]
VIDEO_CASES = [
    ("wan22_a14b_t2v", "wan22_a14b_t2v_high_noise", "text_to_video", "wan", {}, [1, 16, 2, 8, 8], A14B_STAGES),
    ("wan22_ti2v_5b_t2v", "wan22_ti2v_5b", "text_to_video", "wan", {}, [1, 48, 2, 4, 4], ONE_STAGE),
    ("hunyuan_video_t2v", "hunyuan_video_t2v", "text_to_video", "hunyuan_video_10", {"cfg": 1.0},
     [1, 16, 2, 8, 8], ONE_STAGE),
    ("hunyuan_video_15_t2v", "hunyuan_video_15", "text_to_video", "hunyuan_video_15", {}, [1, 32, 2, 4, 4],
     ONE_STAGE),
    ("wan21_i2v", "wan21_i2v", "image_to_video", "wan", {}, [1, 16, 2, 8, 8], ONE_STAGE),
    ("wan22_a14b_i2v", "a14b_i2v", "image_to_video", "wan", {}, [1, 16, 2, 8, 8], A14B_STAGES),
    ("wan22_ti2v_5b_i2v", "wan22_ti2v_5b", "image_to_video", "wan", {}, [1, 48, 2, 4, 4], ONE_STAGE),
    ("hunyuan_video_i2v_concat", "hunyuan_video_i2v_concat", "image_to_video", "hunyuan_video_10", {"cfg": 1.0},
     [1, 16, 2, 8, 8], ONE_STAGE),
    ("hunyuan_video_i2v_replace", "hunyuan_video_i2v_replace", "image_to_video", "hunyuan_video_10",
     {"cfg": 1.0}, [1, 16, 2, 8, 8], ONE_STAGE),
    ("hunyuan_video_15_i2v", "hunyuan_video_15", "image_to_video", "hunyuan_video_15", {}, [1, 32, 2, 4, 4],
     ONE_STAGE),
]


@pytest.mark.parametrize("case,variant,capability,cond,extra,latent_shape,stages", VIDEO_CASES,
                         ids=[c[0] for c in VIDEO_CASES])
def test_each_video_variant_end_to_end(server, case, variant, capability, cond, extra, latent_shape, stages):
    if variant == "a14b_i2v":
        loader = a14b_i2v_loader_node(server.models_root, server.tiny_models_dir)
    else:
        loader = loader_node(variant, "fp8_e4m3fn", server.models_root, server.tiny_models_dir)
    prompt = {"loader": loader, "cond": conditioning_node(cond)}
    image_inputs = {}
    if capability == "image_to_video":
        prompt["image"] = start_image_node(server)
        image_inputs["image"] = ["image", 0]
    prompt["router"] = router_node(["loader"], "cond", capability=capability, **extra, **image_inputs)
    ui, report = router_output(run_ok(server, prompt))
    family_variant = report["workflow"].split(":")[:2]
    assert family_variant[1] == (variant.replace("_high_noise", "") if variant != "a14b_i2v" else "wan22_a14b_i2v")
    assert report["output"]["latent_shape"] == latent_shape
    assert report["output"]["images_shape"] == [5, 64, 64, 3]
    assert report["attempts"][0]["sampling_stages"] == stages
    assert ui["animated"] == [True]
    frames = saved_frames(server, ui)
    assert frames[0].size == (64, 64)
    if case in DISTINCT_FRAMES:
        assert len(frames) == 5


IMAGE_CASES = [
    ("wan21_t2i", "wan21_t2v", "text_to_image", "wan", [1, 16, 1, 8, 8]),
    ("qwen_image_t2i", "qwen_image", "text_to_image", "qwen_image", [1, 16, 1, 8, 8]),
    ("newbie_t2i", "newbie", "text_to_image", "newbie", [1, 16, 8, 8]),
    ("newbie_anime", "newbie", "anime_generation", "newbie", [1, 16, 8, 8]),
]


@pytest.mark.parametrize("case,variant,capability,cond,latent_shape", IMAGE_CASES, ids=[c[0] for c in IMAGE_CASES])
def test_each_image_variant_end_to_end(server, case, variant, capability, cond, latent_shape):
    prompt = {"loader": loader_node(variant, "fp8_e4m3fn", server.models_root, server.tiny_models_dir),
              "cond": conditioning_node(cond),
              "router": router_node(["loader"], "cond", capability=capability, steps=1, frames=0)}
    ui, report = router_output(run_ok(server, prompt))
    assert report["workflow"].split(":")[1] == variant
    assert report["request"]["frames"] == report["settings"]["frames"] == 1
    assert report["output"]["latent_shape"] == latent_shape
    assert report["output"]["images_shape"] == [1, 64, 64, 3]
    assert "animated" not in ui
    frames = saved_frames(server, ui)
    assert len(frames) == 1 and frames[0].size == (64, 64)
