"""Every example workflow in the real graph editor (headless Chromium driving a real ComfyUI server with the pack,
the test conditioning pack and tiny models standing in for the official files the examples name): opened as
Browse Templates opens it, the prompt the editor makes of it, and, for router examples, a run with test
conditioning wired to the router and small settings: the router's card and the sidebar panel afterwards.

    NODE_PATH=/path/to/node_modules python tests/browser/examples_browser.py OUT_DIR [--front-end-root DIR]

`run(comfyui, out_dir, front_end_root=None)` is what tests/browser/test_examples_browser.py calls (needs what
router_browser.py needs). Screenshots: OUT_DIR/<example>.png and OUT_DIR/examples_sidebar_panel.png.
"""
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent), str(HERE.parent / "comfyui")]
import pack_import  # noqa: E402

pack_import.install()
from comfyui_server import PACK_FOLDER_NAME  # noqa: E402
from demo import CASES, case_settings, place_stand_ins  # noqa: E402
from example_checks import api_example_paths, load  # noqa: E402
from router_browser import browse, script_main  # noqa: E402
from router_prompts import CONDITIONING  # noqa: E402


def cases() -> list[dict]:
    """One entry per example: router examples with the demo's conditioning and small settings for them."""
    found = []
    for path in api_example_paths():
        prompt = load(path)
        routers = [n for n in prompt.values() if n["class_type"] == "StoryCoreAdvancedRouter"]
        entry = {"name": path.stem, "router": bool(routers)}
        if routers:
            case = path.stem.removeprefix("storycore_router_")
            entry.update(capability=routers[0]["inputs"]["capability"], conditioning=CONDITIONING[CASES[case][0]],
                         settings=case_settings(case))
        found.append(entry)
    return found


def run(comfyui: Path, out_dir: Path, front_end_root: str | None = None) -> dict:
    out_dir.mkdir(parents=True, exist_ok=True)

    def prepare(server, work):
        for path in api_example_paths():
            place_stand_ins(server, load(path))
        (work / "cases.json").write_text(json.dumps(cases()))
        return [PACK_FOLDER_NAME, work / "cases.json", out_dir]
    return browse(comfyui, "examples_browser.mjs", prepare, front_end_root)


if __name__ == "__main__":
    script_main(run, __doc__.splitlines()[0])
