"""Write the router's example workflows: for each capability the router serves, the StoryCore Advanced Router fed
by the right family loader, as an API prompt (example_workflows/api/<name>.json, for programs) and as the graph
editor's saved workflow (example_workflows/<name>.json: the same nodes laid out, the official files' download
metadata on each node that names them, a note saying what to download and where), then their thumbnails.

    python tests/example_build.py [--comfyui PATH]    # ComfyUI's live /object_info gives every node's inputs

Each example is data (EXAMPLES below): its nodes as API-prompt inputs; every widget left out takes the default the
live schema declares, so a new optional input of a node appears in every example by running this again.
"""
import argparse
import json
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE / "comfyui")]
import pack_import  # noqa: E402

pack_import.install()
from example_checks import API_EXAMPLES, EXAMPLES, is_model_file, upload_widget, widget_inputs  # noqa: E402
from model_loaders.families import FAMILIES  # noqa: E402

# Official files the families' RELEASES do not list (LoRAs that give a capability), as their templates name them.
_QWEN_LORAS = "https://huggingface.co/Comfy-Org/Qwen-Image-Edit_ComfyUI/resolve/main/split_files/loras/"
_WAN21 = "https://huggingface.co/Comfy-Org/Wan_2.1_ComfyUI_repackaged/resolve/main/split_files/"
EXTRA_RELEASES = {
    "Qwen-Image-Edit-2509-Relight.safetensors": ("loras", _QWEN_LORAS + "Qwen-Image-Edit-2509-Relight.safetensors"),
    # video_wan2.1_alpha_t2v_14B.json
    "wan_alpha_2.1_rgba_lora.safetensors": ("loras", _WAN21 + "loras/wan_alpha_2.1_rgba_lora.safetensors"),
    "wan_alpha_2.1_vae_rgb_channel.safetensors": ("vae", _WAN21 + "vae/wan_alpha_2.1_vae_rgb_channel.safetensors"),
    "wan_alpha_2.1_vae_alpha_channel.safetensors": ("vae", _WAN21 + "vae/wan_alpha_2.1_vae_alpha_channel.safetensors"),
}
NOTE = "MarkdownNote"
IMAGE_INPUT = "example.png"  # ComfyUI ships input/example.png


def releases() -> dict[str, tuple[str, str]]:
    """Official file name -> (models folder, download URL)."""
    found = {r.name: (r.folder, r.url) for module in FAMILIES.values() for files in module.RELEASES.values()
             for r in files if r.url}
    return {**found, **EXTRA_RELEASES}


@dataclass
class Example:
    name: str
    title: str
    what: str                      # the note's first paragraph: what the graph does
    nodes: dict                    # node id -> (class_type, inputs); links as [node id, output slot]
    hints: list = field(default_factory=list)  # the note's last lines: what to change
    router: bool = True


def _wan(model, vae="wan_2.1_vae.safetensors", **more):
    return ("StoryCoreWanLoader", dict(model_name=model, text_encoder="umt5_xxl_fp8_e4m3fn_scaled.safetensors",
                                       vae=vae, **more))


def _qwen(model, vae="qwen_image_vae.safetensors", **more):
    return ("StoryCoreQwenImageLoader", dict(model_name=model, text_encoder="qwen_2.5_vl_7b_fp8_scaled.safetensors",
                                             vae=vae, **more))


def _router(capability, prompt, negative="", **more):
    return ("StoryCoreAdvancedRouter", dict(capability=capability, prompt=prompt, negative_prompt=negative,
                                            workflow_1=["1", 0], seed=42,
                                            filename_prefix=f"storycore/{capability}", **more))


_IMAGE = ("LoadImage", {"image": IMAGE_INPUT})
_ROUTER_HINT = ("The router's 0 settings (width, height, frames, steps, cfg, shift) and `auto` sampler / scheduler "
                "take the chosen workflow's template values; wire more loaders to `workflow_2` ... `workflow_8` "
                "and the router picks one per `strategy`.")
