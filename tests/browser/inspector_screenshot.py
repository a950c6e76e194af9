"""Run by hand: a real ComfyUI server, the graph editor in headless Chromium, a Checkpoint Inspector run, and a
screenshot of the node showing its summary above the JSON report.

    NODE_PATH=/path/to/node_modules python tests/browser/inspector_screenshot.py [OUT.png]

Needs Debian's chromium (`apt-get install chromium`) and npm's playwright-core (NODE_PATH names the
node_modules folder that has it); ComfyUI from COMFYUI_PATH or ~/ComfyUI. Prints what the node shows.
"""
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE.parent / "comfyui")]
from comfyui_location import find_comfyui, skip_reason  # noqa: E402
from comfyui_server import ComfyUIServer  # noqa: E402
from tiny_models import write_checkpoint  # noqa: E402


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "inspector_summary.png").resolve()
    comfyui = find_comfyui()
    if comfyui is None:
        sys.exit(skip_reason())
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        server = ComfyUIServer(comfyui, HERE.parents[1], work)
        server.prepare()
        model = write_checkpoint("wan22_a14b_t2v_high_noise", "fp8_e4m3fn", work / "tiny")
        (server.model_folder("diffusion_models") / model.name).symlink_to(model)
        settings = work / "user" / "default" / "comfy.settings.json"
        settings.parent.mkdir(parents=True, exist_ok=True)
        settings.write_text(json.dumps({"Comfy.TutorialCompleted": True}))
        server.start()
        try:
            shown = subprocess.run(["node", str(HERE / "inspector_screenshot.mjs"), server.base_url, model.name,
                                    str(out)], capture_output=True, text=True, timeout=600)
        finally:
            server.stop()
    if shown.returncode != 0:
        sys.exit(f"browser script failed:\n{shown.stderr[-3000:]}")
    print(shown.stdout.strip())
    print(f"screenshot: {out}")


if __name__ == "__main__":
    main()
