"""Request bodies and query strings of the server routes, checked against the router node's own input specs
(its INPUT_TYPES, as /object_info shows them): each problem is a BodyError naming the field and the fix."""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

MAX_BODY_BYTES = 64 * 1024          # a dry-run body is a few hundred bytes; anything near this is not one
MAX_WORKFLOWS = 64
MAX_STRING = 100_000
# Tensor inputs a dry run cannot send: it says which are present (reference_image: how many images).
PRESENCE_INPUTS = ("image", "end_image", "mask", "video", "reference_image")
DRY_RUN_FIELDS = {"workflows": "list of workflow names from GET /storycore/registry (default: all)",
                  "inputs": f"list of present inputs among {', '.join(PRESENCE_INPUTS)} (or a name -> count map)",
                  "conditioning_width": "width of CONDITIONING you will wire instead of a prompt (optional)"}
WIDGET_KINDS = ("INT", "FLOAT", "STRING", "BOOLEAN", "COMBO")


class BodyError(ValueError):
    """A request the routes refuse (HTTP 400): `field` names the part of the request at fault."""

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")

    def to_dict(self) -> dict:
        return {"error": {"type": "invalid_request", "field": self.field, "message": self.message}}


@dataclass(frozen=True)
class WidgetSpec:
    name: str
    kind: str                       # one of WIDGET_KINDS
    default: Any = None
    minimum: Optional[float] = None
    maximum: Optional[float] = None
    options: tuple = ()


def widget_specs(input_types: Mapping) -> dict[str, WidgetSpec]:
    """The router's widget inputs (numbers, strings, choices) from its INPUT_TYPES; sockets are left out."""
    specs = {}
    for group in ("required", "optional"):
        for name, spec in (input_types.get(group) or {}).items():
            kind, options = spec[0], spec[1] if len(spec) > 1 and isinstance(spec[1], dict) else {}
            if isinstance(kind, (list, tuple)):
                kind, options = "COMBO", dict(options, options=list(kind))
            if kind not in WIDGET_KINDS or options.get("forceInput"):
                continue
            default = options.get("default")
            choices = tuple(options.get("options") or ())
            if kind == "COMBO" and default is None and choices:
                default = choices[0]
            specs[name] = WidgetSpec(name, kind, default, options.get("min"), options.get("max"), choices)
    return specs


@dataclass
class RouteBody:
    values: dict                                   # every widget input of the router, defaults filled in
    workflows: Optional[list[str]] = None          # None: every registered workflow
    inputs: dict = field(default_factory=dict)     # present tensor input -> count
    conditioning_width: Optional[int] = None


def parse_json_object(data: bytes) -> dict:
    if len(data) > MAX_BODY_BYTES:
        raise BodyError("body", f"larger than {MAX_BODY_BYTES} bytes; a route request is a small JSON object")
    try:
        body = json.loads(data.decode("utf-8")) if data.strip() else {}
    except (UnicodeDecodeError, ValueError) as exc:
        raise BodyError("body", f"not valid JSON ({exc}); send a JSON object such as "
                                f'{{"capability": "text_to_video"}}') from None
    if not isinstance(body, dict):
        raise BodyError("body", f"expected a JSON object, got {type(body).__name__}")
    return body


def check_value(spec: WidgetSpec, value: Any) -> Any:
    """`value` as the router input `spec` takes it; BodyError naming the input otherwise."""
    name = spec.name
    if spec.kind == "COMBO":
        if value not in spec.options:
            shown = ", ".join(map(str, spec.options[:12])) + (", ..." if len(spec.options) > 12 else "")
            raise BodyError(name, f"{value!r} is not one of: {shown}")
        return value
    if spec.kind == "STRING":
        if not isinstance(value, str):
            raise BodyError(name, f"expected a string, got {type(value).__name__}")
        if len(value) > MAX_STRING:
            raise BodyError(name, f"longer than {MAX_STRING} characters")
        return value
    if spec.kind == "BOOLEAN":
        if not isinstance(value, bool):
            raise BodyError(name, f"expected true or false, got {value!r}")
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (
            isinstance(value, float) and not math.isfinite(value)):
        raise BodyError(name, f"expected a number, got {value!r}")
    if spec.kind == "INT":
        if isinstance(value, float):
            if not value.is_integer():
                raise BodyError(name, f"expected a whole number, got {value!r}")
            value = int(value)
    else:
        value = float(value)
    if spec.minimum is not None and value < spec.minimum or spec.maximum is not None and value > spec.maximum:
        raise BodyError(name, f"{value!r} is outside {spec.minimum}..{spec.maximum}")
    return value