EXAMPLES_DATA = [
    Example("storycore_wan_t2v", "StoryCore: Wan 2.1 text-to-video (14B FP8)",
            "Without the router: the Checkpoint Inspector describes the file, the Wan Loader describes the workflow, "
            "Workflow Models / Text Encoder load it and ComfyUI's own nodes sample it with the official template's "
            "settings (shift 8, 30 steps, cfg 6, uni_pc / simple, 832x480, 33 frames).",
            {"1": ("StoryCoreCheckpointInspector", {"model_name": "wan2.1_t2v_14B_fp8_scaled.safetensors"}),
             "2": _wan("wan2.1_t2v_14B_fp8_scaled.safetensors"),
             "3": ("StoryCoreWorkflowModels", {"workflow": ["2", 0]}),
             "4": ("StoryCoreWorkflowTextEncoder", {"workflow": ["2", 0]}),
             "5": ("CLIPTextEncode", {"clip": ["4", 0], "text": "a red fox running through fresh snow, cinematic"}),
             "6": ("CLIPTextEncode", {"clip": ["4", 0], "text": "blurry, low quality, static"}),
             "7": ("ModelSamplingSD3", {"model": ["3", 0], "shift": 8.0}),
             "8": ("EmptyHunyuanLatentVideo", {"width": 832, "height": 480, "length": 33, "batch_size": 1}),
             "9": ("KSampler", {"model": ["7", 0], "positive": ["5", 0], "negative": ["6", 0],
                                "latent_image": ["8", 0], "seed": 42, "steps": 30, "cfg": 6.0,
                                "sampler_name": "uni_pc", "scheduler": "simple", "denoise": 1.0}),
             "10": ("VAEDecode", {"samples": ["9", 0], "vae": ["3", 2]}),
             "11": ("SaveAnimatedWEBP", {"images": ["10", 0], "filename_prefix": "storycore/wan_t2v", "fps": 16.0,
                                         "lossless": False, "quality": 90, "method": "default"})},
            ["Any Wan 2.1 T2V file works (fp8 or 16-bit, 14B or 1.3B): the Wan Loader lists the files that fit it "
             "first (it reads each file's header)."], router=False),
    Example("storycore_router_text_to_video", "StoryCore router: text-to-video (Wan 2.1 T2V 14B FP8)",
            "The StoryCore Advanced Router makes a video from the prompt with the Wan 2.1 T2V workflow the Wan Loader "
            "describes (the official template's shift 8, 30 steps, cfg 6, 832x480, 81 frames).",
            {"1": _wan("wan2.1_t2v_14B_fp8_scaled.safetensors"),
             "2": _router("text_to_video", "a red fox running through fresh snow, cinematic",
                          "blurry, low quality, static")}),
    Example("storycore_router_alpha_video", "StoryCore router: transparent video (Wan-Alpha, Wan 2.1 T2V 14B)",
            "The router makes a video with transparency with Wan-Alpha: Wan 2.1 T2V with the RGBA LoRA on `lora_1`, "
            "the RGB-channel VAE as `vae` and the alpha-channel VAE as `alpha_vae` (the template's shift 5, 20 "
            "steps, cfg 6, 832x480, 33 frames). `images` are the colour frames, `mask` each frame's alpha, and the "
            "saved file is an RGBA animated WebP.",
            {"1": _wan("wan2.1_t2v_14B_fp8_scaled.safetensors", vae="wan_alpha_2.1_vae_rgb_channel.safetensors",
                       alpha_vae="wan_alpha_2.1_vae_alpha_channel.safetensors",
                       lora_1="wan_alpha_2.1_rgba_lora.safetensors"),
             "2": _router("alpha_video", "a glowing jellyfish drifting slowly. The background of this video is "
                                         "transparent.")},
            ["Describe a transparent background in the prompt (e.g. end it with \"The background of this video is "
             "transparent.\"); the report notes a prompt that does not."]),
    Example("storycore_router_image_to_video", "StoryCore router: image-to-video (Wan 2.2 TI2V 5B)",
            "The router animates the loaded image with Wan 2.2 TI2V 5B (its template's 1280x704, 121 frames, "
            "20 steps, cfg 5).",
            {"1": ("StoryCoreWanLoader", dict(model_name="wan2.2_ti2v_5B_fp16.safetensors",
                                              text_encoder="umt5_xxl_fp8_e4m3fn_scaled.safetensors",
                                              vae="wan2.2_vae.safetensors")),
             "3": _IMAGE,
             "2": _router("image_to_video", "the camera slowly pushes in while leaves drift in the wind",
                          image=["3", 0])},
            ["Load your own start image in **Load Image**."]),
    Example("storycore_router_super_resolution", "StoryCore router: video super-resolution (HunyuanVideo 1.5 SR)",
            "The router makes a video with HunyuanVideo 1.5 T2V at the size the SR template upscales from (1280x720 "
            "for the default 1920x1088) and upscales it with the 1080p SR model and the latent upsampler (the "
            "template's two-pass 8-step schedule). `upscale_factor` sets the output size when a `video` is wired "
            "instead; then the 1.5 T2V model does not load.",
            {"1": ("StoryCoreHunyuanVideoLoader", dict(
                model_name="hunyuanvideo1.5_720p_t2v_fp16.safetensors",
                sr_model_name="hunyuanvideo1.5_1080p_sr_distilled_fp16.safetensors",
                text_encoder="qwen_2.5_vl_7b_fp8_scaled.safetensors",
                text_encoder_2="byt5_small_glyphxl_fp16.safetensors", vae="hunyuanvideo15_vae_fp16.safetensors",
                latent_upsampler="hunyuanvideo15_latent_upsampler_1080p.safetensors")),
             "2": _router("super_resolution", "a paper boat sails down a rain-soaked street, cinematic")},
            ["To upscale your own clip, wire its frames to `video` (e.g. Load Video + Get Video Components)."]),
    Example("storycore_router_super_resolution_image", "StoryCore router: image super-resolution (Qwen-Image + "
                                                       "Real-ESRGAN)",
            "The router upscales the loaded image with the ESRGAN-type upscale model on `upscale_model` and refines "
            "it with Qwen-Image at the official pattern's denoise 0.33; the output is the image x `upscale_factor`.",
            {"1": _qwen("qwen_image_fp8_e4m3fn.safetensors", upscale_model="RealESRGAN_x4plus.safetensors"),
             "3": _IMAGE,
             "2": _router("super_resolution", "a sharp, detailed photograph", image=["3", 0], upscale_factor=2.0)},
            ["Load the image to upscale in **Load Image**; the prompt describes it."]),
    Example("storycore_router_text_to_image", "StoryCore router: text-to-image (Qwen-Image FP8)",
            "The router makes an image from the prompt with Qwen-Image (its template's 1328x1328, 20 steps, "
            "cfg 2.5, shift 3.1).",
            {"1": _qwen("qwen_image_fp8_e4m3fn.safetensors"),
             "2": _router("text_to_image", 'a cozy bookshop on a rainy evening, warm light, a sign that reads '
                                           '"StoryCore"')}),
    Example("storycore_router_anime_generation", "StoryCore router: anime image (NewBie-image Exp0.1)",
            "The router makes an anime-style image from the prompt with NewBie-image Exp0.1 (its template's "
            "settings).",
            {"1": ("StoryCoreNewBieLoader", dict(model_name="NewBie-Image-Exp0.1-bf16.safetensors",
                                                 text_encoder="gemma_3_4b_it_bf16.safetensors",
                                                 text_encoder_2="jina_clip_v2_bf16.safetensors",
                                                 vae="ae.safetensors")),
             "2": _router("anime_generation", "1girl, silver hair, school uniform, cherry blossoms, soft light")}),
    Example("storycore_router_image_editing", "StoryCore router: image editing (Qwen-Image-Edit-2511)",
            "The router edits the loaded image as the prompt says with Qwen-Image-Edit-2511 (the image as a "
            "reference latent, index_timestep_zero, CFGNorm; the template's 40 steps, cfg 4).",
            {"1": _qwen("qwen_image_edit_2511_fp8mixed.safetensors"), "3": _IMAGE,
             "2": _router("image_editing", "replace the sky with a warm sunset, keep everything else",
                          image=["3", 0])},
            ["Load the image to edit in **Load Image**; up to two more images go to `reference_image`."]),
    Example("storycore_router_image_relighting", "StoryCore router: relighting (Qwen-Image-Edit-2509 + Relight LoRA)",
            "The router relights the loaded image with Qwen-Image-Edit-2509 and its Relight LoRA on `lora_1` (the "
            "router puts the LoRA's trigger words before the prompt, as its template does).",
            {"1": _qwen("qwen_image_edit_2509_fp8_e4m3fn.safetensors",
                        lora_1="Qwen-Image-Edit-2509-Relight.safetensors"), "3": _IMAGE,
             "2": _router("image_relighting", "relight the image with twilight light, warm colour temperature, "
                                              "soft light and blurred shadows", image=["3", 0])},
            ["Load the image to relight in **Load Image**. With the Light-Migration LoRA instead and a "
             "`reference_image`, the router relights the image with the light of the reference."]),
    Example("storycore_router_layered_generation", "StoryCore router: layers (Qwen-Image-Layered)",
            "The router splits the loaded image into `layers` RGBA layers with Qwen-Image-Layered (the router's "
            "`mask` output is each layer's alpha; the saved files are RGBA).",
            {"1": _qwen("qwen_image_layered_bf16.safetensors", vae="qwen_image_layered_vae.safetensors"),
             "3": _IMAGE,
             "2": _router("layered_generation", "a poster with a title, a product photo and a plain background",
                          image=["3", 0], layers=2)},
            ["Load the image to split in **Load Image**; set `layers` (the template's 2)."]),
    Example("storycore_router_video_inpainting", "StoryCore router: video inpainting (Wan 2.1 VACE 14B)",
            "The router regenerates the masked region of the video (white = regenerate) with Wan 2.1 VACE and keeps "
            "the rest. Here the video is one image repeated 33 times and the mask is its right half.",
            {"1": _wan("wan2.1_vace_14B_fp16.safetensors"), "3": _IMAGE,
             "4": ("RepeatImageBatch", {"image": ["3", 0], "amount": 33}),
             "5": ("SolidMask", {"value": 0.0, "width": 832, "height": 480}),
             "6": ("SolidMask", {"value": 1.0, "width": 416, "height": 480}),
             "7": ("MaskComposite", {"destination": ["5", 0], "source": ["6", 0], "x": 416, "y": 0,
                                     "operation": "add"}),
             "2": _router("video_inpainting", "a red vintage car drives past", video=["4", 0],
                          mask=["7", 0], frames=33)},
            ["For a real clip, load its frames into `video` (e.g. Load Video + Get Video Components) and a mask "
             "of the same size into `mask`."]),
]


