"""Every example workflow gives a newcomer what they need: download metadata for every model file it names (the
official release files of the family, as its declarations list them), a note saying what to download and where,
a small thumbnail where ComfyUI's template browser looks for it (<name>.jpg next to the workflow), and an
API-format twin for programs (example_workflows/api/<name>.json) naming the same files; the router's examples
cover every capability the router serves."""

import pytest

from example_checks import (API_EXAMPLES, SERVED_NOW, api_example_paths, example_paths, is_model_file, load,
                            metadata_problems, model_files, note_problems)
from model_loaders.families import FAMILIES

EXAMPLES = example_paths()

RELEASES = {r.name: r for module in FAMILIES.values() for files in module.RELEASES.values() for r in files}


def test_there_are_examples():
    assert EXAMPLES


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_model_file_has_download_metadata(path):
    workflow = load(path)
    assert model_files(workflow), "an example names the model files it uses"
    assert metadata_problems(workflow) == []


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_the_metadata_is_the_official_release(path):
    for entry in load(path)["models"]:
        release = RELEASES.get(entry["name"])
        if release is not None:
            assert (entry["url"], entry["directory"]) == (release.url, release.folder), entry["name"]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_a_note_says_what_to_download_and_where(path):
    assert note_problems(load(path)) == []


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_each_example_has_a_small_jpeg_thumbnail(path):
    thumbnail = path.with_suffix(".jpg")  # the frontend asks for <name>.jpg (mediaSubtype "jpg" for custom nodes)
    data = thumbnail.read_bytes()
    assert data[:3] == b"\xff\xd8\xff" and len(data) < 100_000


def test_every_example_has_an_api_twin_and_back():
    assert [p.name for p in api_example_paths()] == [p.name for p in EXAMPLES]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_the_api_twin_names_the_same_model_files(path):
    api = load(API_EXAMPLES / path.name)
    named = {v for node in api.values() for v in node["inputs"].values() if isinstance(v, str) and is_model_file(v)}
    assert named == {name for _, name in model_files(load(path))}


def test_a_router_example_per_served_capability():
    capabilities = {node["inputs"]["capability"] for p in api_example_paths() for node in load(p).values()
                    if node["class_type"] == "StoryCoreAdvancedRouter"}
    assert capabilities >= set(SERVED_NOW)
    for capability in capabilities:
        assert (API_EXAMPLES / f"storycore_router_{capability}.json").is_file(), capability


def test_the_checks_find_what_is_missing():
    workflow = load(EXAMPLES[0])
    node, name = model_files(workflow)[0]
    node["properties"]["models"] = [m for m in node["properties"]["models"] if m["name"] != name]
    assert any(name in p for p in metadata_problems(workflow))
    workflow["nodes"] = [n for n in workflow["nodes"] if n["type"] not in ("Note", "MarkdownNote")]
    assert note_problems(workflow) == ["no Note / MarkdownNote node says what to download"]
