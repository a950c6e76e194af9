"""The router's super_resolution through API prompts on a real ComfyUI server, with tiny models and test
conditioning:

- video, HunyuanVideo 1.5 SR: after the workflow's own text-to-video (the latent equals the one ComfyUI's own nodes
  give wired by hand: EmptyHunyuanVideo15Latent -> KSampler, LatentUpscaleModelLoader ->
  HunyuanVideo15LatentUpscaleWithModel -> HunyuanVideo15SuperResolution -> BasicScheduler / SplitSigmas -> two
  SamplerCustomAdvanced passes), and on given frames (VAEEncode first; the 1.5 model does not load): the upscaled
  size, frame count, saved file;
- image, Qwen-Image + an ESRGAN-type upscale model: ImageUpscaleWithModel -> ImageScale -> VAEEncode -> KSampler at
  denoise 0.33, equal to the same nodes wired by hand; output = input x upscale_factor, saved image;
- a missing part (no latent upsampler, no SR model, no upscale model, no image) fails before anything loads, with
  a message naming what to wire."""
import pytest

from comfyui_server import execution_error
from loader_files import link_into
from router_prompts import server  # noqa: F401  (the module-scoped server fixture)
from router_prompts import (conditioning_node, copy_model, loader_node, probe_node, probe_report, reset_probe,
                            router_node, router_output, run_ok, saved_images, saved_latent, start_image_node)

AUTO = dict(steps=0, cfg=0.0, shift=0.0, sampler="auto", scheduler="auto")


def upsampler_name(server) -> str:
    from tiny_models.upscale_models import write_latent_upsampler
    return link_into(server.models_root / "latent_upscale_models", write_latent_upsampler(server.tiny_models_dir))


def upscale_model_name(server) -> str:
    from tiny_models.upscale_models import write_esrgan
    return link_into(server.models_root / "upscale_models", write_esrgan(server.tiny_models_dir))


def hunyuan_sr_loader(server, **overrides):
    """A HunyuanVideo 1.5 loader with the SR model and the latent upsampler (unless overridden)."""
    node = loader_node("hunyuan_video_15_sr", "fp8_e4m3fn", server.models_root, server.tiny_models_dir,
                       latent_upsampler=upsampler_name(server))
    node["inputs"].update(overrides)
    return node


def qwen_sr_loader(server, **overrides):
    node = loader_node("qwen_image", "fp8_e4m3fn", server.models_root, server.tiny_models_dir,
                       upscale_model=upscale_model_name(server))
    node["inputs"].update(overrides)
    return node


def hand_wired_video_sr(prompt, seed, sr_only_loader):
    """ComfyUI's own nodes as the 1.5 template wires its (bypassed) SR stage, after the 1.5 T2V template's sampling
    (KSampler semantics: ModelSamplingSD3 7, 20 steps, cfg 6) at 64x64x5, upscaled to 96x96."""
    positive, negative = ["cond", 0], ["cond", 1]
    prompt.update({
        "h_models": {"class_type": "StoryCoreWorkflowModels", "inputs": {"workflow": ["loader", 0]}},
        "h_sr_only": sr_only_loader,
        "h_sr": {"class_type": "StoryCoreWorkflowModels", "inputs": {"workflow": ["h_sr_only", 0]}},
        "h_empty": {"class_type": "EmptyHunyuanVideo15Latent", "inputs": {"width": 64, "height": 64, "length": 5,
                                                                          "batch_size": 1}},
        "h_shift": {"class_type": "ModelSamplingSD3", "inputs": {"model": ["h_models", 0], "shift": 7.0}},
        "h_t2v": {"class_type": "KSampler", "inputs": {
            "model": ["h_shift", 0], "seed": seed, "steps": 20, "cfg": 6.0, "sampler_name": "euler",
            "scheduler": "simple", "positive": positive, "negative": negative, "latent_image": ["h_empty", 0],
            "denoise": 1.0}},
        "h_upsampler": {"class_type": "LatentUpscaleModelLoader",
                        "inputs": {"model_name": prompt["loader"]["inputs"]["latent_upsampler"]}},
        "h_up": {"class_type": "HunyuanVideo15LatentUpscaleWithModel", "inputs": {
            "model": ["h_upsampler", 0], "samples": ["h_t2v", 0], "upscale_method": "bilinear", "width": 96,
            "height": 96, "crop": "disabled"}},
        "h_srnode": {"class_type": "HunyuanVideo15SuperResolution", "inputs": {
            "positive": positive, "negative": negative, "latent": ["h_up", 0], "noise_augmentation": 0.7}},
        "h_sigmas": {"class_type": "BasicScheduler", "inputs": {"model": ["h_sr", 0], "scheduler": "simple",
                                                                "steps": 8, "denoise": 1.0}},
        "h_split": {"class_type": "SplitSigmas", "inputs": {"sigmas": ["h_sigmas", 0], "step": 4}},
        "h_sampler": {"class_type": "KSamplerSelect", "inputs": {"sampler_name": "euler"}},
        "h_noise": {"class_type": "RandomNoise", "inputs": {"noise_seed": seed}},
        "h_sr_shift": {"class_type": "ModelSamplingSD3", "inputs": {"model": ["h_sr", 0], "shift": 2.0}},
        "h_guide1": {"class_type": "CFGGuider", "inputs": {"model": ["h_sr_shift", 0], "positive": ["h_srnode", 0],
                                                           "negative": ["h_srnode", 1], "cfg": 1.0}},
        "h_pass1": {"class_type": "SamplerCustomAdvanced", "inputs": {
            "noise": ["h_noise", 0], "guider": ["h_guide1", 0], "sampler": ["h_sampler", 0],
            "sigmas": ["h_split", 0], "latent_image": ["h_srnode", 2]}},
        "h_no_noise": {"class_type": "DisableNoise", "inputs": {}},
        "h_guide2": {"class_type": "CFGGuider", "inputs": {"model": ["h_sr", 0], "positive": positive,
                                                           "negative": negative, "cfg": 1.0}},
        "h_pass2": {"class_type": "SamplerCustomAdvanced", "inputs": {
            "noise": ["h_no_noise", 0], "guider": ["h_guide2", 0], "sampler": ["h_sampler", 0],
            "sigmas": ["h_split", 1], "latent_image": ["h_pass1", 0]}},
        "h_save": {"class_type": "SaveLatent", "inputs": {"samples": ["h_pass2", 0], "filename_prefix": "hand_hv_sr"}},
    })


