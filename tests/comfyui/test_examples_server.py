"""Every example workflow, editor and API format, against a real ComfyUI server that has the files its metadata
names (stand-ins at their official names, in the folders the metadata gives) and the input image it loads: ComfyUI
lists the editor examples under the pack's folder name with their thumbnails; every node type, widget/input value
and link is one the live /object_info accepts (so opening one shows no errors and a program's POST validates); and
each API example is the prompt its editor twin queues."""
import copy
import json
import urllib.parse

import pytest

from comfyui_server import PACK_FOLDER_NAME, ComfyUIServer
from conftest import COMFYUI, REPO_ROOT
from example_checks import (API_EXAMPLES, api_example_paths, api_problems, editor_to_api, example_paths,
                            graph_problems, load, strip_meta)
from tiny_models import write_sparse_checkpoint

EXAMPLES = example_paths()
API = api_example_paths()


def input_images(prompt: dict) -> set[str]:
    return {node["inputs"]["image"] for node in prompt.values() if node["class_type"] == "LoadImage"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from PIL import Image
    server = ComfyUIServer(COMFYUI, REPO_ROOT, tmp_path_factory.mktemp("examples_server"))
    server.prepare()
    for path in EXAMPLES:
        for entry in load(path)["models"]:
            folder = server.models_dir / entry["directory"]
            folder.mkdir(parents=True, exist_ok=True)
            if not (folder / entry["name"]).exists():  # a stand-in: the lists only need the name
                write_sparse_checkpoint(folder / entry["name"], {"stand_in.weight": (4, 4)}, "BF16")
    for name in set().union(*(input_images(load(p)) for p in API)):
        Image.new("RGB", (64, 64), "gray").save(server.workdir / "input" / name)
    try:
        server.start()
        server.object_info = server.get("/object_info")
        yield server
    finally:
        server.stop()


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_node_value_and_link_is_accepted(server, path):
    assert graph_problems(load(path), server.object_info) == []


@pytest.mark.parametrize("path", API, ids=lambda p: p.name)
def test_every_api_node_input_and_link_is_accepted(server, path):
    assert api_problems(load(path), server.object_info) == []


@pytest.mark.parametrize("path", API, ids=lambda p: p.name)
def test_the_api_example_is_what_its_editor_twin_queues(server, path):
    editor = load(path.parent.parent / path.name)
    assert editor_to_api(editor, server.object_info) == strip_meta(load(path))


def test_the_check_finds_bad_values_and_links(server):
    workflow = load(EXAMPLES[0])
    broken = copy.deepcopy(workflow)
    loader = next(n for n in broken["nodes"] if n["type"].startswith("StoryCore") and n.get("widgets_values"))
    loader["widgets_values"][0] = "not_downloaded.safetensors"
    broken["links"][0][5] = "IMAGE"
    problems = graph_problems(broken, server.object_info)
    assert any("not_downloaded.safetensors" in p for p in problems)
    assert any(p.startswith(f"link {broken['links'][0][0]}:") for p in problems)
    assert any("widgets_values_named differs" in p for p in problems)  # the name-keyed copy kept the old value


def test_the_api_check_finds_bad_values_links_and_missing_inputs(server):
    prompt = load(API_EXAMPLES / "storycore_router_image_editing.json")
    router = next(k for k, n in prompt.items() if n["class_type"] == "StoryCoreAdvancedRouter")
    loader = prompt[router]["inputs"]["workflow_1"][0]
    prompt[loader]["inputs"]["vae"] = "not_downloaded.safetensors"
    prompt[router]["inputs"]["image"] = [loader, 0]  # a STORYCORE_WORKFLOW into an IMAGE input
    del prompt[router]["inputs"]["capability"]
    problems = api_problems(prompt, server.object_info)
    assert any("vae: 'not_downloaded.safetensors'" in p for p in problems)
    assert any("image: expects IMAGE, linked to a STORYCORE_WORKFLOW output" in p for p in problems)
    assert any("no value for capability" in p for p in problems)


def test_listed_under_the_pack_folder_with_a_thumbnail(server):
    listed = server.get("/workflow_templates")
    assert sorted(listed[PACK_FOLDER_NAME]) == sorted(p.stem for p in EXAMPLES)  # api/ is not a template
    for path in EXAMPLES:
        base = f"/api/workflow_templates/{urllib.parse.quote(PACK_FOLDER_NAME)}/{path.stem}"
        status, body = server.get_raw(base + ".jpg")  # where the frontend looks (mediaSubtype "jpg")
        assert status == 200 and body == path.with_suffix(".jpg").read_bytes()
        status, body = server.get_raw(base + ".json")
        assert status == 200 and json.loads(body) == load(path)
