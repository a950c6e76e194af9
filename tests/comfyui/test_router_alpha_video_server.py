"""The router's alpha_video (Wan-Alpha: Wan 2.1 T2V + the RGBA LoRA, the latent decoded by the RGB and the alpha
VAE) through API prompts on a real ComfyUI server, with the tiny Wan 2.1 T2V model, tiny Wan-Alpha fixtures
(tests/tiny_models/wan_alpha.py) and test conditioning: the router's latent, RGB frames and alpha equal those of the
official template's graph of ComfyUI's own nodes wired by hand (UNETLoader -> LoraLoaderModelOnly ->
ModelSamplingSD3 -> KSampler; VAEDecode with each VAE; ImageToMask red -> InvertMask -> JoinImageWithAlpha ->
SaveAnimatedWEBP) on the same files and seed; the saved RGBA WebP carries the alpha; a prompt without a transparent
background gets a note; a missing LoRA or alpha VAE fails before anything loads, naming the part."""
import io as bytes_io

import numpy as np
import pytest
from PIL import Image

from comfyui_server import execution_error
from loader_files import link_into
from router_prompts import server  # noqa: F401  (the module-scoped server fixture)
from router_prompts import (conditioning_node, copy_model, loader_node, probe_report, reset_probe, router_node,
                            router_output, run_ok)

SETTINGS = dict(width=64, height=64, frames=5, steps=2, cfg=2.0, shift=5.0, sampler="uni_pc", scheduler="simple")
TRANSPARENT_PROMPT = "a red fox jumps. The background of this video is transparent."


def alpha_files(server):
    """The tiny Wan-Alpha files placed in the server's models folders: (rgb vae, alpha vae, LoRA) names."""
    from tiny_models.wan_alpha import write_alpha_lora, write_alpha_vae, write_rgb_vae
    root, tiny = server.models_root, server.tiny_models_dir
    return (link_into(root / "vae", write_rgb_vae(tiny)), link_into(root / "vae", write_alpha_vae(tiny)),
            link_into(root / "loras", write_alpha_lora(tiny)))


def alpha_loader(server, model_name=None, lora=True, alpha_vae=True):
    rgb, alpha, lora_name = alpha_files(server)
    node = loader_node("wan21_t2v", "bf16", server.models_root, server.tiny_models_dir, vae=rgb,
                       lora_1=lora_name if lora else "none", alpha_vae=alpha if alpha_vae else "none")
    if model_name:
        node["inputs"]["model_name"] = model_name
    return node


def files_under(server, prefix, suffix):
    files = sorted((server.workdir / "output").glob(f"{prefix}*{suffix}"), key=lambda p: p.stat().st_mtime)
    assert files, f"no {prefix}*{suffix} in the output folder"
    return files


def saved_latent(server, prefix):
    from safetensors.torch import load_file
    return load_file(str(files_under(server, prefix, ".latent")[-1]))["latent_tensor"]


def png_frames(server, prefix, count) -> np.ndarray:
    """The newest `count` PNGs SaveImage wrote under `prefix`, as one uint8 array [count, H, W, C]."""
    files = sorted(files_under(server, prefix, ".png"))[-count:]
    return np.stack([np.asarray(Image.open(f)) for f in files])


def webp_frames(server, ui_entry) -> tuple[np.ndarray, str]:
    """Every frame of a saved animated WebP (its UI entry), as uint8 RGBA [frames, H, W, 4], and its mode."""
    status, body = server.get_raw(f"/view?filename={ui_entry['filename']}&subfolder={ui_entry['subfolder']}"
                                  f"&type={ui_entry['type']}")
    assert status == 200
    image = Image.open(bytes_io.BytesIO(body))
    mode, frames = image.mode, []
    for n in range(image.n_frames):
        image.seek(n)
        frames.append(np.asarray(image.convert("RGBA")))
    return np.stack(frames), mode