def test_video_sr_after_text_to_video_equals_comfyui_nodes_wired_by_hand(server):
    seed = 5151
    loader = hunyuan_sr_loader(server)
    # The SR model on its own loader, so that the hand-wired graph gets it loaded as the router loads it.
    sr_only = loader_node("hunyuan_video_15_sr", "fp8_e4m3fn", server.models_root, server.tiny_models_dir)
    sr_only["inputs"].update(model_name=loader["inputs"]["sr_model_name"], sr_model_name="none")
    prompt = {"loader": loader, "cond": conditioning_node("hunyuan_video_15")}
    prompt["router"] = router_node(["loader"], "cond", capability="super_resolution", width=96, height=96,
                                   frames=5, seed=seed, **AUTO)
    prompt["r_save"] = {"class_type": "SaveLatent", "inputs": {"samples": ["router", 2],
                                                               "filename_prefix": "router_hv_sr"}}
    hand_wired_video_sr(prompt, seed, sr_only)
    ui, report = router_output(run_ok(server, prompt))
    assert report["workflow"].split(":")[1] == "hunyuan_video_15"
    s = report["settings"]
    assert (s["width"], s["height"], s["frames"], s["steps"], s["cfg"], s["shift"]) == (96, 96, 5, 8, 1.0, 2.0)
    assert s["expert_split_step"] == 4
    assert report["attempts"][0]["sampling_stages"] == [
        {"model": "model", "start_step": 0, "end_step": 20}, {"model": "sr_model", "start_step": 20, "end_step": 24},
        {"model": "sr_model", "start_step": 24, "end_step": 28}]
    assert any("stage 1: text_to_video at 64x64x5, 20 steps, cfg 6, shift 7" in n
               for n in report["attempts"][0]["settings_notes"])
    assert {"load", "sample", "upscale", "decode", "save"} <= set(report["timings_s"])
    assert report["output"]["latent_shape"] == [1, 32, 2, 6, 6]
    assert report["output"]["images_shape"] == [5, 96, 96, 3]
    assert ui["animated"] == [True]
    (saved,) = saved_images(server, ui)
    assert saved.size == (96, 96)
    router_latent, hand_latent = saved_latent(server, "router_hv_sr"), saved_latent(server, "hand_hv_sr")
    assert router_latent.shape == hand_latent.shape
    assert (router_latent == hand_latent).all(), (router_latent - hand_latent).abs().max()


