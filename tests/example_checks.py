"""Checks of an example workflow (graph-editor format) against what a newcomer needs and against a live
/object_info: every model file it names has download metadata, a note says what to download and where, a thumbnail
is there, and every node, widget value and link is one the server accepts. Each check returns the problems found."""
import json
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "example_workflows"
# Frontend-only node types (no /object_info entry).
FRONTEND_NODES = {"Note", "MarkdownNote", "Reroute", "PrimitiveNode"}
CONTROL_AFTER_GENERATE = ("fixed", "increment", "decrement", "randomize")
WIDGET_TYPES = {"INT", "FLOAT", "STRING", "BOOLEAN", "COMBO"}
MODEL_SUFFIXES = (".safetensors", ".ckpt", ".pt", ".pth", ".bin", ".gguf", ".sft")


def example_paths() -> list[Path]:
    return sorted(EXAMPLES.glob("*.json"))


def load(path: Path) -> dict:
    return json.loads(path.read_text())


def model_files(workflow: dict) -> list[tuple[dict, str]]:
    """(node, file name) for every widget value that names a model file."""
    return [(node, value) for node in workflow["nodes"] for value in node.get("widgets_values") or []
            if isinstance(value, str) and value.lower().endswith(MODEL_SUFFIXES)]


def metadata_problems(workflow: dict) -> list[str]:
    """Each model file a node names has {name, url, directory} in that node's properties.models and in the
    workflow's models (what the frontend's Missing Models list offers to download)."""
    problems = []
    top = {m["name"]: m for m in workflow.get("models", [])}
    for node, name in model_files(workflow):
        entry = next((m for m in node.get("properties", {}).get("models", []) if m.get("name") == name), None)
        if not entry or not entry.get("url", "").startswith("https://") or not entry.get("directory"):
            problems.append(f"node {node['id']} ({node['type']}): {name} has no url/directory in properties.models")
        elif top.get(name) != entry:
            problems.append(f"{name}: the workflow's top-level models entry differs from node {node['id']}'s")
    return problems


def note_problems(workflow: dict) -> list[str]:
    """A note node names every model file the workflow needs and the folder it goes in."""
    notes = " ".join(str(v) for n in workflow["nodes"] if n["type"] in ("Note", "MarkdownNote")
                     for v in n.get("widgets_values") or [])
    if not notes:
        return ["no Note / MarkdownNote node says what to download"]
    return [f"the note does not say where {m['name']} goes (models/{m['directory']})"
            for m in workflow.get("models", []) if m["name"] not in notes or f"models/{m['directory']}" not in notes]


def _spec(info: dict, name: str):
    inputs = info["input"]
    return inputs.get("required", {}).get(name) or inputs.get("optional", {}).get(name)


def _widget_names(info: dict) -> list[str]:
    names = []
    for group in ("required", "optional"):
        for name in info.get("input_order", {}).get(group, list(info["input"].get(group, {}))):
            spec = info["input"][group][name]
            kind = spec[0]
            options = spec[1] if len(spec) > 1 and isinstance(spec[1], dict) else {}
            if (isinstance(kind, list) or kind in WIDGET_TYPES) and not options.get("forceInput"):
                names.append(name)
    return names


def _value_problem(spec, value) -> str | None:
    kind = spec[0]
    options = spec[1] if len(spec) > 1 and isinstance(spec[1], dict) else {}
    if isinstance(kind, list) or kind == "COMBO":
        choices = kind if isinstance(kind, list) else options.get("options", [])
        return None if value in choices else f"{value!r} is not among the {len(choices)} choices"
    if kind in ("INT", "FLOAT"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"{value!r} is not a number"
        if value < options.get("min", value) or value > options.get("max", value):
            return f"{value!r} is outside {options.get('min')}..{options.get('max')}"
    if kind == "BOOLEAN" and not isinstance(value, bool):
        return f"{value!r} is not a boolean"
    if kind == "STRING" and not isinstance(value, str):
        return f"{value!r} is not a string"
    return None


def graph_problems(workflow: dict, object_info: dict) -> list[str]:
    """Node types exist, widget values are accepted by the live schema, links join outputs and inputs of one
    type that the schema declares."""
    problems = []
    nodes = {n["id"]: n for n in workflow["nodes"]}
    for node in nodes.values():
        if node["type"] in FRONTEND_NODES:
            continue
        info = object_info.get(node["type"])
        if info is None:
            problems.append(f"node {node['id']}: type {node['type']} is not registered")
            continue
        values = list(node.get("widgets_values") or [])
        for name in _widget_names(info):
            if not values:
                problems.append(f"node {node['id']} ({node['type']}): no value for {name}")
                break
            spec, value = _spec(info, name), values.pop(0)
            problem = _value_problem(spec, value)
            if problem:
                problems.append(f"node {node['id']} ({node['type']}) {name}: {problem}")
            if len(spec) > 1 and isinstance(spec[1], dict) and spec[1].get("control_after_generate"):
                if not values or values.pop(0) not in CONTROL_AFTER_GENERATE:
                    problems.append(f"node {node['id']} ({node['type']}) {name}: no control_after_generate value")
        if values:
            problems.append(f"node {node['id']} ({node['type']}): {len(values)} widget values too many")
    for link_id, source, out_slot, target, in_slot, kind in workflow["links"]:
        src, dst = nodes.get(source), nodes.get(target)
        if src is None or dst is None:
            problems.append(f"link {link_id}: joins a node that does not exist")
            continue
        out, inp = src["outputs"][out_slot], dst["inputs"][in_slot]
        if link_id not in out.get("links", []) or inp.get("link") != link_id:
            problems.append(f"link {link_id}: not recorded on both of its ends")
        if not out["type"] == inp["type"] == kind:
            problems.append(f"link {link_id}: types {out['type']} -> {inp['type']} (link says {kind})")
        src_info, dst_info = object_info.get(src["type"]), object_info.get(dst["type"])
        if src_info and src_info["output"][out_slot] != kind:
            problems.append(f"link {link_id}: {src['type']} output {out_slot} is {src_info['output'][out_slot]}")
        if dst_info:
            spec = _spec(dst_info, inp["name"])
            if spec is None or spec[0] not in (kind, "*"):
                problems.append(f"link {link_id}: {dst['type']} has no {kind} input {inp['name']}")
    return problems
