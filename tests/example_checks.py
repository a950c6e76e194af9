"""Checks of the example workflows against what a newcomer needs and against a live /object_info.

Graph-editor format (example_workflows/*.json): every model file it names has download metadata, a note says what
to download and where, and every node, widget value and link is one the server accepts. API format
(example_workflows/api/*.json, for programs): every node, input and link is one the server accepts, and it is the
prompt its editor twin queues. Each check returns the problems found."""
import json
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "example_workflows"
API_EXAMPLES = EXAMPLES / "api"
# Frontend-only node types (no /object_info entry).
FRONTEND_NODES = {"Note", "MarkdownNote", "Reroute", "PrimitiveNode"}
CONTROL_AFTER_GENERATE = ("fixed", "increment", "decrement", "randomize")
WIDGET_TYPES = {"INT", "FLOAT", "STRING", "BOOLEAN", "COMBO"}
# The router's capabilities that run today: each has an example (and a demo prompt).
SERVED_NOW = ("text_to_video", "image_to_video", "text_to_image", "anime_generation", "image_editing",
              "image_relighting", "layered_generation", "video_inpainting", "alpha_video", "super_resolution")
MODEL_SUFFIXES = (".safetensors", ".ckpt", ".pt", ".pth", ".bin", ".gguf", ".sft")


def example_paths() -> list[Path]:
    return sorted(EXAMPLES.glob("*.json"))


def api_example_paths() -> list[Path]:
    return sorted(API_EXAMPLES.glob("*.json"))


def is_model_file(value: str) -> bool:
    return value.lower().endswith(MODEL_SUFFIXES)


def load(path: Path) -> dict:
    return json.loads(path.read_text())


def model_files(workflow: dict) -> list[tuple[dict, str]]:
    """(node, file name) for every widget value that names a model file."""
    return [(node, value) for node in workflow["nodes"] for value in node.get("widgets_values") or []
            if isinstance(value, str) and is_model_file(value)]


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


def _options(spec) -> dict:
    return spec[1] if len(spec) > 1 and isinstance(spec[1], dict) else {}


def widget_inputs(info: dict) -> list[tuple[str, list]]:
    """(name, spec) of a node's widget inputs in the order the frontend makes its widgets (required, then
    optional, each in input_order)."""
    found = []
    for group in ("required", "optional"):
        for name in info.get("input_order", {}).get(group, list(info["input"].get(group, {}))):
            spec = info["input"][group][name]
            if (isinstance(spec[0], list) or spec[0] in WIDGET_TYPES) and not _options(spec).get("forceInput"):
                found.append((name, spec))
    return found


def upload_widget(spec) -> bool:
    """A combo the frontend follows with an upload button widget (LoadImage's image), saved as one more value."""
    return bool(_options(spec).get("image_upload"))


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
        values, named = widget_values(node, info)
        for name, spec in widget_inputs(info):
            if name not in named:
                problems.append(f"node {node['id']} ({node['type']}): no value for {name}")
                break
            problem = _value_problem(spec, named[name])
            if problem:
                problems.append(f"node {node['id']} ({node['type']}) {name}: {problem}")
            if _options(spec).get("control_after_generate") and named.get("control_after_generate") not in \
                    CONTROL_AFTER_GENERATE:
                problems.append(f"node {node['id']} ({node['type']}) {name}: no control_after_generate value")
        if values:
            problems.append(f"node {node['id']} ({node['type']}): {len(values)} widget values too many")
        saved_named = node.get("widgets_values_named")
        if saved_named is not None and saved_named != named:  # the 1.4x frontend restores these by name
            differ = sorted(k for k in set(saved_named) | set(named) if saved_named.get(k) != named.get(k))
            problems.append(f"node {node['id']} ({node['type']}): widgets_values_named differs from widgets_values "
                            f"in {differ}")
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


def widget_values(node: dict, info: dict) -> tuple[list, dict]:
    """The node's widgets_values by widget name (control_after_generate and upload values under those names), and
    the values left over."""
    values, named = list(node.get("widgets_values") or []), {}
    for name, spec in widget_inputs(info):
        if not values:
            break
        named[name] = values.pop(0)
        if _options(spec).get("control_after_generate") and values:
            named["control_after_generate"] = values.pop(0)
        if upload_widget(spec) and values:
            named["upload"] = values.pop(0)
    return values, named


def editor_to_api(workflow: dict, object_info: dict) -> dict:
    """The API prompt the editor queues for `workflow` (as the frontend's graphToPrompt makes it, without _meta):
    widget values by name, links as [source node id, output slot]; note nodes left out."""
    links = {link[0]: link for link in workflow["links"]}
    prompt = {}
    for node in workflow["nodes"]:
        if node["type"] in FRONTEND_NODES or node.get("mode", 0) != 0:
            continue
        info = object_info[node["type"]]
        _, named = widget_values(node, info)
        inputs = {name: named[name] for name, _ in widget_inputs(info) if name in named}
        for slot in node.get("inputs", []):
            if slot.get("link") is not None and slot["link"] in links:
                link = links[slot["link"]]
                inputs[slot["name"]] = [str(link[1]), link[2]]
        prompt[str(node["id"])] = {"inputs": inputs, "class_type": node["type"]}
    return prompt


def api_problems(prompt: dict, object_info: dict) -> list[str]:
    """An API prompt against the live schema: node types exist, every required input is given, every value is
    accepted, every link names an existing node's output of the input's type."""
    problems = []
    for node_id, node in prompt.items():
        info = object_info.get(node.get("class_type"))
        where = f"node {node_id} ({node.get('class_type')})"
        if info is None:
            problems.append(f"{where}: type is not registered")
            continue
        inputs = node.get("inputs", {})
        declared = {**info["input"].get("optional", {}), **info["input"].get("required", {})}
        problems += [f"{where}: no value for {name}" for name in info["input"].get("required", {})
                     if name not in inputs]
        for name, value in inputs.items():
            spec = declared.get(name)
            if spec is None:
                problems.append(f"{where}: {name} is not an input of this node")
            elif isinstance(value, list) and len(value) == 2 and isinstance(value[0], str):
                source = prompt.get(value[0])
                source_info = object_info.get(source["class_type"]) if source else None
                if source_info is None or not 0 <= value[1] < len(source_info["output"]):
                    problems.append(f"{where} {name}: links to {value}, which is no node output")
                elif source_info["output"][value[1]] != spec[0] and spec[0] != "*":
                    problems.append(f"{where} {name}: expects {spec[0]}, linked to a "
                                    f"{source_info['output'][value[1]]} output")
            else:
                problem = _value_problem(spec, value)
                if problem:
                    problems.append(f"{where} {name}: {problem}")
    return problems


def strip_meta(prompt: dict) -> dict:
    return {node_id: {k: v for k, v in node.items() if k != "_meta"} for node_id, node in prompt.items()}
