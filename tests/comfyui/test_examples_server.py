"""Every example workflow against a real ComfyUI server that has the files its metadata names (at their official
names, in the folders the metadata gives): ComfyUI lists it under the pack's folder name with its thumbnail, and
every node type, widget value and link is one the live /object_info accepts (so opening it shows no errors)."""
import copy
import json
import urllib.parse

import pytest

from comfyui_server import PACK_FOLDER_NAME, ComfyUIServer
from conftest import COMFYUI, REPO_ROOT
from example_checks import example_paths, graph_problems, load
from tiny_models import write_sparse_checkpoint

EXAMPLES = example_paths()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = ComfyUIServer(COMFYUI, REPO_ROOT, tmp_path_factory.mktemp("examples_server"))
    server.prepare()
    for path in EXAMPLES:
        for entry in load(path)["models"]:
            folder = server.models_dir / entry["directory"]
            folder.mkdir(parents=True, exist_ok=True)
            if not (folder / entry["name"]).exists():  # a stand-in: the lists only need the name
                write_sparse_checkpoint(folder / entry["name"], {"stand_in.weight": (4, 4)}, "BF16")
    try:
        server.start()
        server.object_info = server.get("/object_info")
        yield server
    finally:
        server.stop()


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_node_value_and_link_is_accepted(server, path):
    assert graph_problems(load(path), server.object_info) == []


def test_the_check_finds_bad_values_and_links(server):
    workflow = load(EXAMPLES[0])
    broken = copy.deepcopy(workflow)
    loader = next(n for n in broken["nodes"] if n["type"].startswith("StoryCore") and n.get("widgets_values"))
    loader["widgets_values"][0] = "not_downloaded.safetensors"
    broken["links"][0][5] = "IMAGE"
    problems = graph_problems(broken, server.object_info)
    assert any("not_downloaded.safetensors" in p for p in problems)
    assert any(p.startswith(f"link {broken['links'][0][0]}:") for p in problems)


def test_listed_under_the_pack_folder_with_a_thumbnail(server):
    listed = server.get("/workflow_templates")
    assert sorted(listed[PACK_FOLDER_NAME]) == sorted(p.stem for p in EXAMPLES)
    for path in EXAMPLES:
        base = f"/api/workflow_templates/{urllib.parse.quote(PACK_FOLDER_NAME)}/{path.stem}"
        status, body = server.get_raw(base + ".jpg")  # where the frontend looks (mediaSubtype "jpg")
        assert status == 200 and body == path.with_suffix(".jpg").read_bytes()
        status, body = server.get_raw(base + ".json")
        assert status == 200 and json.loads(body) == load(path)
