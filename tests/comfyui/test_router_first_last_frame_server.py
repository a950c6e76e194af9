"""The router's first/last-frame in-betweening (image_to_video with an `end_image`) through API prompts on a real
ComfyUI server, with tiny Wan models and test conditioning: the router's latent equals the one ComfyUI's own nodes
give wired by hand on the same models, images and seed (Wan 2.2 A14B I2V / Fun-Inpaint: WanFunInpaintToVideo -> the
two-expert KSamplerAdvanced pair; Wan 2.1 I2V / FLF2V: CLIPVisionEncode of both images -> WanFirstLastFrameToVideo
-> KSampler; its tiny fixture's sparse CLIP vision samples to NaN, so there only the NaN layout and the values
besides can be compared); an end_image without a start image fails with a message naming the image input, and the server goes
on serving; a variant without in-betweening (TI2V-5B) says in its report that the end_image was not used."""
import numpy as np
from PIL import Image

from comfyui_server import execution_error
from router_prompts import server  # noqa: F401  (the module-scoped server fixture)
from router_prompts import (a14b_i2v_loader_node, conditioning_node, loader_node, router_node, router_output, run_ok,
                            saved_latent, start_image_node)

SETTINGS = dict(width=64, height=64, frames=5, steps=2, cfg=2.0, shift=5.0, sampler="euler", scheduler="simple")
SAMPLER = dict(cfg=2.0, sampler_name="euler", scheduler="simple")


def end_image_node(server, name="storycore_end.png"):
    """LoadImage of a random image other than start_image_node's (another seed)."""
    path = server.workdir / "input" / name
    if not path.exists():
        Image.fromarray(np.random.default_rng(5).integers(0, 255, (64, 64, 3), dtype=np.uint8)).save(path)
    return {"class_type": "LoadImage", "inputs": {"image": name}}


def base_prompt(server, loader):
    return {"loader": loader, "cond": conditioning_node("wan"), "start": start_image_node(server),
            "end": end_image_node(server),
            "h_models": {"class_type": "StoryCoreWorkflowModels", "inputs": {"workflow": ["loader", 0]}}}


def conditioning_inputs(**extra):
    return dict(positive=["cond", 0], negative=["cond", 1], vae=["h_models", 2], width=64, height=64, length=5,
                batch_size=1, start_image=["start", 0], end_image=["end", 0], **extra)


def router_and_saves(prompt, seed, tag, hand_latent):
    prompt["router"] = router_node(["loader"], "cond", capability="image_to_video", seed=seed,
                                   image=["start", 0], end_image=["end", 0], **SETTINGS)
    prompt["r_save"] = {"class_type": "SaveLatent", "inputs": {"samples": ["router", 2],
                                                               "filename_prefix": f"router_{tag}"}}
    prompt["h_save"] = {"class_type": "SaveLatent", "inputs": {"samples": hand_latent,
                                                               "filename_prefix": f"hand_{tag}"}}


def assert_same_latent(server, tag, report, variant, stages):
    import torch
    assert report["workflow"].split(":")[1] == variant
    assert report["output"]["latent_shape"] == [1, 16, 2, 8, 8]
    assert report["output"]["images_shape"] == [5, 64, 64, 3]
    assert report["attempts"][0]["sampling_stages"] == stages
    # no "end_image: not used" note: the in-betweening node ran
    assert not any("end_image" in n for n in report["attempts"][0]["settings_notes"])
    router_latent, hand_latent = saved_latent(server, f"router_{tag}"), saved_latent(server, f"hand_{tag}")
    # equal_nan: the Wan 2.1 I2V fixture's CLIP vision file is sparse (ComfyUI leaves its missing weights
    # uninitialised), so that case samples to NaN by hand and through the router alike.
    torch.testing.assert_close(router_latent, hand_latent, rtol=0, atol=0, equal_nan=True)


