"""Run by hand: a real ComfyUI server (pack folder ComfyUI-StoryCore, a Wan model and VAE but no text encoder),
the graph editor in headless Chromium, and four screenshots: a Wan Loader's node errors with the text_encoders
folder empty, Browse Templates with the pack's example and thumbnail, the example opened without its models (the
errors panel's Missing Models list), and the example opened once stand-ins with the official names are in place.

    NODE_PATH=/path/to/node_modules python tests/browser/loader_and_example_screenshots.py [OUT_PREFIX]

Needs Debian's chromium and npm's playwright-core (see inspector_screenshot.py). Prints what each step showed.
"""
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE.parent / "comfyui")]
import comfyui_server  # noqa: E402
from comfyui_location import find_comfyui, skip_reason  # noqa: E402
from loader_files import TINY_VAE_NAME, link_into, place_model  # noqa: E402
from example_checks import EXAMPLES, load  # noqa: E402
from tiny_models import write_sparse_checkpoint, write_wan21_vae  # noqa: E402

PACK_FOLDER = "ComfyUI-StoryCore"  # the README's recommended clone folder
EXAMPLE = "storycore_wan_t2v"


def main() -> None:
    prefix = Path(sys.argv[1] if len(sys.argv) > 1 else "storycore").resolve()
    comfyui = find_comfyui()
    if comfyui is None:
        sys.exit(skip_reason())
    comfyui_server.PACK_FOLDER_NAME = PACK_FOLDER
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        server = comfyui_server.ComfyUIServer(comfyui, HERE.parents[1], work)
        server.prepare()
        place_model(server.models_dir, work / "tiny", "wan21_t2v", "bf16")
        link_into(server.model_folder("vae"), write_wan21_vae(work / "tiny"), TINY_VAE_NAME)
        settings = work / "user" / "default" / "comfy.settings.json"
        settings.parent.mkdir(parents=True, exist_ok=True)
        settings.write_text(json.dumps({"Comfy.TutorialCompleted": True}))
        server.start()
        try:
            browse(server, prefix, "missing")
            for entry in load(EXAMPLES / f"{EXAMPLE}.json")["models"]:  # stand-ins: the lists only need the names
                write_sparse_checkpoint(server.model_folder(entry["directory"]) / entry["name"],
                                        {"stand_in.weight": (4, 4)}, "BF16")
            browse(server, prefix, "present")
        finally:
            server.stop()
    print(f"screenshots: {prefix}_loader_errors.png, {prefix}_templates.png, {prefix}_example_missing.png, "
          f"{prefix}_example_present.png")


def browse(server, prefix: Path, mode: str) -> None:
    shown = subprocess.run(["node", str(HERE / "loader_and_example_screenshots.mjs"), server.base_url, PACK_FOLDER,
                            EXAMPLE, str(prefix), mode], capture_output=True, text=True, timeout=600)
    if shown.returncode != 0:
        sys.exit(f"browser script failed:\n{shown.stderr[-3000:]}")
    print(mode, json.dumps(json.loads(shown.stdout.strip().splitlines()[-1]), indent=2))


if __name__ == "__main__":
    main()
