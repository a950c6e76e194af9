"""The router's image_editing (Qwen-Image-Edit / 2509 / 2511) and layered_generation (Qwen-Image-Layered) through
API prompts on a real ComfyUI server, with tiny models and test conditioning: the router's latent equals the one
ComfyUI's own nodes give when wired by hand on the same model, images and seed; the layers come out as RGB
images + alpha (saved RGBA) with the asked count; a missing image or a VAE without alpha fails before loading."""
import pytest

from comfyui_server import execution_error
from router_prompts import server  # noqa: F401  (the module-scoped server fixture)
from router_prompts import (conditioning_node, loader_node, router_node, router_output, run_ok, saved_images,
                            saved_latent, start_image_node)

SETTINGS = dict(width=64, height=64, steps=2, cfg=2.0, shift=3.0, sampler="euler", scheduler="simple")


def hand_wired_edit(prompt, variant, seed, images):
    """ComfyUI's own nodes as the Edit templates wire them, with the test conditioning instead of the text
    encoder: ImageScale -> VAEEncode -> ReferenceLatent on both (per image), 2511's index_timestep_zero,
    ModelSamplingAuraFlow -> CFGNorm(1) -> KSampler, SaveLatent."""
    vae_name = prompt["loader"]["inputs"]["vae"]
    nodes = {"h_models": {"class_type": "StoryCoreWorkflowModels", "inputs": {"workflow": ["loader", 0]}},
             "h_vae": {"class_type": "VAELoader", "inputs": {"vae_name": vae_name}}}
    positive, negative = ["cond", 0], ["cond", 1]
    for n, image in enumerate(images):
        nodes[f"h_scale{n}"] = {"class_type": "ImageScale", "inputs": {
            "image": image, "upscale_method": "lanczos", "width": 64, "height": 64, "crop": "center"}}
        nodes[f"h_enc{n}"] = {"class_type": "VAEEncode", "inputs": {"pixels": [f"h_scale{n}", 0], "vae": ["h_vae", 0]}}
        nodes[f"h_pos{n}"] = {"class_type": "ReferenceLatent", "inputs": {"conditioning": positive,
                                                                          "latent": [f"h_enc{n}", 0]}}
        nodes[f"h_neg{n}"] = {"class_type": "ReferenceLatent", "inputs": {"conditioning": negative,
                                                                          "latent": [f"h_enc{n}", 0]}}
        positive, negative = [f"h_pos{n}", 0], [f"h_neg{n}", 0]
    if variant == "qwen_image_edit_2511":
        for name, cond in (("h_pos_m", positive), ("h_neg_m", negative)):
            nodes[name] = {"class_type": "FluxKontextMultiReferenceLatentMethod",
                           "inputs": {"conditioning": cond, "reference_latents_method": "index_timestep_zero"}}
        positive, negative = ["h_pos_m", 0], ["h_neg_m", 0]
    nodes["h_shift"] = {"class_type": "ModelSamplingAuraFlow", "inputs": {"model": ["h_models", 0],
                                                                           "shift": SETTINGS["shift"]}}
    nodes["h_norm"] = {"class_type": "CFGNorm", "inputs": {"model": ["h_shift", 0], "strength": 1.0}}
    nodes["h_sample"] = {"class_type": "KSampler", "inputs": {
        "model": ["h_norm", 0], "seed": seed, "steps": SETTINGS["steps"], "cfg": SETTINGS["cfg"],
        "sampler_name": "euler", "scheduler": "simple", "positive": positive, "negative": negative,
        "latent_image": ["h_enc0", 0], "denoise": 1.0}}
    nodes["h_save"] = {"class_type": "SaveLatent", "inputs": {"samples": ["h_sample", 0],
                                                              "filename_prefix": f"hand_{variant}"}}
    prompt.update(nodes)


EDIT_CASES = [("qwen_image_edit_2511", 2), ("qwen_image_edit_2509", 2), ("qwen_image_edit", 1)]


@pytest.mark.parametrize("variant,image_count", EDIT_CASES, ids=[c[0] for c in EDIT_CASES])
def test_image_editing_equals_comfyui_nodes_wired_by_hand(server, variant, image_count):
    seed = 4242
    prompt = {"loader": loader_node(variant, "fp8_e4m3fn", server.models_root, server.tiny_models_dir),
              "cond": conditioning_node("qwen_image"),
              "image": start_image_node(server),
              "ref": start_image_node(server, "storycore_reference.png", size=(48, 80))}
    extra = {"image": ["image", 0], "reference_image": ["ref", 0]}
    prompt["router"] = router_node(["loader"], "cond", capability="image_editing", frames=0, seed=seed,
                                   **SETTINGS, **extra)
    prompt["r_save"] = {"class_type": "SaveLatent", "inputs": {"samples": ["router", 2],
                                                               "filename_prefix": f"router_{variant}"}}
    hand_wired_edit(prompt, variant, seed, [["image", 0], ["ref", 0]][:image_count])
    ui, report = router_output(run_ok(server, prompt))
    assert report["workflow"].split(":")[1] == variant
    assert report["output"]["latent_shape"] == [1, 16, 1, 8, 8]
    assert report["output"]["images_shape"] == [1, 64, 64, 3]
    assert [a["outcome"] for a in report["attempts"]] == ["success"]
    if image_count == 1:
        assert any("reference_image is not used" in n for n in report["attempts"][0]["settings_notes"])
    router_latent, hand_latent = saved_latent(server, f"router_{variant}"), saved_latent(server, f"hand_{variant}")
    assert router_latent.shape == hand_latent.shape
    assert (router_latent == hand_latent).all(), (router_latent - hand_latent).abs().max()
    (saved,) = saved_images(server, ui)
    assert saved.size == (64, 64) and saved.mode == "RGB"