def test_a14b_fun_inpaint_equals_comfyui_nodes_wired_by_hand(server):
    seed = 4242
    prompt = base_prompt(server, a14b_i2v_loader_node(server.models_root, server.tiny_models_dir))
    prompt.update({
        "h_flf": {"class_type": "WanFunInpaintToVideo", "inputs": conditioning_inputs()},
        "h_high": {"class_type": "ModelSamplingSD3", "inputs": {"model": ["h_models", 0], "shift": 5.0}},
        "h_low": {"class_type": "ModelSamplingSD3", "inputs": {"model": ["h_models", 1], "shift": 5.0}},
        "h_s1": {"class_type": "KSamplerAdvanced", "inputs": dict(
            SAMPLER, model=["h_high", 0], add_noise="enable", noise_seed=seed, steps=2, positive=["h_flf", 0],
            negative=["h_flf", 1], latent_image=["h_flf", 2], start_at_step=0, end_at_step=1,
            return_with_leftover_noise="enable")},
        "h_s2": {"class_type": "KSamplerAdvanced", "inputs": dict(
            SAMPLER, model=["h_low", 0], add_noise="disable", noise_seed=seed, steps=2, positive=["h_flf", 0],
            negative=["h_flf", 1], latent_image=["h_s1", 0], start_at_step=1, end_at_step=10000,
            return_with_leftover_noise="disable")},
    })
    router_and_saves(prompt, seed, "fun_inpaint", ["h_s2", 0])
    _, report = router_output(run_ok(server, prompt))
    assert_same_latent(server, "fun_inpaint", report, "wan22_a14b_i2v",
                       [{"model": "high_noise", "start_step": 0, "end_step": 1},
                        {"model": "low_noise", "start_step": 1, "end_step": 2}])


def test_wan21_flf2v_equals_comfyui_nodes_wired_by_hand(server):
    seed = 4343
    prompt = base_prompt(server, loader_node("wan21_i2v", "fp8_e4m3fn", server.models_root, server.tiny_models_dir))
    prompt.update({
        "h_cv_start": {"class_type": "CLIPVisionEncode",
                       "inputs": {"clip_vision": ["h_models", 3], "image": ["start", 0], "crop": "none"}},
        "h_cv_end": {"class_type": "CLIPVisionEncode",
                     "inputs": {"clip_vision": ["h_models", 3], "image": ["end", 0], "crop": "none"}},
        "h_flf": {"class_type": "WanFirstLastFrameToVideo", "inputs": conditioning_inputs(
            clip_vision_start_image=["h_cv_start", 0], clip_vision_end_image=["h_cv_end", 0])},
        "h_shift": {"class_type": "ModelSamplingSD3", "inputs": {"model": ["h_models", 0], "shift": 5.0}},
        "h_sample": {"class_type": "KSampler", "inputs": dict(
            SAMPLER, model=["h_shift", 0], seed=seed, steps=2, positive=["h_flf", 0], negative=["h_flf", 1],
            latent_image=["h_flf", 2], denoise=1.0)},
    })
    router_and_saves(prompt, seed, "flf2v", ["h_sample", 0])
    _, report = router_output(run_ok(server, prompt))
    assert_same_latent(server, "flf2v", report, "wan21_i2v", [{"model": "model", "start_step": 0, "end_step": 2}])


def test_end_image_without_a_start_image_names_the_image_input_and_the_server_still_serves(server):
    loader = a14b_i2v_loader_node(server.models_root, server.tiny_models_dir)
    prompt = {"loader": loader, "cond": conditioning_node("wan"), "end": end_image_node(server),
              "router": router_node(["loader"], "cond", capability="image_to_video", end_image=["end", 0],
                                    **SETTINGS)}
    message = execution_error(server.run(prompt))["exception_message"]
    assert "image_to_video needs an input image" in message, message
    prompt["start"] = start_image_node(server)
    prompt["router"] = router_node(["loader"], "cond", capability="image_to_video", image=["start", 0],
                                   end_image=["end", 0], **SETTINGS)
    _, report = router_output(run_ok(server, prompt))
    assert report["output"]["images_shape"] == [5, 64, 64, 3]


def test_ti2v_5b_notes_that_the_end_image_was_not_used(server):
    prompt = {"loader": loader_node("wan22_ti2v_5b", "fp8_e4m3fn", server.models_root, server.tiny_models_dir),
              "cond": conditioning_node("wan"), "start": start_image_node(server), "end": end_image_node(server)}
    prompt["router"] = router_node(["loader"], "cond", capability="image_to_video", image=["start", 0],
                                   end_image=["end", 0], **SETTINGS)
    _, report = router_output(run_ok(server, prompt))
    assert report["output"]["latent_shape"] == [1, 48, 2, 4, 4]
    notes = report["attempts"][0]["settings_notes"]
    assert any(n.startswith("end_image: not used by wan:wan22_ti2v_5b") for n in notes), notes
