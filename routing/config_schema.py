"""The strict builder behind the routing config: a nested mapping -> a dataclass tree.

Every field is type-checked and range-checked from its `field(metadata=...)`; unknown keys are rejected with
the closest valid name; every error names the key path, the bad value and what is accepted.
"""
from __future__ import annotations

import copy
import difflib
import re
from dataclasses import MISSING, fields, is_dataclass
from typing import Any, Callable, Mapping, Optional, Union, get_args, get_origin, get_type_hints

from .errors import ConfigError

_NAME = re.compile(r"^[a-z0-9_]+$")
Check = Callable[[Any], Optional[str]]  # returns a problem ("is out of range") or None


# -- field checks (used as `field(metadata=...)`) --------------------------------------------------
def in_range(lo: float, hi: Optional[float] = None) -> dict[str, Any]:
    accepted = f"{lo}..{hi}" if hi is not None else f">= {lo}"

    def check(v: Any) -> Optional[str]:
        return "out of range" if v < lo or (hi is not None and v > hi) else None

    return {"check": check, "accepted": accepted}


def positive() -> dict[str, Any]:
    return {"check": lambda v: "not > 0" if v <= 0 else None, "accepted": "> 0"}


def one_of(options: list[str]) -> dict[str, Any]:
    return {"check": lambda v: "not accepted" if v not in options else None, "accepted": ", ".join(options),
            "choices": options}


def identifier(example: str) -> dict[str, Any]:
    return {
        "check": lambda v: "not a valid name" if not _NAME.match(v) else None,
        "accepted": f"a ComfyUI name like {example!r} (lowercase letters, digits, _)",
    }


# -- errors ----------------------------------------------------------------------------------------
def fail(path: str, value: Any, problem: str, accepted: str) -> None:
    raise ConfigError(f"config error at {path}: {value!r} is {problem} (accepted: {accepted})", path, value)


def closest_name(key: str, valid: list[str]) -> Optional[str]:
    """A valid name the user probably meant: a prefix match first ("qwen" -> "qwen_image"), then
    the closest spelling by difflib."""
    prefixed = sorted(v for v in valid if v.startswith(key) or key.startswith(v))
    if prefixed:
        return min(prefixed, key=lambda v: abs(len(v) - len(key)))
    close = difflib.get_close_matches(key, valid, n=1, cutoff=0.5)
    return close[0] if close else None


def unknown_key(path: str, key: str, valid: list[str], prefix: str) -> None:
    close = closest_name(key, valid)
    hint = f" (did you mean '{prefix}{close}'?)" if close else f" (accepted: {', '.join(valid) or 'none'})"
    raise ConfigError(f"config error: unknown key '{path}'{hint}", path, key)


# -- building --------------------------------------------------------------------------------------
_TYPE_WORDS = {int: "an integer", float: "a number", str: "a string", bool: "true or false"}


def type_word(tp: Any) -> str:
    return _TYPE_WORDS.get(tp, str(tp))


def build(tp: Any, value: Any, path: str, meta: Mapping[str, Any]) -> Any:
    origin = get_origin(tp)
    if origin is Union:  # Optional[X]
        if value is None:
            return None
        inner = [a for a in get_args(tp) if a is not type(None)][0]
        return build(inner, value, path, meta)
    if is_dataclass(tp):
        return build_dataclass(tp, value, path)
    if origin is dict:
        _, val_tp = get_args(tp)
        if not isinstance(value, dict):
            fail(path, value, "not a mapping", "a mapping of names to values")
        return {str(k): build(val_tp, v, f"{path}.{k}", {}) for k, v in value.items()}
    if origin is list:
        (item_tp,) = get_args(tp)
        if not isinstance(value, list):
            fail(path, value, "not a list", f"a list of {type_word(item_tp)}s")
        return [build(item_tp, v, f"{path}[{i}]", {}) for i, v in enumerate(value)]
    return _build_scalar(tp, value, path, meta)


def _build_scalar(tp: Any, value: Any, path: str, meta: Mapping[str, Any]) -> Any:
    accepted = meta.get("accepted", "")
    ok = (
        (tp is bool and isinstance(value, bool))
        or (tp is int and isinstance(value, int) and not isinstance(value, bool))
        or (tp is float and isinstance(value, (int, float)) and not isinstance(value, bool))
        or (tp is str and isinstance(value, str))
    )
    if not ok:
        fail(path, value, f"not {type_word(tp)}", accepted or type_word(tp))
    value = float(value) if tp is float else value
    check: Optional[Check] = meta.get("check")
    problem = check(value) if check else None
    if problem:
        choices = meta.get("choices")
        close = difflib.get_close_matches(str(value), choices, n=1, cutoff=0.5) if choices else []
        hint = f"; did you mean {close[0]!r}?" if close else ""
        fail(path, value, problem, accepted + hint)
    return value


_HINTS: dict[type, dict[str, Any]] = {}


def type_hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = get_type_hints(cls)
    return _HINTS[cls]


def build_dataclass(cls: type, data: Any, path: str) -> Any:
    """`cls(**data)` with every field built and checked, then the instance's own `_check(path)` if it has one."""
    where = path or "the top level"
    if not isinstance(data, dict):
        fail(where, data, "not a mapping", f"a mapping with keys {', '.join(f.name for f in fields(cls))}")
    names = [f.name for f in fields(cls)]
    prefix = f"{path}." if path else ""
    for key in data:
        if key not in names:
            unknown_key(f"{prefix}{key}", str(key), names, prefix)
    hints = type_hints(cls)
    kwargs = {}
    for f in fields(cls):
        if f.name in data:
            kwargs[f.name] = build(hints[f.name], data[f.name], f"{prefix}{f.name}", f.metadata)
        elif f.default is MISSING and f.default_factory is MISSING:
            accepted = f.metadata.get("accepted", "a value")
            raise ConfigError(f"config error at {prefix}{f.name}: missing (accepted: {accepted})", f"{prefix}{f.name}")
    obj = cls(**kwargs)
    check = getattr(obj, "_check", None)
    if check:
        check(path or cls.__name__)
    return obj


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Override wins; nested mappings merge, so a file may change one key of a family variant."""
    out = copy.deepcopy(dict(base))
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out
