"""The whole product in a minute, on any machine with a ComfyUI checkout (CPU is enough):

    python tests/demo.py --comfyui PATH [--out FOLDER] [--only CAPABILITY ...]

Writes tiny random-weight models of every family into FOLDER (default ./storycore_demo; nothing is downloaded),
starts ComfyUI with the pack (and the test conditioning pack: real text encoders cannot be made tiny) on a free
loopback port and, like an external program, posts one prompt per capability the router serves: each API-format
example example_workflows/api/storycore_router_<case>.json as it is (CASES), its official file names standing for the
tiny models, with test conditioning wired to the router and small settings. It polls /history, reads each output
through /view, prints where the outputs and reports are, and stops the server. Run it with the Python that runs
that ComfyUI.
"""
import argparse
import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE / "comfyui")]
import pack_import  # noqa: E402

pack_import.install()
from comfyui_server import ComfyUIServer, execution_error  # noqa: E402
from example_checks import API_EXAMPLES, is_model_file, load  # noqa: E402
from router_prompts import conditioning_node, start_image_node  # noqa: E402

# example (example_workflows/api/storycore_router_<name>.json) -> the conditioning shapes of its family
# (router_prompts.CONDITIONING) and router settings of its own. One line each.
CASES = {
    "text_to_video": ("wan", {}),
    "image_to_video": ("wan", {}),
    "text_to_image": ("qwen_image", {}),
    "anime_generation": ("newbie", {}),
    "image_editing": ("qwen_image", {}),
    "image_relighting": ("qwen_image", {}),
    "layered_generation": ("qwen_image", {}),
    "video_inpainting": ("wan", {}),
    "alpha_video": ("wan", {}),
    # The SR template's own steps (the 8-step schedule split at 4); the image SR output is the input x 2.
    "super_resolution": ("hunyuan_video_15", dict(width=96, height=96, steps=0, cfg=0.0)),
    "super_resolution_image": ("qwen_image", dict(width=0, height=0)),
}
# Small sizes for tiny models (frames are ignored for images).
TINY_SETTINGS = dict(width=64, height=64, frames=5, steps=2, cfg=2.0)
PRECISION = "fp8_e4m3fn"  # the tiny fixtures' storage precision


def example_prompt(case: str) -> dict:
    return load(API_EXAMPLES / f"storycore_router_{case}.json")


def case_settings(case: str) -> dict:
    """The router settings the demo gives the example `case`."""
    return dict(TINY_SETTINGS, **CASES[case][1])


def official_files() -> dict:
    """Official file name -> (family, declared variant, models folder)."""
    from model_loaders.families import FAMILIES
    return {r.name: (family, variant, r.folder) for family, module in FAMILIES.items()
            for variant, files in module.RELEASES.items() for r in files}


def _relight_lora(tiny_dir: Path) -> Path:
    """A Qwen-Image LoRA of the real key layout (rank 4), named like the Relight LoRA."""
    from component_headers import linear_modules, lora_shapes
    from model_loaders.families.qwen_image.keys import qwen_image_tensor_shapes
    from tiny_models import write_sparse_checkpoint
    path = tiny_dir / "Qwen-Image-Edit-2509-Relight_tiny.safetensors"
    if not path.exists():
        write_sparse_checkpoint(path, lora_shapes(linear_modules(qwen_image_tensor_shapes(1), "transformer_blocks.")))
    return path


def _tiny(module: str, writer: str, *args):
    """writer(tiny_dir) of tests/tiny_models/<module>.py, imported when it runs."""
    def write(tiny_dir: Path) -> Path:
        import importlib
        return getattr(importlib.import_module(f"tiny_models.{module}" if module else "tiny_models"), writer)(
            *args, tiny_dir)
    return write


# Official files with a tiny fixture of their own (LoRAs, companions): name -> (folder, writer(tiny_dir) -> path).
TINY_FILES = {
    "Qwen-Image-Edit-2509-Relight.safetensors": ("loras", _relight_lora),
    "wan_alpha_2.1_rgba_lora.safetensors": ("loras", _tiny("wan_alpha", "write_alpha_lora")),
    "wan_alpha_2.1_vae_rgb_channel.safetensors": ("vae", _tiny("wan_alpha", "write_rgb_vae")),
    "wan_alpha_2.1_vae_alpha_channel.safetensors": ("vae", _tiny("wan_alpha", "write_alpha_vae")),
    "hunyuanvideo1.5_1080p_sr_distilled_fp16.safetensors": (
        "diffusion_models", _tiny("", "write_checkpoint", "hunyuan_video_15_sr", PRECISION)),
    "hunyuanvideo15_latent_upsampler_1080p.safetensors": (
        "latent_upscale_models", _tiny("upscale_models", "write_latent_upsampler")),
    "RealESRGAN_x4plus.safetensors": ("upscale_models", _tiny("upscale_models", "write_esrgan")),
}


