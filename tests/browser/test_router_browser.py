"""The graph editor in headless Chromium against real ComfyUI with the pack and tiny models: a loader + router
prompt loaded into the graph and queued; the router's card (workflow, strategy, predicted vs actual time and memory,
fallback), the loader's card and the sidebar panel (matrix, history, chart; refreshed by itself after a prompt)
rendered; no console error from the pack. Screenshots are kept in the test's folder (printed).

Out of the default run (a minute or two): set STORYCORE_BROWSER=1. STORYCORE_FRONT_END_ROOT serves another frontend
build (e.g. 1.35.9, the one ComfyUI 0.8.0 pins). Skipped with the reason when Chromium, playwright-core or ComfyUI
is missing."""
import pytest

from router_browser import pack_errors, run, shown_in_browser


@pytest.fixture(scope="module")
def shown(tmp_path_factory):
    return shown_in_browser(run, tmp_path_factory, "browser_screenshots")


def test_router_card_shows_the_decision_against_what_happened(shown):
    assert shown["ran"] == [True, True]
    rows = dict(shown["router"])
    assert rows["Workflow"].endswith("(wan21_t2v)")
    assert rows["Capability"].startswith("text_to_video · strategy ")
    assert "predicted" in rows["Time"] and "actual" in rows["Time"]
    assert "predicted" in rows["Memory"] and "peak" in rows["Memory"]
    assert rows["Fallback"] == "none" and rows["Settings"].startswith("64×48×5, 2 steps")


def test_loader_card_shows_family_variant_precision_and_size(shown):
    rows = dict(shown["loader"])
    assert rows["Family"] == "wan" and "wan21_t2v" in rows["Variant"]
    assert rows["Precision"].startswith("auto · stored fp8_e4m3fn")
    assert "MiB diffusion model" in rows["Size"] and "text_to_video" in rows["Serves"]


def test_sidebar_panel_fills_and_refreshes_after_a_prompt(shown):
    assert shown["sidebarApi"], "the frontend has no registerSidebarTab"
    panel = shown["panel"]
    assert panel["health"].startswith("Healthok")
    assert panel["matrix"][0][0].endswith("(wan21_t2v)")
    assert "3 run(s)" in panel["history"][0][0] and "success 100 %" in panel["history"][0][0]
    assert panel["chartPoints"] == 3 and panel["thirdRun"]
    assert all((shown["out"] / f"{name}.png").stat().st_size > 10_000
               for name in ("router_node", "loader_node", "sidebar_panel"))


def test_no_console_error_from_the_pack(shown):
    assert pack_errors(shown["errors"]) == []