def _default(spec):
    kind, options = spec[0], (spec[1] if len(spec) > 1 and isinstance(spec[1], dict) else {})
    if "default" in options:
        return options["default"]
    choices = kind if isinstance(kind, list) else options.get("options", [])
    return choices[0] if choices else None


def api_prompt(example: Example, object_info: dict) -> dict:
    """The example as an API prompt: every widget input of each node, the schema's default where not given."""
    prompt = {}
    for node_id, (class_type, given) in sorted(example.nodes.items(), key=lambda item: int(item[0])):
        info = object_info[class_type]
        inputs = {name: given.get(name, _default(spec)) for name, spec in widget_inputs(info)}
        inputs.update({k: v for k, v in given.items() if isinstance(v, list)})
        unknown = set(given) - set(inputs)
        if unknown:
            raise SystemExit(f"{example.name}: {class_type} has no input {sorted(unknown)}")
        prompt[node_id] = {"inputs": inputs, "class_type": class_type,
                           "_meta": {"title": info.get("display_name") or class_type}}
    return prompt


def _columns(prompt: dict) -> dict[str, int]:
    """Column of each node: 0 for nodes without links in, then one right of the furthest node it takes from."""
    column = {}

    def of(node_id):
        if node_id not in column:
            sources = [v[0] for v in prompt[node_id]["inputs"].values() if isinstance(v, list)]
            column[node_id] = 0 if not sources else 1 + max(of(s) for s in sources)
        return column[node_id]
    for node_id in prompt:
        of(node_id)
    return column