def test_video_sr_of_given_frames_loads_only_the_sr_stage(server):
    # Copies under new names: a new workflow, so nothing is kept from earlier prompts and every load is seen.
    loader = hunyuan_sr_loader(server, model_name=copy_model(server, "hunyuan_video_15", "fp8_e4m3fn", "frames"),
                               sr_model_name=copy_model(server, "hunyuan_video_15_sr", "fp8_e4m3fn", "frames"))
    reset_probe(server)
    prompt = {"loader": loader, "cond": conditioning_node("hunyuan_video_15"), "frame": start_image_node(server),
              "video": {"class_type": "RepeatImageBatch", "inputs": {"image": ["frame", 0], "amount": 5}},
              "router": router_node(["loader"], "cond", capability="super_resolution", width=0, height=0, frames=0,
                                    video=["video", 0], upscale_factor=1.5, **AUTO),
              "probe": probe_node("router")}
    entry = run_ok(server, prompt)
    ui, report = router_output(entry)
    assert (report["settings"]["width"], report["settings"]["height"]) == (96, 96)  # 64 x 1.5
    assert report["settings"]["frames"] == 5  # auto: the video's
    assert report["output"]["latent_shape"] == [1, 32, 2, 6, 6]
    assert report["output"]["images_shape"] == [5, 96, 96, 3]
    assert [st["model"] for st in report["attempts"][0]["sampling_stages"]] == ["sr_model", "sr_model"]
    (saved,) = saved_images(server, ui)
    assert saved.size == (96, 96)
    opened = probe_report(entry)["opened"]
    models = server.models_root / "diffusion_models"
    assert str((models / loader["inputs"]["model_name"]).resolve()) not in opened, opened  # no text-to-video
    assert str((models / loader["inputs"]["sr_model_name"]).resolve()) in opened, opened


def hand_wired_image_sr(prompt, seed, size, settings):
    prompt.update({
        "h_models": {"class_type": "StoryCoreWorkflowModels", "inputs": {"workflow": ["loader", 0]}},
        "h_vae": {"class_type": "VAELoader", "inputs": {"vae_name": prompt["loader"]["inputs"]["vae"]}},
        "h_upscaler": {"class_type": "UpscaleModelLoader",
                       "inputs": {"model_name": prompt["loader"]["inputs"]["upscale_model"]}},
        "h_up": {"class_type": "ImageUpscaleWithModel", "inputs": {"upscale_model": ["h_upscaler", 0],
                                                                   "image": ["image", 0]}},
        "h_scale": {"class_type": "ImageScale", "inputs": {"image": ["h_up", 0], "upscale_method": "lanczos",
                                                           "width": size[0], "height": size[1], "crop": "disabled"}},
        "h_enc": {"class_type": "VAEEncode", "inputs": {"pixels": ["h_scale", 0], "vae": ["h_vae", 0]}},
        "h_shift": {"class_type": "ModelSamplingAuraFlow", "inputs": {"model": ["h_models", 0],
                                                                       "shift": settings["shift"]}},
        "h_sample": {"class_type": "KSampler", "inputs": {
            "model": ["h_shift", 0], "seed": seed, "steps": settings["steps"], "cfg": settings["cfg"],
            "sampler_name": "euler", "scheduler": "simple", "positive": ["cond", 0], "negative": ["cond", 1],
            "latent_image": ["h_enc", 0], "denoise": 0.33}},
        "h_save": {"class_type": "SaveLatent", "inputs": {"samples": ["h_sample", 0], "filename_prefix": "hand_qwen_sr"}},
    })


def test_image_sr_equals_comfyui_nodes_wired_by_hand(server):
    seed, settings = 6161, dict(steps=2, cfg=2.0, shift=3.1, sampler="euler", scheduler="simple")
    prompt = {"loader": qwen_sr_loader(server), "cond": conditioning_node("qwen_image"),
              "image": start_image_node(server, "storycore_sr_input.png", size=(64, 48))}
    prompt["router"] = router_node(["loader"], "cond", capability="super_resolution", width=0, height=0, frames=0,
                                   seed=seed, image=["image", 0], **settings)
    prompt["r_save"] = {"class_type": "SaveLatent", "inputs": {"samples": ["router", 2],
                                                               "filename_prefix": "router_qwen_sr"}}
    hand_wired_image_sr(prompt, seed, (128, 96), settings)
    ui, report = router_output(run_ok(server, prompt))
    assert report["workflow"].split(":")[1] == "qwen_image"
    assert (report["request"]["width"], report["request"]["height"], report["request"]["frames"]) == (128, 96, 1)
    assert report["settings"]["denoise"] == 0.33
    assert report["output"]["latent_shape"] == [1, 16, 1, 12, 16]
    assert report["output"]["images_shape"] == [1, 96, 128, 3]  # 64x48 x the default factor 2
    assert "animated" not in ui
    (saved,) = saved_images(server, ui)
    assert saved.size == (128, 96)
    router_latent, hand_latent = saved_latent(server, "router_qwen_sr"), saved_latent(server, "hand_qwen_sr")
    assert router_latent.shape == hand_latent.shape
    assert (router_latent == hand_latent).all(), (router_latent - hand_latent).abs().max()


