"""ComfyUI tier: the help page of every node ComfyUI registers for the pack is there, names each of the node's
inputs and outputs, and is served at the URLs the frontend's node-help panel asks for, in its order.

The frontend (NodeHelpService.fetchCustomNodeHelp, comfyui-frontend-package 1.35.9 and 1.49.6) takes the pack
name from the node's python_module ("custom_nodes.<folder>", split on "."), asks for
/extensions/<pack>/docs/<NodeId>/<locale>.md, then /extensions/<pack>/docs/<NodeId>.md, and treats a text/html
answer as missing. ComfyUI serves the pack's WEB_DIRECTORY at /extensions/<folder>/.
"""
import re
from pathlib import Path

import pytest

from comfyui_location import find_comfyui

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCS = REPO_ROOT / "web" / "docs"
# A folder name as `git clone` or ComfyUI-Manager gives it. (A dot in the folder name breaks the frontend's
# split on "." for every pack: it would ask under the name's first part.)
HELP_PACK_FOLDER = "storycore-advanced-workflows"


def help_urls(python_module: str, node_id: str, locale: str) -> list[str]:
    """The URLs the frontend's node-help panel tries for a custom node, in order."""
    parts = python_module.split(".")
    assert len(parts) >= 2 and parts[0] == "custom_nodes", python_module
    pack = parts[1].split("@")[0]
    return [f"/extensions/{pack}/docs/{node_id}/{locale}.md", f"/extensions/{pack}/docs/{node_id}.md"]


def test_the_installed_frontend_asks_for_these_urls():
    """Guards help_urls against a frontend that changed its scheme."""
    frontend = pytest.importorskip("comfyui_frontend_package", reason="the ComfyUI frontend package is not installed")
    assets = Path(frontend.__file__).parent / "static" / "assets"
    bundle = "".join(text for text in (p.read_text(errors="replace") for p in assets.glob("*.js"))
                     if "fetchCustomNodeHelp" in text)
    assert bundle, "no frontend asset defines fetchCustomNodeHelp"
    localized = re.search(r"`/extensions/\$\{(\w+)\}/docs/\$\{\w+\.name\}/\$\{\w+\}\.md`", bundle)
    plain = re.search(r"`/extensions/\$\{(\w+)\}/docs/\$\{\w+\.name\}\.md`", bundle)
    assert localized and plain and localized.start() < plain.start()
    assert 'split(".")' in bundle or "split(`.`)" in bundle


def node_inputs_and_outputs(node_class) -> tuple[list[str], list[str]]:
    """Input ids, and output ids (V3 schema; the frontend shows display names, which may differ)."""
    inputs = node_class.INPUT_TYPES()
    names = [name for section in ("required", "optional") for name in inputs.get(section, {})]
    return names, [output.id for output in node_class.GET_SCHEMA().outputs]


def test_every_registered_node_has_a_page_naming_its_inputs_and_outputs(pack):
    assert pack, "the pack registered no nodes"
    for node_id, node_class in sorted(pack.items()):
        page = DOCS / f"{node_id}.md"
        assert page.is_file(), f"{node_id} is registered but has no help page: write web/docs/{node_id}.md"
        text = page.read_text(encoding="utf-8")
        inputs, outputs = node_inputs_and_outputs(node_class)
        for name in inputs + outputs:
            # By name, or as a numbered family such as `workflow_1` ... `workflow_8` / `lora_1`, `lora_2`.
            family = re.sub(r"_\d+(?=(_|$))", "_1", name)
            assert f"`{name}`" in text or f"`{family}`" in text, f"{page.name} does not describe {name!r}"


@pytest.fixture(scope="module")
def help_server(tmp_path_factory):
    """A real server with the pack under a dot-free folder name."""
    import comfyui_server
    comfyui = find_comfyui()
    if comfyui is None:
        pytest.skip("no ComfyUI")
    session_name = comfyui_server.PACK_FOLDER_NAME
    comfyui_server.PACK_FOLDER_NAME = HELP_PACK_FOLDER  # read by prepare() and start() only
    server = comfyui_server.ComfyUIServer(comfyui, REPO_ROOT, tmp_path_factory.mktemp("help_server"))
    try:
        server.start()
    except BaseException:
        server.stop()
        raise
    finally:
        comfyui_server.PACK_FOLDER_NAME = session_name
    yield server
    server.stop()


@pytest.mark.parametrize("locale", ["en", "zh"])
def test_the_server_answers_the_frontends_help_request_for_every_node(help_server, locale):
    info = help_server.get("/object_info")
    ours = {node_id: node for node_id, node in info.items() if node.get("python_module", "").endswith(HELP_PACK_FOLDER)}
    assert ours, f"no node of the pack listed; server log:\n{help_server.log_tail()}"
    for node_id, node in sorted(ours.items()):
        answered = None
        for url in help_urls(node["python_module"], node_id, locale):
            status, body, content_type = help_server_get(help_server, url)
            if status == 200 and "text/html" not in content_type:
                answered = body
                break
        assert answered is not None, f"{node_id}: the help panel finds no page ({help_urls(node['python_module'], node_id, locale)})"
        assert answered == (DOCS / f"{node_id}.md").read_bytes()
        assert answered.decode().startswith(f"# {node['display_name']}\n"), node_id


def help_server_get(server, route: str) -> tuple[int, bytes, str]:
    import urllib.error
    import urllib.request
    try:
        with urllib.request.urlopen(server.base_url + route, timeout=30) as response:
            return response.status, response.read(), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers.get("Content-Type", "")