def _size(info: dict, sockets: int) -> list[float]:
    widgets = widget_inputs(info)
    rows = max(sockets, len(info["output"]))
    multiline = sum(1 for _, spec in widgets if len(spec) > 1 and isinstance(spec[1], dict) and spec[1].get("multiline"))
    preview = 220 if any(upload_widget(spec) for _, spec in widgets) else 0
    return [400 if multiline else 320, 30 + 22 * rows + 24 * len(widgets) + 60 * multiline + preview]


def editor_workflow(example: Example, prompt: dict, object_info: dict, files: dict) -> dict:
    """The graph editor's saved form of `prompt` (as the frontend writes it: socket inputs, then widget inputs;
    widgets_values in widget order with the seed's control value), laid out left to right, with a note."""
    nodes, links = [], []
    column, tops = _columns(prompt), {}
    ids = {node_id: int(node_id) for node_id in prompt}  # the editor's node ids are the API prompt's
    order = sorted(prompt, key=lambda i: (column[i], ids[i]))
    link_ids, outputs_links = {}, {}  # (node, input) -> link id; (node, output slot) -> link ids
    for node_id in order:
        for name, value in prompt[node_id]["inputs"].items():
            if isinstance(value, list):
                link_ids[node_id, name] = len(link_ids) + 1
                outputs_links.setdefault((value[0], value[1]), []).append(link_ids[node_id, name])
    for position, node_id in enumerate(order):
        node = prompt[node_id]
        info = object_info[node["class_type"]]
        optional = set(info["input"].get("optional", {}))
        sockets, widgets, values, named = [], [], [], {}
        for group in ("required", "optional"):
            for name in info.get("input_order", {}).get(group, list(info["input"].get(group, {}))):
                spec = info["input"][group][name]
                entry = {"localized_name": name, "name": name, **({"shape": 7} if name in optional else {})}
                if (name, spec) in widget_inputs(info):
                    kind = "COMBO" if isinstance(spec[0], list) else spec[0]
                    widgets.append(dict(entry, type=kind, widget={"name": name}, link=None))
                    value = node["inputs"][name]
                    values.append(value)
                    named[name] = value
                    if isinstance(spec[1] if len(spec) > 1 else None, dict) and spec[1].get("control_after_generate"):
                        values.append("randomize")
                        named["control_after_generate"] = "randomize"
                    if upload_widget(spec):
                        widgets.append({"localized_name": "upload", "name": "upload", "type": "IMAGEUPLOAD",
                                        "widget": {"name": "upload"}, "link": None})
                        values.append("image")
                        named["upload"] = "image"
                else:
                    link = link_ids.get((node_id, name))
                    if link is not None:
                        source = node["inputs"][name]
                        links.append([link, ids[source[0]], source[1], ids[node_id], len(sockets), spec[0]])
                    sockets.append(dict(entry, type=spec[0], link=link))
        out = [{"localized_name": n, "name": n, "type": t, "links": outputs_links.get((node_id, slot)) or None}
               for slot, (t, n) in enumerate(zip(info["output"], info["output_name"]))]
        size = _size(info, len(sockets))
        x = 100 + 480 * column[node_id]
        y = tops.get(column[node_id], 130)
        tops[column[node_id]] = y + size[1] + 60
        named_files = [v for v in values if isinstance(v, str) and is_model_file(v)]
        properties = {"Node name for S&R": node["class_type"]}
        if named_files:
            properties["models"] = [{"name": f, "url": files[f][1], "directory": files[f][0]} for f in named_files]
        saved = {"id": ids[node_id], "type": node["class_type"], "pos": [x, y], "size": size, "flags": {},
                 "order": position, "mode": 0, "inputs": sockets + widgets, "outputs": out, "properties": properties}
        if values:
            saved["widgets_values"], saved["widgets_values_named"] = values, named
        nodes.append(saved)
    models = []
    for node in nodes:
        models += [m for m in node["properties"].get("models", []) if m not in models]
    note_id = max(ids.values()) + 1
    nodes.append({"id": note_id, "type": NOTE, "pos": [100, -360], "size": [700, 420], "flags": {},
                  "order": len(nodes), "mode": 0, "inputs": [], "outputs": [], "properties": {},
                  "widgets_values": [note_text(example, models)], "title": "What to download",
                  "color": "#432", "bgcolor": "#653"})
    links.sort()
    return {"id": "00000000-0000-0000-0000-000000000000", "revision": 0, "last_node_id": note_id,
            "last_link_id": len(link_ids), "nodes": nodes, "links": links, "groups": [], "config": {},
            "extra": {"ds": {"scale": 0.8, "offset": [200, 420]}, "storycore_title": example.title},
            "version": 0.4, "models": models}