def test_layered_generation_gives_each_layer_with_alpha(server):
    prompt = {"loader": loader_node("qwen_image_layered", "fp8_e4m3fn", server.models_root, server.tiny_models_dir),
              "cond": conditioning_node("qwen_image"), "image": start_image_node(server),
              "router": router_node(["loader"], "cond", capability="layered_generation", frames=0, layers=3,
                                    image=["image", 0], **SETTINGS),
              # The mask output as an image (MaskToImage), saved: the alpha the router returned.
              "alpha": {"class_type": "MaskToImage", "inputs": {"mask": ["router", 1]}},
              "save_alpha": {"class_type": "SaveImage", "inputs": {"images": ["alpha", 0],
                                                                   "filename_prefix": "storycore_layer_alpha"}}}
    entry = run_ok(server, prompt)
    ui, report = router_output(entry)
    assert report["workflow"].split(":")[1] == "qwen_image_layered"
    assert report["output"]["latent_shape"] == [1, 16, 4, 8, 8]  # layers + 1 frames sampled
    assert report["output"]["images_shape"] == [3, 64, 64, 3]   # frame 0 dropped: one image per layer
    assert report["output"]["mask_shape"] == [3, 64, 64]
    layers = saved_images(server, ui)
    assert len(layers) == 3 and all(i.mode == "RGBA" and i.size == (64, 64) for i in layers)
    alphas = saved_images(server, entry["outputs"]["save_alpha"])
    assert len(alphas) == 3
    for layer, alpha in zip(layers, alphas):  # the saved layers' alpha is the mask output
        assert layer.getchannel("A").tobytes() == alpha.convert("L").tobytes()


def test_missing_image_fails_before_anything_loads(server):
    """No attempt runs (the router says no wired workflow can do it, and why): nothing is loaded."""
    prompt = {"loader": loader_node("qwen_image_edit_2509", "fp8_e4m3fn", server.models_root, server.tiny_models_dir),
              "cond": conditioning_node("qwen_image"),
              "router": router_node(["loader"], "cond", capability="image_editing", frames=0, **SETTINGS)}
    entry = server.run(prompt)
    assert entry["status"]["status_str"] == "error"
    message = execution_error(entry)["exception_message"]
    assert "no wired workflow can do image_editing" in message
    assert "image_editing needs an input image" in message, message


def place_qwen_lora(server, name):
    """A Qwen-Image LoRA of the real key layout (diffusion_model.<module>.lora_A/B, rank 4) under models/loras."""
    from component_headers import linear_modules, lora_shapes
    from model_loaders.families.qwen_image.keys import qwen_image_tensor_shapes
    from tiny_models import write_sparse_checkpoint
    path = server.models_root / "loras" / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_sparse_checkpoint(path, lora_shapes(linear_modules(qwen_image_tensor_shapes(1), "transformer_blocks.")))
    return name


RELIGHT_CASES = [("Qwen-Image-Edit-2509-Relight.safetensors", False, "重新照明,"),
                 ("Qwen-Image-Edit-2509-Light-Migration.safetensors", True, "参考色调")]


@pytest.mark.parametrize("lora,with_reference,prompt_start", RELIGHT_CASES, ids=["relight", "light_migration"])
def test_image_relighting_with_the_2509_lora(server, lora, with_reference, prompt_start):
    loader = loader_node("qwen_image_edit_2509", "fp8_e4m3fn", server.models_root, server.tiny_models_dir,
                         lora_1=place_qwen_lora(server, lora))
    prompt = {"loader": loader, "cond": conditioning_node("qwen_image"), "image": start_image_node(server)}
    extra = {"image": ["image", 0]}
    if with_reference:
        prompt["ref"] = start_image_node(server, "storycore_reference.png", size=(48, 80))
        extra["reference_image"] = ["ref", 0]
    prompt["router"] = router_node(["loader"], "cond", capability="image_relighting", frames=0, **SETTINGS, **extra)
    ui, report = router_output(run_ok(server, prompt))
    assert report["workflow"].split(":")[1] == "qwen_image_edit_2509" and lora.replace(".safetensors", "") in \
        report["workflow"]
    assert report["output"]["images_shape"] == [1, 64, 64, 3]
    notes = report["attempts"][0]["settings_notes"]
    assert any(lora in n and prompt_start in n for n in notes), notes  # the trigger words / template prompt
    assert len(saved_images(server, ui)) == 1


def test_relighting_without_the_lora_says_which_to_attach(server):
    prompt = {"loader": loader_node("qwen_image_edit_2509", "fp8_e4m3fn", server.models_root, server.tiny_models_dir),
              "cond": conditioning_node("qwen_image"), "image": start_image_node(server)}
    prompt["router"] = router_node(["loader"], "cond", capability="image_relighting", frames=0, image=["image", 0],
                                   **SETTINGS)
    entry = server.run(prompt)
    message = execution_error(entry)["exception_message"]
    assert "no wired workflow can do image_relighting" in message
    assert "only with its LoRA attached" in message and "Qwen-Image-Edit-2509-Relight.safetensors" in message