def parse_route_body(body: Mapping, specs: Mapping[str, WidgetSpec]) -> RouteBody:
    """A dry-run body: the router's widget inputs by name (missing ones take the node's defaults) plus
    DRY_RUN_FIELDS. `capability` is required; an unknown field is refused (a typo would be silently ignored)."""
    for key in body:
        if key not in specs and key not in DRY_RUN_FIELDS:
            raise BodyError(key, "unknown field; the fields are the router node's inputs ("
                                 + ", ".join(specs) + ") and " + ", ".join(DRY_RUN_FIELDS))
    if "capability" in specs and "capability" not in body:
        raise BodyError("capability", "required: one of " + ", ".join(map(str, specs["capability"].options)))
    values = {name: check_value(spec, body[name]) if name in body else spec.default for name, spec in specs.items()}
    return RouteBody(values, _workflow_names(body.get("workflows")), _present_inputs(body.get("inputs")),
                     _conditioning_width(body.get("conditioning_width")))


def _workflow_names(value) -> Optional[list[str]]:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BodyError("workflows", "expected a list of workflow names (strings) from GET /storycore/registry")
    if not value or len(value) > MAX_WORKFLOWS:
        raise BodyError("workflows", f"expected 1 to {MAX_WORKFLOWS} names (leave it out for every workflow)")
    return list(value)


def _present_inputs(value) -> dict:
    if value is None:
        return {}
    if isinstance(value, list):
        value = {name: 1 for name in value} if all(isinstance(v, str) for v in value) else value
    if not isinstance(value, dict):
        raise BodyError("inputs", f"expected a list of input names among {', '.join(PRESENCE_INPUTS)}")
    out = {}
    for name, count in value.items():
        if name not in PRESENCE_INPUTS:
            raise BodyError(f"inputs.{name}", f"not a router input; expected one of {', '.join(PRESENCE_INPUTS)}")
        if isinstance(count, bool):
            count = int(count)
        if not isinstance(count, int) or not 0 <= count <= 64:
            raise BodyError(f"inputs.{name}", f"expected a count 0..64 (or true), got {count!r}")
        if count:
            out[name] = count
    return out


def _conditioning_width(value) -> Optional[int]:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65536:
        raise BodyError("conditioning_width", f"expected a whole number 1..65536, got {value!r}")
    return value


def stats_query(query: Mapping[str, str], capabilities) -> dict:
    """Filters of GET /storycore/stats: capability, workflow, window_s (seconds back from now), limit (runs
    listed, 1..1000)."""
    out: dict = {"capability": None, "workflow": None, "window_s": None, "limit": 200}
    for key, raw in query.items():
        if key == "capability":
            if raw not in capabilities:
                raise BodyError("capability", f"{raw!r} is not one of: {', '.join(capabilities)}")
            out[key] = raw
        elif key == "workflow":
            if not raw or len(raw) > 1000:
                raise BodyError("workflow", "expected a workflow name from GET /storycore/registry")
            out[key] = raw
        elif key in ("window_s", "limit"):
            try:
                number = float(raw)
            except ValueError:
                raise BodyError(key, f"expected a number, got {raw!r}") from None
            low, high = (1.0, 1000.0) if key == "limit" else (0.0, 1e10)
            if not math.isfinite(number) or not low <= number <= high or number == 0:
                raise BodyError(key, f"expected a number in {low:g}..{high:g} (not 0), got {raw!r}")
            out[key] = int(number) if key == "limit" else number
        else:
            raise BodyError(key, "unknown query parameter; expected capability, workflow, window_s or limit")
    return out
