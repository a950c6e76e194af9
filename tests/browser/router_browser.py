"""The router's node card, a loader's node card and the StoryCore sidebar panel in the real graph editor (headless
Chromium driving a real ComfyUI server with the pack, the test conditioning pack and tiny models).

    NODE_PATH=/path/to/node_modules python tests/browser/router_browser.py OUT_DIR [--front-end-root DIR]

`run(comfyui, out_dir, front_end_root=None)` is what tests/browser/test_router_browser.py calls. Needs Debian's
chromium (`apt-get install chromium`) and npm's playwright-core (NODE_PATH names the node_modules folder that has
it); ComfyUI from COMFYUI_PATH or ~/ComfyUI. `--front-end-root` serves another frontend build (e.g. the 1.35.x one
ComfyUI 0.8.0 pins: `pip install --target DIR comfyui-frontend-package==1.35.9`, then DIR/comfyui_frontend_package/static).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE.parent / "comfyui")]
import pack_import  # noqa: E402

pack_import.install()
from comfyui_location import find_comfyui, skip_reason  # noqa: E402
from comfyui_server import ComfyUIServer  # noqa: E402
from router_prompts import conditioning_node, loader_node, router_node  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
PACK_MARKERS = ("storycore", "StoryCore")


def browser_skip_reason() -> str | None:
    """Why the browser check cannot run here, or None."""
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium, or set CHROMIUM)"
    if shutil.which("node") is None:
        return "no node executable (apt-get install nodejs)"
    probe = subprocess.run(["node", "-e", "require('playwright-core')"], capture_output=True,
                           env=dict(os.environ), cwd=HERE)
    if probe.returncode != 0:
        return "playwright-core not found: npm install playwright-core in a folder and set NODE_PATH=<it>/node_modules"
    return None


def _comfyui_here() -> tuple[Path | None, str | None]:
    """(the ComfyUI checkout, None), or (None, why the browser check cannot run here)."""
    comfyui = find_comfyui()
    if comfyui is None:
        return None, skip_reason()
    reason = browser_skip_reason()
    return (None, reason) if reason else (comfyui, None)


def shown_in_browser(run, tmp_path_factory, folder: str) -> dict:
    """A browser test module's fixture body: run(comfyui, <tmp>/folder, STORYCORE_FRONT_END_ROOT), with the
    screenshots' folder as "out"; skips the test, saying why, where the browser check cannot run."""
    import pytest
    if os.environ.get("STORYCORE_BROWSER") != "1":
        pytest.skip("browser tests run with STORYCORE_BROWSER=1 (they take a few minutes)")
    comfyui, reason = _comfyui_here()
    if reason:
        pytest.skip(reason)
    out = tmp_path_factory.mktemp(folder)
    result = run(comfyui, out, os.environ.get("STORYCORE_FRONT_END_ROOT"))
    print(f"screenshots: {out}")
    return dict(result, out=out)


def script_main(run, description: str) -> None:
    """`python <script> OUT_DIR [--front-end-root DIR]`: run(comfyui, OUT_DIR, front_end_root) and print its result."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--front-end-root")
    args = parser.parse_args()
    comfyui, reason = _comfyui_here()
    if reason:
        sys.exit(reason)
    result = run(comfyui, args.out_dir.resolve(), args.front_end_root)
    result.pop("server_log", None)
    print(json.dumps(result, indent=1))


def pack_errors(errors: list[dict]) -> list[dict]:
    """Console / page errors that come from the pack (its files, routes or names)."""
    return [e for e in errors if any(m in e.get("text", "") + e.get("url", "") for m in PACK_MARKERS)]


def browse(comfyui: Path, script: str, prepare, front_end_root: str | None = None, timeout: float = 1500) -> dict:
    """A real ComfyUI server with the pack on a temporary folder, `node <script> URL *prepare(server, work)` against
    it, the server stopped; returns the script's last output line (JSON) with the server's log as server_log."""
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        server = ComfyUIServer(comfyui, HERE.parents[1], work)
        if front_end_root:
            server.extra_args = ["--front-end-root", front_end_root]
        server.prepare()
        arguments = [str(a) for a in prepare(server, work)]
        settings = work / "user" / "default" / "comfy.settings.json"
        settings.parent.mkdir(parents=True, exist_ok=True)
        settings.write_text(json.dumps({"Comfy.TutorialCompleted": True}))
        server.start()
        try:
            shown = subprocess.run(["node", str(HERE / script), server.base_url, *arguments], capture_output=True,
                                   text=True, timeout=timeout, cwd=HERE)
        finally:
            server.stop()
            log = server.log_text()
    if shown.returncode != 0:
        raise RuntimeError(f"browser script failed:\n{shown.stderr[-3000:]}\nserver log:\n{log[-3000:]}")
    return dict(json.loads(shown.stdout.strip().splitlines()[-1]), server_log=log)


def run(comfyui: Path, out_dir: Path, front_end_root: str | None = None) -> dict:
    out_dir.mkdir(parents=True, exist_ok=True)

    def prepare(server, work):
        prompt = {"loader": loader_node("wan21_t2v", "fp8_e4m3fn", server.models_dir, work / "tiny"),
                  "cond": conditioning_node("wan"),
                  "router": router_node(["loader"], "cond", width=64, height=48, frames=5)}
        (work / "prompt.json").write_text(json.dumps(prompt))
        return [work / "prompt.json", out_dir]
    return browse(comfyui, "router_panel.mjs", prepare, front_end_root, timeout=900)


if __name__ == "__main__":
    script_main(run, __doc__.splitlines()[0])