def note_text(example: Example, models: list[dict]) -> str:
    downloads = "\n".join(f"- [{m['name']}]({m['url']}) into `models/{m['directory']}/`" for m in models)
    hints = "\n\n".join(example.hints + ([_ROUTER_HINT] if example.router else []))
    return (f"## {example.title}\n\n{example.what}\n\nDownload these files (the official releases, as ComfyUI's own "
            f"templates use them) into ComfyUI's model folders, then press **R** (refresh) so the loaders list "
            f"them:\n\n{downloads}\n\n{hints}\n\nThe same graph for programs (API format): "
            f"`example_workflows/api/{example.name}.json`. The README's *Models* section lists every family's files.")


def live_object_info(comfyui: Path) -> dict:
    from comfyui_server import ComfyUIServer
    with tempfile.TemporaryDirectory() as work:
        server = ComfyUIServer(comfyui, HERE.parent, Path(work))
        server.start()
        try:
            return server.get("/object_info")
        finally:
            server.stop()


def build(object_info: dict) -> list[Path]:
    files, written = releases(), []
    API_EXAMPLES.mkdir(parents=True, exist_ok=True)
    for example in EXAMPLES_DATA:
        prompt = api_prompt(example, object_info)
        for node in prompt.values():
            for value in node["inputs"].values():
                if isinstance(value, str) and is_model_file(value) and value not in files:
                    raise SystemExit(f"{example.name}: no official release known for {value}")
        (API_EXAMPLES / f"{example.name}.json").write_text(json.dumps(prompt, indent=2, ensure_ascii=False) + "\n")
        workflow = editor_workflow(example, prompt, object_info, files)
        path = EXAMPLES / f"{example.name}.json"
        path.write_text(json.dumps(workflow, indent=2, ensure_ascii=False) + "\n")
        written.append(path)
    return written


def main() -> None:
    from comfyui_location import find_comfyui, skip_reason
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comfyui", type=Path, help="a ComfyUI checkout (default: COMFYUI_PATH or ~/ComfyUI)")
    args = parser.parse_args()
    comfyui = args.comfyui or find_comfyui()
    if comfyui is None:
        sys.exit(skip_reason())
    for path in build(live_object_info(comfyui.resolve())):
        print(path.relative_to(HERE.parent))
    import example_thumbnails
    example_thumbnails.main()


if __name__ == "__main__":
    main()
