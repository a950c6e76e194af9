"""The order of a loader node's file lists: the files that fit the input (identified from their safetensors
headers) first, then the others by name, unreadable files last. Plain Python; reads headers only.

What fits an input comes from the family's declarations and loader spec: the family for a diffusion-model input
(the variant of the optional model for an optional-model input such as sr_model), the text-encoder kinds at that
position of the variants' `text_encoders`, the VAE kinds, the CLIP-vision kinds, for an optional companion input
the kinds its declarations name (identified as its component type), and for LoRAs the family they target. Where
several kinds fit, the one most variants use comes first (the Wan loader's VAE list starts with the Wan 2.1 VAE,
which six of its seven variants use).

Each file's identity is cached in memory by (path, size, mtime_ns), so listing hundreds of files for every loader
on each /object_info reads each header once; a bad or unknown file is remembered as unidentified and ranks last.
"""
from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Iterable

from .companion_files import component_type
from .components import (UnknownComponentError, describe_kind, identify_clip_vision, identify_lora,
                         identify_text_encoder, identify_vae)
from .errors import UnknownArchitectureError
from .families import FAMILIES
from .inspection import describe_header
from .safetensors_header import read_safetensors_header

# identity of a file for each kind of input: (what it is, e.g. a family or a component kind; a finer tag)
Identity = tuple[str | None, str | None]


def _diffusion_identity(header) -> Identity:
    description = describe_header(header)[0]
    return description.family, description.variant


def _component(identify) -> Callable:
    def identity(header) -> Identity:
        return identify(header).kind, None
    return identity


def _lora_identity(header) -> Identity:
    return identify_lora(header).target_family, None


_IDENTIFY = {"diffusion_models": _diffusion_identity, "text_encoders": _component(identify_text_encoder),
             "vae": _component(identify_vae), "clip_vision": _component(identify_clip_vision),
             "loras": _lora_identity}
_UNREADABLE: Identity = (None, "unreadable")
_OTHER: Identity = (None, None)  # a readable safetensors file of a kind nothing here knows
_cache: dict[tuple[str, str], tuple[int, int, Identity]] = {}


def file_identity(path: str | os.PathLike, folder: str, component: str | None = None) -> Identity:
    """What the file in model folder `folder` is (as a `component`-type companion where one is named), from its
    header; cached by path, size and mtime_ns."""
    path = os.fspath(path)
    try:
        stat = os.stat(path)
    except OSError:
        return _UNREADABLE
    key = (path, folder if component is None else f"{folder}:{component}")
    cached = _cache.get(key)
    if cached and cached[:2] == (stat.st_size, stat.st_mtime_ns):
        return cached[2]
    try:
        identify = _IDENTIFY[folder] if component is None else _component(component_type(component).identify)
        identity = identify(read_safetensors_header(path))
    except (UnknownComponentError, UnknownArchitectureError):
        identity = _OTHER
    except Exception:  # any bad file (pickle, truncated, unknown layout) only ranks last: never break a list
        identity = _UNREADABLE
    _cache[key] = (stat.st_size, stat.st_mtime_ns, identity)
    return identity


def clear_cache() -> None:
    _cache.clear()


@dataclass(frozen=True)
class SlotFit:
    """What fits one loader input: `accepted` values of the identity's part `field` (0: family / kind, 1: variant),
    most used first; `what` says it in words for the tooltip."""
    folder: str
    accepted: tuple[str, ...]
    what: str
    field: int = 0
    component: str | None = None  # an optional companion input: its component type (companion_files)


def _by_use(values: Iterable[str | None]) -> tuple[str, ...]:
    counts = Counter(v for v in values if v)
    return tuple(sorted(counts, key=lambda v: -counts[v]))  # sorted() is stable: ties keep declaration order


def slot_fit(family: str, input_id: str) -> SlotFit:
    """What fits the input `input_id` of `family`'s loader node (a file slot or lora_<n>)."""
    module = FAMILIES[family]
    spec, declarations = module.LOADER, list(module.DECLARATIONS.values())
    name = module.DISPLAY_NAME
    if input_id.startswith("lora_"):
        return SlotFit("loras", (family,), f"{name} LoRAs")
    for slot in spec.model_slots:
        if slot.input_id == input_id:
            optional = [d.optional_models[slot.role].variant for d in declarations if slot.role in d.optional_models]
            if optional:
                return SlotFit(slot.folder, _by_use(optional), " / ".join(module.VARIANTS[v] for v in
                                                                          _by_use(optional)) + " models", field=1)
            return SlotFit(slot.folder, (family,), f"{name} diffusion models")
    for index, slot in enumerate(spec.text_encoder_slots):
        if slot.input_id == input_id:
            kinds = _by_use(d.text_encoders[index] for d in declarations if len(d.text_encoders) > index)
            return SlotFit(slot.folder, kinds, _kinds_text(kinds))
    if input_id == "vae":
        kinds = _by_use(d.vae for d in declarations)
        return SlotFit("vae", kinds, _kinds_text(kinds))
    if input_id == "clip_vision":
        kinds = _by_use(d.clip_vision for d in declarations)
        return SlotFit("clip_vision", kinds, _kinds_text(kinds))
    companions = [d.companions[input_id] for d in declarations if input_id in d.companions]
    if companions:
        kinds = _by_use(c.kind for c in companions)
        return SlotFit(companions[0].folder, kinds, _kinds_text(kinds), component=companions[0].component)
    raise KeyError(f"{spec.node_id} has no file input {input_id!r}")


def _kinds_text(kinds: tuple[str, ...]) -> str:
    return " / ".join(describe_kind(k, False) for k in kinds) + " files"


def rank_files(names_and_paths: list[tuple[str, str | None]], fit: SlotFit) -> list[str]:
    """The names, those whose file fits first (most used kind first, then by name), then the other readable files,
    then the unreadable ones, each group in the order given."""
    def rank(item):
        index, (name, path) = item
        identity = file_identity(path, fit.folder, fit.component) if path else _UNREADABLE
        value = identity[fit.field]
        if value in fit.accepted:
            return (0, fit.accepted.index(value), index)
        return (2 if identity == _UNREADABLE else 1, 0, index)
    return [name for _, (name, _) in sorted(enumerate(names_and_paths), key=rank)]


def order_note(fit: SlotFit) -> str:
    """How the list is ordered, for the input's tooltip."""
    return (f"List order: {fit.what} first (identified from each file's header; the first is the default), then "
            f"the other files by name, unreadable files last.")
