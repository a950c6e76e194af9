"""The whole product in a minute, on any machine with a ComfyUI checkout (CPU is enough):

    python tests/demo.py --comfyui PATH [--out FOLDER]

Writes tiny random-weight models of every family into FOLDER (default ./storycore_demo; nothing is downloaded),
starts ComfyUI with the pack (and the test conditioning pack: real text encoders cannot be made tiny) on a free
loopback port, runs one prompt per capability the router serves through the HTTP API like an external program
(POST /prompt, poll /history, read the files through /view), prints where the outputs and reports are, and stops
the server. Run it with the Python that runs that ComfyUI.
"""
import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE / "comfyui")]
import pack_import  # noqa: E402

pack_import.install()
from comfyui_server import ComfyUIServer, execution_error  # noqa: E402
from router_prompts import conditioning_node, loader_node, router_node, start_image_node  # noqa: E402

# capability -> (fixture variant, conditioning shapes, needs a start image)
CASES = {
    "text_to_video": ("wan21_t2v", "wan", False),
    "image_to_video": ("wan22_ti2v_5b", "wan", True),
    "text_to_image": ("qwen_image", "qwen_image", False),
    "anime_generation": ("newbie", "newbie", False),
}


def demo_prompt(server, capability) -> dict:
    variant, cond, needs_image = CASES[capability]
    prompt = {"loader": loader_node(variant, "fp8_e4m3fn", server.models_dir, server.workdir / "tiny_models"),
              "cond": conditioning_node(cond)}
    extra = {}
    if needs_image:
        prompt["image"] = start_image_node(server)
        extra["image"] = ["image", 0]
    frames = 5 if capability.endswith("video") else 0
    prompt["router"] = router_node(["loader"], "cond", capability=capability, frames=frames,
                                   filename_prefix=f"storycore_demo_{capability}", **extra)
    return prompt


def run_demo(comfyui: Path, out: Path, capabilities=tuple(CASES)) -> dict:
    """Runs the demo; returns {capability: {"workflow", "files": [paths], "report": path}}."""
    out.mkdir(parents=True, exist_ok=True)
    server = ComfyUIServer(comfyui, HERE.parent, out)
    server.prepare()
    results = {}
    server.start()
    try:
        for capability in capabilities:
            entry = server.run(demo_prompt(server, capability), timeout=600)
            if entry["status"]["status_str"] != "success":
                raise RuntimeError(f"{capability} failed: {json.dumps(execution_error(entry))[:2000]}")
            ui = entry["outputs"]["router"]
            report_path = out / "reports" / f"{capability}.json"
            report_path.parent.mkdir(exist_ok=True)
            report_path.write_text(ui["text"][0])
            files = []
            for f in ui["images"]:
                status, body = server.get_raw(f"/view?filename={f['filename']}&subfolder={f['subfolder']}"
                                              f"&type={f['type']}")
                assert status == 200, f"/view {f['filename']}: HTTP {status}"
                files.append(out / "output" / f["subfolder"] / f["filename"])
            results[capability] = {"workflow": json.loads(ui["text"][0])["workflow"], "files": files,
                                   "report": report_path}
            print(f"{capability}: {results[capability]['workflow']}\n  output: "
                  + ", ".join(map(str, files)) + f"\n  report: {report_path}", flush=True)
    finally:
        server.stop()
    print(f"server log: {server.log_path}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comfyui", type=Path, required=True, help="a ComfyUI checkout (the folder with main.py)")
    parser.add_argument("--out", type=Path, default=Path("storycore_demo"), help="the demo's own folder")
    args = parser.parse_args()
    if not (args.comfyui / "main.py").is_file():
        sys.exit(f"{args.comfyui} has no main.py: give the path of a ComfyUI checkout")
    run_demo(args.comfyui.resolve(), args.out.resolve())


if __name__ == "__main__":
    main()