def failure(server, prompt) -> str:
    entry = server.run(prompt)
    assert entry["status"]["status_str"] == "error"
    return execution_error(entry)["exception_message"]


def test_a_missing_part_fails_before_anything_loads(server):
    """No attempt runs (the router says no wired workflow can do it, and why): nothing is loaded."""
    cond_hv, cond_qwen = conditioning_node("hunyuan_video_15"), conditioning_node("qwen_image")
    video_request = dict(capability="super_resolution", width=96, height=96, frames=5, **AUTO)
    cases = [
        (hunyuan_sr_loader(server, latent_upsampler="none"), cond_hv, {},
         ["latent_upsampler", "hunyuanvideo15_latent_upsampler_1080p.safetensors", "models/latent_upscale_models"]),
        (hunyuan_sr_loader(server, sr_model_name="none"), cond_hv, {},
         ["sr_model", "hunyuanvideo1.5_1080p_sr_distilled_fp16.safetensors"]),
        (qwen_sr_loader(server, upscale_model="none"), conditioning_node("qwen_image"), {"image": True},
         ["upscale_model", "RealESRGAN_x4plus.safetensors", "models/upscale_models"]),
        (qwen_sr_loader(server), cond_qwen, {}, ["of images: it needs an input image"]),
    ]
    for loader, cond, extra, expected in cases:
        prompt = {"loader": loader, "cond": cond, "image": start_image_node(server)}
        request = dict(video_request, width=0, height=0, frames=0, image=["image", 0]) if extra else video_request
        prompt["router"] = router_node(["loader"], "cond", **request)
        message = failure(server, prompt)
        assert "no wired workflow can do super_resolution" in message, message
        for text in expected:
            assert text in message, (text, message)


def test_an_image_is_not_upscaled_by_the_video_workflow(server):
    prompt = {"loader": hunyuan_sr_loader(server), "cond": conditioning_node("hunyuan_video_15"),
              "image": start_image_node(server),
              "router": router_node(["loader"], "cond", capability="super_resolution", width=0, height=0, frames=0,
                                    image=["image", 0], **AUTO)}
    message = failure(server, prompt)
    assert "does super_resolution of videos" in message and "wire the frames to video" in message, message


def test_the_sr_files_do_not_load_for_text_to_video(server):
    loader = hunyuan_sr_loader(server, model_name=copy_model(server, "hunyuan_video_15", "fp8_e4m3fn", "t2v"),
                               sr_model_name=copy_model(server, "hunyuan_video_15_sr", "fp8_e4m3fn", "t2v"))
    reset_probe(server)
    prompt = {"loader": loader, "cond": conditioning_node("hunyuan_video_15"),
              "router": router_node(["loader"], "cond", capability="text_to_video", steps=1),
              "probe": probe_node("router")}
    entry = run_ok(server, prompt)
    opened = probe_report(entry)["opened"]
    models = server.models_root / "diffusion_models"
    assert str((models / loader["inputs"]["model_name"]).resolve()) in opened, opened
    assert str((models / loader["inputs"]["sr_model_name"]).resolve()) not in opened, opened


@pytest.mark.parametrize("given", ["latent_upsampler", "upscale_model"])
def test_the_loader_names_an_upscaler_in_the_wrong_input(server, given):
    """A latent upsampler given as upscale_model (or the reverse) is an error naming what the file is."""
    import shutil
    if given == "latent_upsampler":  # the ESRGAN file under latent_upscale_models
        source = server.models_root / "upscale_models" / upscale_model_name(server)
        name = "esrgan_as_latent_upsampler.safetensors"
        shutil.copy(source, server.models_root / "latent_upscale_models" / name)
        loader, expected = hunyuan_sr_loader(server, latent_upsampler=name), "ESRGAN type"
    else:
        source = server.models_root / "latent_upscale_models" / upsampler_name(server)
        name = "latent_upsampler_as_upscale_model.safetensors"
        shutil.copy(source, server.models_root / "upscale_models" / name)
        loader, expected = qwen_sr_loader(server, upscale_model=name), "HunyuanVideo 1.5 1080p latent upsampler"
    message = failure(server, {"loader": loader})
    assert given in message and name in message and expected in message, message
