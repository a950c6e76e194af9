"""The router's video_inpainting (Wan 2.1 VACE, masked) through API prompts on a real ComfyUI server, with the tiny
VACE model and test conditioning: the router's latent equals the one ComfyUI's own nodes give wired by hand
(WanVaceToVideo -> ModelSamplingSD3 -> KSampler -> TrimVideoLatent) on the same model, frames, mask and seed; a
request without a mask fails with a message that says to wire one."""
import numpy as np
import pytest
from PIL import Image

from comfyui_server import execution_error
from router_prompts import server  # noqa: F401  (the module-scoped server fixture)
from router_prompts import conditioning_node, loader_node, router_node, router_output, run_ok, saved_latent

SETTINGS = dict(width=64, height=64, frames=5, steps=2, cfg=2.0, shift=5.0, sampler="euler", scheduler="simple")


def masked_frame(server, name="storycore_vace_frame.png"):
    """LoadImage of a random RGBA frame whose left half is transparent: its MASK output (1 - alpha) is white
    (= regenerate) on the left half."""
    path = server.workdir / "input" / name
    if not path.exists():
        rng = np.random.default_rng(1)
        pixels = rng.integers(0, 255, (64, 64, 4), dtype=np.uint8)
        pixels[:, :, 3] = 255
        pixels[:, :32, 3] = 0
        Image.fromarray(pixels, "RGBA").save(path)
    return {"class_type": "LoadImage", "inputs": {"image": name}}


def test_vace_inpainting_equals_comfyui_nodes_wired_by_hand(server):
    seed = 777
    prompt = {"loader": loader_node("wan21_vace", "fp8_e4m3fn", server.models_root, server.tiny_models_dir),
              "cond": conditioning_node("wan"), "frame": masked_frame(server),
              "video": {"class_type": "RepeatImageBatch", "inputs": {"image": ["frame", 0], "amount": 5}}}
    prompt["router"] = router_node(["loader"], "cond", capability="video_inpainting", seed=seed,
                                   video=["video", 0], mask=["frame", 1], **SETTINGS)
    prompt["r_save"] = {"class_type": "SaveLatent", "inputs": {"samples": ["router", 2],
                                                               "filename_prefix": "router_vace"}}
    prompt.update({
        "h_models": {"class_type": "StoryCoreWorkflowModels", "inputs": {"workflow": ["loader", 0]}},
        "h_vae": {"class_type": "VAELoader", "inputs": {"vae_name": prompt["loader"]["inputs"]["vae"]}},
        "h_vace": {"class_type": "WanVaceToVideo", "inputs": {
            "positive": ["cond", 0], "negative": ["cond", 1], "vae": ["h_vae", 0], "width": 64, "height": 64,
            "length": 5, "batch_size": 1, "strength": 1.0, "control_video": ["video", 0],
            "control_masks": ["frame", 1]}},
        "h_shift": {"class_type": "ModelSamplingSD3", "inputs": {"model": ["h_models", 0], "shift": 5.0}},
        "h_sample": {"class_type": "KSampler", "inputs": {
            "model": ["h_shift", 0], "seed": seed, "steps": 2, "cfg": 2.0, "sampler_name": "euler",
            "scheduler": "simple", "positive": ["h_vace", 0], "negative": ["h_vace", 1],
            "latent_image": ["h_vace", 2], "denoise": 1.0}},
        "h_trim": {"class_type": "TrimVideoLatent", "inputs": {"samples": ["h_sample", 0], "trim_amount": ["h_vace", 3]}},
        "h_save": {"class_type": "SaveLatent", "inputs": {"samples": ["h_trim", 0], "filename_prefix": "hand_vace"}},
    })
    ui, report = router_output(run_ok(server, prompt))
    assert report["workflow"].split(":")[1] == "wan21_vace"
    assert report["output"]["latent_shape"] == [1, 16, 2, 8, 8]
    assert report["output"]["images_shape"] == [5, 64, 64, 3]
    assert ui["animated"] == [True]
    router_latent, hand_latent = saved_latent(server, "router_vace"), saved_latent(server, "hand_vace")
    assert router_latent.shape == hand_latent.shape
    assert (router_latent == hand_latent).all(), (router_latent - hand_latent).abs().max()


def test_vace_inpainting_without_a_mask_says_to_wire_one(server):
    prompt = {"loader": loader_node("wan21_vace", "fp8_e4m3fn", server.models_root, server.tiny_models_dir),
              "cond": conditioning_node("wan"), "frame": masked_frame(server),
              "video": {"class_type": "RepeatImageBatch", "inputs": {"image": ["frame", 0], "amount": 5}}}
    prompt["router"] = router_node(["loader"], "cond", capability="video_inpainting", video=["video", 0], **SETTINGS)
    message = execution_error(server.run(prompt))["exception_message"]
    assert "needs a mask" in message and "wire one to the router's mask input" in message