def hand_wired_template(prompt, seed):
    """The Wan-Alpha template's graph of ComfyUI's own nodes on the loader's files, with the test conditioning."""
    loader = prompt["loader"]["inputs"]
    nodes = {
        "h_unet": {"class_type": "UNETLoader", "inputs": {"unet_name": loader["model_name"],
                                                          "weight_dtype": "default"}},
        "h_lora": {"class_type": "LoraLoaderModelOnly", "inputs": {
            "model": ["h_unet", 0], "lora_name": loader["lora_1"], "strength_model": 1.0}},
        "h_shift": {"class_type": "ModelSamplingSD3", "inputs": {"model": ["h_lora", 0], "shift": SETTINGS["shift"]}},
        "h_latent": {"class_type": "EmptyHunyuanLatentVideo", "inputs": {"width": 64, "height": 64, "length": 5,
                                                                         "batch_size": 1}},
        "h_sample": {"class_type": "KSampler", "inputs": {
            "model": ["h_shift", 0], "seed": seed, "steps": SETTINGS["steps"], "cfg": SETTINGS["cfg"],
            "sampler_name": SETTINGS["sampler"], "scheduler": SETTINGS["scheduler"], "positive": ["cond", 0],
            "negative": ["cond", 1], "latent_image": ["h_latent", 0], "denoise": 1.0}},
        "h_save_latent": {"class_type": "SaveLatent", "inputs": {"samples": ["h_sample", 0],
                                                                 "filename_prefix": "hand_alpha_latent"}},
        "h_rgb_vae": {"class_type": "VAELoader", "inputs": {"vae_name": loader["vae"]}},
        "h_alpha_vae": {"class_type": "VAELoader", "inputs": {"vae_name": loader["alpha_vae"]}},
        "h_rgb": {"class_type": "VAEDecode", "inputs": {"samples": ["h_sample", 0], "vae": ["h_rgb_vae", 0]}},
        "h_alpha": {"class_type": "VAEDecode", "inputs": {"samples": ["h_sample", 0], "vae": ["h_alpha_vae", 0]}},
        "h_red": {"class_type": "ImageToMask", "inputs": {"image": ["h_alpha", 0], "channel": "red"}},
        "h_invert": {"class_type": "InvertMask", "inputs": {"mask": ["h_red", 0]}},
        "h_join": {"class_type": "JoinImageWithAlpha", "inputs": {"image": ["h_rgb", 0], "alpha": ["h_invert", 0]}},
        "h_webp": {"class_type": "SaveAnimatedWEBP", "inputs": {
            "images": ["h_join", 0], "filename_prefix": "hand_alpha_webp", "fps": 16.0, "lossless": True,
            "quality": 80, "method": "default"}},
        "h_save_rgb": {"class_type": "SaveImage", "inputs": {"images": ["h_rgb", 0],
                                                             "filename_prefix": "hand_alpha_rgb"}},
        "h_red_image": {"class_type": "MaskToImage", "inputs": {"mask": ["h_red", 0]}},
        "h_save_red": {"class_type": "SaveImage", "inputs": {"images": ["h_red_image", 0],
                                                             "filename_prefix": "hand_alpha_red"}},
        # The red channel of the RGB decode: the alpha must not be that (the second VAE really decoded).
        "h_rgb_red": {"class_type": "ImageToMask", "inputs": {"image": ["h_rgb", 0], "channel": "red"}},
        "h_rgb_red_image": {"class_type": "MaskToImage", "inputs": {"mask": ["h_rgb_red", 0]}},
        "h_save_rgb_red": {"class_type": "SaveImage", "inputs": {"images": ["h_rgb_red_image", 0],
                                                                 "filename_prefix": "hand_redofrgb"}},
    }
    prompt.update(nodes)