def stand_in_tiny_models(server, loader: dict) -> None:
    """Make every official file a loader node names resolve to a tiny model of the same kind, linked under the
    official name: its own tiny fixture (TINY_FILES) or the tiny file the loader's variant takes on that input."""
    from loader_files import variant_loader_inputs
    from tiny_models import VARIANTS
    releases = official_files()
    variant = releases[loader["inputs"]["model_name"]][1]
    fixture = next(v for v, spec in VARIANTS.items() if spec.expected_variant == variant)
    tiny_dir = server.workdir / "tiny_models"
    tiny = variant_loader_inputs(fixture, PRECISION, server.models_dir, tiny_dir)
    for name, official in loader["inputs"].items():
        if not (isinstance(official, str) and is_model_file(official)) or official == tiny.get(name):
            continue
        if official in TINY_FILES:
            folder, write = TINY_FILES[official]
            folder, source = server.models_dir / folder, write(tiny_dir)
        else:
            folder = server.models_dir / releases[official][2]
            source = folder / tiny[name]
        target = folder / official
        if not (target.exists() or target.is_symlink()):
            folder.mkdir(parents=True, exist_ok=True)
            target.symlink_to(source.resolve())


def place_stand_ins(server, prompt: dict) -> None:
    """Tiny models under the official names the prompt's loaders name, a small image under each name it loads."""
    for node in prompt.values():
        if node["class_type"].startswith("StoryCore") and node["class_type"].endswith("Loader"):
            stand_in_tiny_models(server, node)
        elif node["class_type"] == "LoadImage":
            start_image_node(server, node["inputs"]["image"])


def router_id(prompt: dict) -> str:
    return next(k for k, n in prompt.items() if n["class_type"] == "StoryCoreAdvancedRouter")


def demo_prompt(server, case: str) -> dict:
    """The example's API prompt with tiny stand-ins for its files, test conditioning and small settings."""
    prompt = example_prompt(case)
    place_stand_ins(server, prompt)
    prompt["demo_conditioning"] = conditioning_node(CASES[case][0])
    prompt[router_id(prompt)]["inputs"].update(
        case_settings(case), positive=["demo_conditioning", 0], negative=["demo_conditioning", 1],
        seed=random.randrange(1 << 32), filename_prefix=f"storycore_demo_{case}")
    return prompt


def run_demo(comfyui: Path, out: Path, cases=tuple(CASES)) -> dict:
    """Runs the demo; returns {case: {"workflow", "files": [paths], "report": path}}."""
    out.mkdir(parents=True, exist_ok=True)
    server = ComfyUIServer(comfyui, HERE.parent, out)
    server.prepare()
    results = {}
    server.start()
    try:
        for case in cases:
            prompt = demo_prompt(server, case)
            entry = server.run(prompt, timeout=600)
            if entry["status"]["status_str"] != "success":
                raise RuntimeError(f"{case} failed: {json.dumps(execution_error(entry))[:2000]}")
            ui = entry["outputs"][router_id(prompt)]
            report_path = out / "reports" / f"{case}.json"
            report_path.parent.mkdir(exist_ok=True)
            report_path.write_text(ui["text"][0])
            files = []
            for f in ui["images"]:
                status, body = server.get_raw(f"/view?filename={f['filename']}&subfolder={f['subfolder']}"
                                              f"&type={f['type']}")
                if status != 200:
                    raise RuntimeError(f"/view {f['filename']}: HTTP {status}")
                files.append(out / "output" / f["subfolder"] / f["filename"])
            results[case] = {"workflow": json.loads(ui["text"][0])["workflow"], "files": files,
                                   "report": report_path}
            print(f"{case}: {results[case]['workflow']}\n  output: "
                  + ", ".join(map(str, files)) + f"\n  report: {report_path}", flush=True)
    finally:
        server.stop()
    print(f"server log: {server.log_path}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comfyui", type=Path, required=True, help="a ComfyUI checkout (the folder with main.py)")
    parser.add_argument("--out", type=Path, default=Path("storycore_demo"), help="the demo's own folder")
    parser.add_argument("--only", nargs="+", choices=list(CASES), default=list(CASES), metavar="CASE",
                        help=f"run only these examples (default: all of {', '.join(CASES)})")
    args = parser.parse_args()
    if not (args.comfyui / "main.py").is_file():
        sys.exit(f"{args.comfyui} has no main.py: give the path of a ComfyUI checkout")
    run_demo(args.comfyui.resolve(), args.out.resolve(), tuple(args.only))


if __name__ == "__main__":
    main()
