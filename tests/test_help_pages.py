"""Every node the pack defines has a help page where ComfyUI's node-help panel looks for it
(web/docs/<NodeId>.md, served at /extensions/<pack folder>/docs/<NodeId>.md), in the panel's format.

Node ids are read from the sources (no ComfyUI needed here); tests/comfyui/test_help_pages_served.py checks the
nodes ComfyUI really registers, and the pages the server serves."""
import ast
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
DOCS = REPO_ROOT / "web" / "docs"
SECTIONS = ("## Inputs", "## Outputs", "## Example", "## Common errors")


def declared_node_ids() -> set[str]:
    """Ids in `node_id="..."` arguments (io.Schema calls in nodes/, each family's loader declaration in
    model_loaders/families/) and `NODE_ID = "..."` class attributes."""
    ids = set()
    sources = [*(REPO_ROOT / "nodes").glob("*.py"), *(REPO_ROOT / "model_loaders" / "families").rglob("*.py")]
    for source in sources:
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.keyword) and node.arg == "node_id" and isinstance(node.value, ast.Constant):
                ids.add(node.value.value)
            if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
                    and any(isinstance(t, ast.Name) and t.id == "NODE_ID" for t in node.targets) and node.value.value):
                ids.add(node.value.value)
    return ids


def test_the_node_sources_declare_nodes():
    assert {"StoryCoreCheckpointInspector", "StoryCoreWanLoader", "StoryCoreNewBieLoader",
            "StoryCoreWorkflowModels"} <= declared_node_ids()


@pytest.mark.parametrize("node_id", sorted(declared_node_ids()))
def test_every_declared_node_has_a_help_page_in_the_panels_format(node_id):
    page = DOCS / f"{node_id}.md"
    assert page.is_file(), f"no help page for {node_id}: write web/docs/{node_id}.md"
    text = page.read_text(encoding="utf-8")
    assert text.startswith("# StoryCore "), f"{page.name}: the first line is the node's display name as a title"
    positions = [text.find(section + "\n") for section in SECTIONS]
    assert -1 not in positions and positions == sorted(positions), f"{page.name}: sections {SECTIONS} in order"