def test_alpha_video_equals_the_template_graph_of_comfyui_nodes(server):
    seed = 5150
    prompt = {"loader": alpha_loader(server), "cond": conditioning_node("wan")}
    prompt["router"] = router_node(["loader"], "cond", capability="alpha_video", seed=seed,
                                   prompt=TRANSPARENT_PROMPT, filename_prefix="router_alpha", **SETTINGS)
    prompt.update({
        "r_save_latent": {"class_type": "SaveLatent", "inputs": {"samples": ["router", 2],
                                                                 "filename_prefix": "router_alpha_latent"}},
        "r_save_rgb": {"class_type": "SaveImage", "inputs": {"images": ["router", 0],
                                                             "filename_prefix": "router_alpha_rgb"}},
        "r_mask_image": {"class_type": "MaskToImage", "inputs": {"mask": ["router", 1]}},
        "r_save_mask": {"class_type": "SaveImage", "inputs": {"images": ["r_mask_image", 0],
                                                              "filename_prefix": "router_alpha_mask"}},
    })
    hand_wired_template(prompt, seed)
    entry = run_ok(server, prompt)
    ui, report = router_output(entry)
    assert report["workflow"].split(":")[1] == "wan21_t2v" and "wan_alpha_2.1_rgba_lora_tiny@1" in report["workflow"]
    assert [a["outcome"] for a in report["attempts"]] == ["success"]
    assert report["output"]["latent_shape"] == [1, 16, 2, 8, 8]
    assert report["output"]["images_shape"] == [5, 64, 64, 3]  # 5 frames, RGB
    assert report["output"]["mask_shape"] == [5, 64, 64]       # one alpha per frame
    assert not any("transparent background" in n for n in report["attempts"][0]["settings_notes"])
    assert set(report["timings_s"]) >= {"load", "sample", "decode", "save"}

    router_latent, hand_latent = saved_latent(server, "router_alpha_latent"), saved_latent(server, "hand_alpha_latent")
    assert router_latent.shape == hand_latent.shape
    assert (router_latent == hand_latent).all(), (router_latent - hand_latent).abs().max()
    rgb, hand_rgb = png_frames(server, "router_alpha_rgb", 5), png_frames(server, "hand_alpha_rgb", 5)
    assert rgb.shape == (5, 64, 64, 3) and (rgb == hand_rgb).all()
    # The mask is the red channel of ComfyUI's VAEDecode with the alpha VAE (MaskToImage writes it to R, G and B).
    alpha = png_frames(server, "router_alpha_mask", 5)[..., 0]
    assert (alpha == png_frames(server, "hand_alpha_red", 5)[..., 0]).all()
    assert (alpha != png_frames(server, "hand_redofrgb", 5)[..., 0]).any()  # not the RGB decode's red
    assert 0 < alpha.std()  # a real alpha, not a constant (its range [0, 1] is what 0..255 stores)

    (saved,) = ui["images"]
    assert ui["animated"] == [True] and saved["filename"].startswith("router_alpha") and saved["type"] == "output"
    frames, mode = webp_frames(server, saved)
    assert mode == "RGBA" and frames.shape == (5, 64, 64, 4)
    assert (frames[..., 3] == alpha).all()  # lossless: the alpha as returned
    visible = frames[..., 3] > 0  # lossless WebP may change the colour under fully transparent pixels
    assert (frames[..., :3][visible] == rgb[visible]).all()
    # The template's own graph (JoinImageWithAlpha of the inverted red mask, SaveAnimatedWEBP lossless) nets the
    # same alpha: 1 - (1 - red) may differ by one float ulp, so by at most one 8-bit level.
    hand_frames, hand_mode = webp_frames(server, entry["outputs"]["h_webp"]["images"][0])
    assert hand_mode == "RGBA" and hand_frames.shape == frames.shape
    assert np.abs(hand_frames[..., 3].astype(int) - frames[..., 3].astype(int)).max() <= 1


def test_a_prompt_without_a_transparent_background_gets_a_note(server):
    prompt = {"loader": alpha_loader(server), "cond": conditioning_node("wan"),
              "router": router_node(["loader"], "cond", capability="alpha_video", prompt="a red fox jumps",
                                    **SETTINGS)}
    _, report = router_output(run_ok(server, prompt))
    notes = report["attempts"][0]["settings_notes"]
    (note,) = [n for n in notes if "transparent background" in n]
    assert "does not describe a transparent background" in note and "used as given" in note
    assert "The background of this video is transparent." in note
    assert report["output"]["mask_shape"] == [5, 64, 64]


