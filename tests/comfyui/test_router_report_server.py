"""The router's report and MASK output through API prompts on a real ComfyUI server (tiny models, test
conditioning): each candidate's prediction basis and predicted time range, the same keys the POST /storycore/route
dry run answers, on the node's summary too; the MASK output is frames x H x W like the images: ones for
text_to_video, for video_inpainting the mask as WanVaceToVideo used it (fitted to the output size, the frames past
the given masks regenerated = 1)."""
import json

import numpy as np
from PIL import Image

from router_prompts import server  # noqa: F401  (the module-scoped server fixture)
from router_prompts import conditioning_node, copy_model, loader_node, router_node, router_output, run_ok
from route_calls import dry_run


def wan_loader(server, model_name=None, variant="wan21_t2v"):
    node = loader_node(variant, "fp8_e4m3fn", server.models_root, server.tiny_models_dir)
    if model_name is not None:
        node["inputs"]["model_name"] = model_name
    return node


def saved_mask_frames(server, entry, node_id):
    """The frames a SaveImage of MaskToImage(router mask) wrote, as [F, H, W] floats in 0..1."""
    files = entry["outputs"][node_id]["images"]
    frames = [np.asarray(Image.open(server.workdir / "output" / f["subfolder"] / f["filename"]).convert("L"))
              for f in files]
    return np.stack(frames).astype(np.float32) / 255.0


def mask_saver(prefix):
    return {"m_image": {"class_type": "MaskToImage", "inputs": {"mask": ["router", 1]}},
            "m_save": {"class_type": "SaveImage", "inputs": {"images": ["m_image", 0], "filename_prefix": prefix}}}


def test_report_and_summary_carry_each_candidates_prediction_basis_as_the_dry_run_does(server):
    names = [copy_model(server, "wan21_t2v", "fp8_e4m3fn", tag) for tag in ("report_a", "report_b")]
    prompt = {"a": wan_loader(server, names[0]), "b": wan_loader(server, names[1]), "cond": conditioning_node("wan"),
              "router": router_node(["a", "b"], "cond", strategy="fastest"), **mask_saver("storycore_ones_mask")}
    entry = run_ok(server, prompt)
    ui, report = router_output(entry)
    candidates = report["candidates"]
    assert len(candidates) == 2 and all(c["eligible"] for c in candidates)
    for c in candidates:
        low, high = c["predicted_time_range_s"]
        assert low <= c["predicted_time_s"] <= high
        assert c["prediction_basis"] == c["time_prediction"]["description"]
        assert c["prediction_basis"] in ui["summary"][0]
    selected = next(c for c in candidates if c["workflow"] == report["workflow"])
    assert report["decision"]["prediction_basis"] == selected["prediction_basis"]
    assert report["decision"]["predicted_time_range_s"] == selected["predicted_time_range_s"]
    assert report["decision"]["time_basis"] == selected["time_prediction"]["basis"]

    # The dry run of the same request answers the same keys from the same code (history has grown by one run, so
    # compare the keys and the selected workflow's basis kind, not the figures).
    status, planned = dry_run(server, strategy="fastest", conditioning_width=4096,
                              workflows=[c["workflow"] for c in candidates])
    assert status == 200, planned
    assert set(planned["decision"]) == set(report["decision"])
    for c in planned["candidates"]:
        assert c["prediction_basis"] == c["time_prediction"]["description"]
        assert len(c["predicted_time_range_s"]) == 2

    # MASK: ones of the output's frames x H x W.
    assert report["output"]["mask_shape"] == [5, 64, 64] and report["output"]["images_shape"][:3] == [5, 64, 64]
    assert (saved_mask_frames(server, entry, "m_save") == 1.0).all()


def half_mask_frame(server, name="storycore_half_mask_32.png"):
    """LoadImage of a 32x32 RGBA frame, transparent on its left half: its MASK (1 - alpha) is 1 on the left."""
    path = server.workdir / "input" / name
    if not path.exists():
        pixels = np.random.default_rng(2).integers(0, 255, (32, 32, 4), dtype=np.uint8)
        pixels[:, :, 3] = 255
        pixels[:, :16, 3] = 0
        Image.fromarray(pixels, "RGBA").save(path)
    return {"class_type": "LoadImage", "inputs": {"image": name}}


def test_video_inpainting_outputs_the_mask_it_used_at_the_output_size(server):
    prompt = {"loader": wan_loader(server, variant="wan21_vace"), "cond": conditioning_node("wan"),
              "small": half_mask_frame(server),
              "frame": {"class_type": "ImageScale", "inputs": {"image": ["small", 0], "upscale_method": "nearest-exact",
                                                                "width": 64, "height": 64, "crop": "disabled"}},
              "video": {"class_type": "RepeatImageBatch", "inputs": {"image": ["frame", 0], "amount": 5}}}
    # One 32x32 mask for a 64x64 x 5-frame output: WanVaceToVideo scales it and regenerates the other frames.
    prompt["router"] = router_node(["loader"], "cond", capability="video_inpainting", video=["video", 0],
                                   mask=["small", 1])
    prompt.update(mask_saver("storycore_vace_mask"))
    entry = run_ok(server, prompt)
    _, report = router_output(entry)
    assert report["output"]["mask_shape"] == [5, 64, 64] == report["output"]["images_shape"][:3]
    mask = saved_mask_frames(server, entry, "m_save")
    assert mask.shape == (5, 64, 64)
    assert (mask[0, :, :30] == 1.0).all() and (mask[0, :, 34:] == 0.0).all()  # the given mask, scaled up
    assert (mask[1:] == 1.0).all()  # frames past the given mask: regenerated
    assert json.dumps(report)  # the report stays JSON
