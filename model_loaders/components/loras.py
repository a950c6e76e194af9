"""LoRAs: comfy/lora_convert.py `convert_lora`, the adapter key suffixes of comfy/weight_adapter/lora.py `load`
(0.8 weight_adapter/lora.py:92-125) and the key maps of comfy/lora.py `model_lora_keys_unet` (0.8 lora.py:175-330 /
0.33 lora.py:187-350). Which family a LoRA is for, and how its keys map, come from each family's LORA_RULES."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..families import FAMILIES, FAMILY_MODULES
from ..precision import describe_precision
from .kinds import UnknownComponentError, key_shapes, read_header, summarise_groups
from .unknown import identify_other_role

# Adapter tensor suffixes ComfyUI's weight adapters read (weight_adapter/lora.py, loha.py, lokr.py, comfy/lora.py).
LORA_SUFFIXES = tuple(sorted((
    ".lora_up.weight", ".lora_down.weight", ".lora_mid.weight", "_lora.up.weight", "_lora.down.weight",
    ".lora_B.weight", ".lora_A.weight", ".lora.up.weight", ".lora.down.weight", ".lora_B", ".lora_A",
    ".lora_linear_layer.up.weight", ".lora_linear_layer.down.weight", ".lora_B.default.weight",
    ".lora_A.default.weight", ".alpha", ".dora_scale", ".diff", ".diff_b", ".reshape_weight",
    ".hada_w1_a", ".hada_w1_b", ".hada_w2_a", ".hada_w2_b", ".hada_t1", ".hada_t2",
    ".lokr_w1", ".lokr_w2", ".lokr_w1_a", ".lokr_w1_b", ".lokr_w2_a", ".lokr_w2_b", ".lokr_t2",
    ".oft_blocks", ".rescale", ".a1.weight", ".a2.weight", ".b1.weight", ".b2.weight"), key=len, reverse=True))
_UP = (".lora_up.weight", "_lora.up.weight", ".lora_B.weight", ".lora.up.weight", ".lora_B",
       ".lora_linear_layer.up.weight", ".lora_B.default.weight")
_DOWN = (".lora_down.weight", "_lora.down.weight", ".lora_A.weight", ".lora.down.weight", ".lora_A",
         ".lora_linear_layer.down.weight", ".lora_A.default.weight")
# Key prefixes ComfyUI maps onto a diffusion model (comfy/lora.py model_lora_keys_unet), longest first.
LORA_PREFIXES = ("diffusion_model.", "base_model.model.", "lora_unet_", "lycoris_", "transformer.", "unet.")
TEXT_ENCODER_LORA_PREFIXES = ("lora_te_", "lora_te1_", "lora_te2_", "text_encoders.", "text_encoder.", "te.")

@dataclass(frozen=True)
class LoraDescription:
    file_name: str
    path: Path
    target_family: str | None           # the family whose module names its keys use, or None
    key_format: str                      # "diffusion_model.", "lora_unet_", "transformer.", "bare", ...
    adapter: str                         # "lora", "loha", "lokr", "diff", ...
    modules: dict                        # module path (prefix removed) -> {"up": shape, "down": shape, ...}
    text_encoder_modules: int            # modules aimed at the text encoder (applied to the CLIP, not checked)
    precision: dict
    weight_bytes: int
    unsupported_naming: bool = False     # a naming ComfyUI never maps onto its family (LoraRules.unsupported_*)
    module_formats: dict = field(default_factory=dict)  # module path -> its key prefix ("diffusion_model.", ...)
    notes: tuple[str, ...] = ()
    role: str = "lora"

    @property
    def kind(self) -> str:
        return f"lora_{self.target_family or 'unknown'}"


def lora_modules(shapes: dict[str, tuple[int, ...]]):
    """({module key as written: {part: shape}}, adapter name). Applies comfy/lora_convert.py first (Wan Fun's
    `lora_unet__` double underscore)."""
    modules: dict[str, dict] = {}
    adapters = set()
    for key, shape in shapes.items():
        if key.startswith("lora_unet__"):
            key = "lora_unet_" + key[len("lora_unet__"):]
        for suffix in LORA_SUFFIXES:
            if key.endswith(suffix):
                part = "up" if suffix in _UP else "down" if suffix in _DOWN else suffix.strip(".")
                modules.setdefault(key[: -len(suffix)], {})[part] = tuple(shape)
                adapters.add("lora" if part in ("up", "down", "lora_mid.weight") else
                             "loha" if "hada" in suffix else "lokr" if "lokr" in suffix else
                             "diff" if suffix in (".diff", ".diff_b") else None)
                break
    adapters.discard(None)
    return modules, "+".join(sorted(adapters)) or "none"


def _split_prefix(module: str) -> tuple[str, str]:
    for prefix in LORA_PREFIXES:
        if module.startswith(prefix):
            return prefix, module[len(prefix):]
    return "bare", module


def identify_lora(path_or_header) -> LoraDescription:
    header = read_header(path_or_header)
    shapes = key_shapes(header)
    name = header.path.name
    found, adapter = lora_modules(shapes)
    if not found:
        other = identify_other_role(shapes, "LoRA")
        what = f"it is {other}" if other else f"found {summarise_groups(shapes)}"
        raise UnknownComponentError(
            f"{name}: not a LoRA ({what}; no lora_up/lora_down, lora_A/lora_B, LoHa or LoKr tensors). "
            f"Choose a LoRA file from ComfyUI's models/loras folder")
    modules, module_formats, formats, votes, te_modules = {}, {}, set(), {}, 0
    unsupported = False
    for module, parts in found.items():
        if module.startswith(TEXT_ENCODER_LORA_PREFIXES):
            te_modules += 1
            continue
        prefix, path = _split_prefix(module)
        formats.add(prefix)
        modules[path] = parts
        module_formats[path] = prefix
        family, unmappable = _family_of_module(path)
        if family:
            votes[family] = votes.get(family, 0) + 1
            unsupported = unsupported or unmappable
    family = max(votes, key=votes.get) if votes else None
    notes = list(FAMILIES[family].LORA_RULES.notes) if family else []
    if len(votes) > 1:
        notes.append("keys aimed at several families: " + ", ".join(f"{f} {n}" for f, n in sorted(votes.items())))
    return LoraDescription(name, header.path, family, "+".join(sorted(formats)) or "none", adapter, modules,
                           te_modules, describe_precision(header), header.data_bytes, unsupported,
                           module_formats, tuple(notes))


def _family_of_module(path: str) -> tuple[str | None, bool]:
    """(the family whose module names `path` follows, whether ComfyUI never maps that naming)."""
    for module in FAMILY_MODULES:
        if module.LORA_RULES.module_pattern.match(path):
            return module.FAMILY, False
    for module in FAMILY_MODULES:
        pattern = module.LORA_RULES.unsupported_pattern
        if pattern is not None and pattern.match(path):
            return module.FAMILY, True
    return None, False


@dataclass(frozen=True)
class LoraFit:
    mapped: int
    unmapped: tuple[str, ...]
    mismatched: tuple[tuple[str, str], ...]   # (module, what differs)
    unmapped_formats: tuple[str, ...] = ()    # key prefixes ComfyUI does not map for this family


def fit_lora(lora: LoraDescription, model_shapes: dict[str, tuple[int, ...]]) -> LoraFit:
    """Which LoRA modules land on a weight of the model (as comfy/lora.py maps them) and whether the low-rank
    factors fit that weight's shape (up: [out, rank], down: [rank, in, ...])."""
    underscored = {k[: -len(".weight")].replace(".", "_"): k for k in model_shapes if k.endswith(".weight")}
    mapped, unmapped, mismatched, bad_formats = 0, [], [], set()
    rules = FAMILIES[lora.target_family].LORA_RULES if lora.target_family else None
    accepted = rules.key_formats if rules else LORA_PREFIXES + ("bare",)
    for module, parts in lora.modules.items():
        target = None
        key_format = lora.module_formats.get(module, "bare")
        if key_format not in accepted:
            unmapped.append(module)
            bad_formats.add(key_format)
            continue
        candidates = [module]
        if rules and rules.renames:
            renamed = module + "."
            for old, new in rules.renames:
                renamed = renamed.replace(old, new)
            candidates.append(renamed[:-1])
        for candidate in candidates:
            key = candidate + (".bias" if "diff_b" in parts else ".weight")
            if key in model_shapes:
                target = key
                break
            if candidate in underscored:
                target = underscored[candidate]
                break
        if target is None:
            unmapped.append(module)
            continue
        mapped += 1
        weight = model_shapes[target]
        up, down = parts.get("up"), parts.get("down")
        if up is not None and down is not None and len(weight) >= 2:
            if up[0] != weight[0] or down[1] != weight[1]:
                mismatched.append((module, f"LoRA {down[1]} -> {up[0]}, model weight {weight[1]} -> {weight[0]}"))
        diff = parts.get("diff")
        if diff is not None and tuple(diff) != tuple(weight):
            mismatched.append((module, f"diff {list(diff)} vs weight {list(weight)}"))
    return LoraFit(mapped, tuple(unmapped), tuple(mismatched), tuple(sorted(bad_formats)))