MISSING = [({"lora": False}, "wan_alpha_2.1_rgba_lora.safetensors (models/loras) as lora_1"),
           ({"alpha_vae": False}, "wan_alpha_2.1_vae_alpha_channel.safetensors (models/vae) as alpha_vae")]


@pytest.mark.parametrize("missing,part", MISSING, ids=["no_lora", "no_alpha_vae"])
def test_a_missing_part_fails_before_anything_loads(server, missing, part):
    model = copy_model(server, "wan21_t2v", "bf16", f"alpha_{'_'.join(missing)}")
    reset_probe(server)
    prompt = {"loader": alpha_loader(server, model, **missing), "cond": conditioning_node("wan"),
              "router": router_node(["loader"], "cond", capability="alpha_video", prompt=TRANSPARENT_PROMPT,
                                    **SETTINGS)}
    entry = server.run(prompt)
    assert entry["status"]["status_str"] == "error"
    message = execution_error(entry)["exception_message"]
    assert "no wired workflow can do alpha_video" in message, message
    assert "serves alpha_video only with its LoRA and alpha_vae attached" in message and part in message, message
    # The loader's own note already said which part is missing.
    notes = router_output(entry, "loader")[1]["notes"]
    assert any("alpha_video also needs" in n and part in n for n in notes), notes
    probe = run_ok(server, {"s": {"class_type": "PrimitiveString", "inputs": {"value": "after"}},
                            "probe": {"class_type": "StoryCoreTestProbe", "inputs": {"after": ["s", 0]}}})
    opened = probe_report(probe)["opened"]
    assert str((server.models_root / "diffusion_models" / model).resolve()) not in opened, opened


def test_an_alpha_vae_of_another_kind_is_an_error_on_the_loader(server):
    from loader_files import place_component
    flux = place_component(server.models_root, "vae", "flux_vae")
    prompt = {"loader": alpha_loader(server), "cond": conditioning_node("wan")}
    prompt["loader"]["inputs"]["alpha_vae"] = flux
    prompt["router"] = router_node(["loader"], "cond", capability="alpha_video", **SETTINGS)
    error = execution_error(server.run(prompt))
    assert error["node_type"] == "StoryCoreWanLoader"
    assert f"{flux} is a FLUX VAE" in error["exception_message"]
    assert "alpha_vae needs a Wan 2.1 VAE" in error["exception_message"]


def test_the_wan_loader_offers_alpha_vae_as_an_optional_none_default_input(server):
    alpha = alpha_files(server)[1]
    info = server.get("/object_info/StoryCoreWanLoader")["StoryCoreWanLoader"]["input"]
    assert "alpha_vae" not in info["required"]
    _, config = info["optional"]["alpha_vae"]
    assert config["options"][0] == config["default"] == "none" and alpha in config["options"]
    assert "wan_alpha_2.1_vae_alpha_channel" in config["tooltip"]


def test_one_progress_bar_runs_over_sampling_and_both_decodes(server):
    """The router node's bar, as the frontend gets it over the websocket: steps + 2 units (the sampling steps, the
    RGB decode, the alpha decode), moving forward to its end."""
    import asyncio
    from test_load_progress_server import progress_of, run_watching
    prompt = {"loader": alpha_loader(server), "cond": conditioning_node("wan"),
              "router": router_node(["loader"], "cond", capability="alpha_video", prompt=TRANSPARENT_PROMPT,
                                    **SETTINGS)}
    messages = asyncio.run(run_watching(server, prompt))
    assert messages[-1]["type"] == "execution_success", messages[-1]
    total = SETTINGS["steps"] + 2
    bar = [value for value, maximum in progress_of(messages, node="router") if maximum == total]
    assert bar == sorted(bar) and bar[-1] == total and total - 1 in bar, progress_of(messages, node="router")
    assert not [m for _, m in progress_of(messages, node="router") if m == SETTINGS["steps"] + 1]
