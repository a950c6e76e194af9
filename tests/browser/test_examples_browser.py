"""Every example workflow in the real graph editor against real ComfyUI with the pack and tiny models standing in
for the official files: opened as Browse Templates opens it, the editor makes exactly its API-format twin's prompt;
each router example, queued (test conditioning wired to the router, small settings), shows its report on the
router's card with the workflow its loader names; the sidebar panel lists every workflow that ran and its history;
no console error from the pack. Screenshots (one per example, and the panel) are kept in the test's folder (printed).

Out of the default run (a few minutes): set STORYCORE_BROWSER=1 (see test_router_browser.py)."""
import pytest

from demo import official_files
from example_checks import API_EXAMPLES, api_example_paths, load, strip_meta
from examples_browser import cases, run
from router_browser import pack_errors, shown_in_browser

CASES = cases()
ROUTER_CASES = [c for c in CASES if c["router"]]


@pytest.fixture(scope="module")
def shown(tmp_path_factory):
    return shown_in_browser(run, tmp_path_factory, "examples_screenshots")


def test_every_example_opens_as_the_prompt_of_its_api_twin(shown):
    assert set(shown["examples"]) == {p.stem for p in api_example_paths()}
    differ = {}
    for name, example in shown["examples"].items():
        made, saved = strip_meta(example["prompt"]), strip_meta(load(API_EXAMPLES / f"{name}.json"))
        if made != saved:
            differ[name] = {node: {k: (made.get(node, {}).get("inputs", {}).get(k), v)
                                   for k, v in saved[node]["inputs"].items()
                                   if made.get(node, {}).get("inputs", {}).get(k) != v}
                            for node in saved if made.get(node) != saved[node]}
    assert differ == {}  # example -> node -> input -> (what the editor made, the API file's)


@pytest.mark.parametrize("case", ROUTER_CASES, ids=[c["name"] for c in ROUTER_CASES])
def test_each_router_example_runs_and_its_card_shows_the_report(shown, case):
    example = shown["examples"][case["name"]]
    assert example["ran"], f"no report on the router's card:\n{shown['server_log'][-3000:]}"
    rows = dict(example["rows"])
    loader = next(n for n in load(API_EXAMPLES / f"{case['name']}.json").values()
                  if n["class_type"].endswith("Loader"))
    variant = official_files()[loader["inputs"]["model_name"]][1]
    assert rows["Workflow"].endswith(f"({variant})")
    assert rows["Capability"].startswith(f"{case['capability']} · strategy ")
    width, height = case["settings"]["width"], case["settings"]["height"]
    assert rows["Fallback"] == "none" and rows["Settings"].startswith(f"{width}×{height}" if width and height else "")
    assert rows["Saved"]
    assert (shown["out"] / f"{case['name']}.png").stat().st_size > 10_000


def test_the_sidebar_panel_lists_every_workflow_that_ran(shown):
    panel = shown["panel"]
    assert panel is not None, "the frontend has no registerSidebarTab"
    ran = {dict(shown["examples"][c["name"]]["rows"])["Workflow"] for c in ROUTER_CASES}
    assert {row[0] for row in panel["matrix"]} == ran  # a workflow serving two examples is one row
    assert len(panel["history"]) == len(ROUTER_CASES) and panel["chartPoints"] == len(ROUTER_CASES)
    assert all("success 100 %" in row[0] for row in panel["history"])
    assert (shown["out"] / "examples_sidebar_panel.png").stat().st_size > 10_000


def test_no_console_error_from_the_pack(shown):
    assert pack_errors(shown["errors"]) == []
