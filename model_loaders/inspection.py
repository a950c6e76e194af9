"""Describe a checkpoint from its safetensors header: family, variant, architecture, precision, size."""
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .errors import CorruptCheckpointError, UnknownArchitectureError
from .families import FAMILIES, FAMILY_MODULES
from .families.base import FamilyMatch
from .layout import StateDictLayout
from .precision import describe_precision, is_quant_aux
from .safetensors_header import SafetensorsHeader, read_safetensors_header


@dataclass(frozen=True)
class CheckpointDescription:
    file_name: str
    file_size: int
    family: str
    family_name: str
    variant: str
    variant_name: str
    variant_source: str
    ambiguous_with: tuple[str, ...]
    expert: str | None
    comfy_model_class: str
    architecture: dict
    precision: dict
    parameter_count: int
    weight_bytes: int
    tensor_count: int
    key_prefix: str
    header_bytes_read: int
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict:
        return asdict(self)


def inspect_checkpoint(path: str | Path) -> CheckpointDescription:
    """Read only the header of `path` and describe the checkpoint. Raises a CheckpointError subclass."""
    return inspect_checkpoint_layout(path)[0]


def inspect_checkpoint_layout(path: str | Path) -> tuple[CheckpointDescription, StateDictLayout, FamilyMatch]:
    """The description plus the key/shape layout and family match it came from (one header read), for
    callers that check the layout further (the loaders' key checks)."""
    return describe_header(read_safetensors_header(path))


def describe_header(header: SafetensorsHeader) -> tuple[CheckpointDescription, StateDictLayout, FamilyMatch]:
    """Describe a checkpoint from a header already read."""
    layout = StateDictLayout.from_header(header)
    match = detect_family(layout, header.path.name)
    family = FAMILIES[match.family]
    description = CheckpointDescription(
        file_name=header.path.name,
        file_size=header.file_size,
        family=match.family,
        family_name=family.DISPLAY_NAME,
        variant=match.variant,
        variant_name=family.VARIANTS[match.variant],
        variant_source=match.variant_source,
        ambiguous_with=match.ambiguous_with,
        expert=match.expert,
        comfy_model_class=match.comfy_model_class,
        architecture=match.architecture,
        precision=describe_precision(header),
        parameter_count=parameter_count(header),
        weight_bytes=header.data_bytes,
        tensor_count=len(header.tensors),
        key_prefix=layout.prefix,
        header_bytes_read=header.bytes_read,
        notes=match.notes,
    )
    return description, layout, match


def detect_family(layout: StateDictLayout, file_name: str) -> FamilyMatch:
    for module in FAMILY_MODULES:
        try:
            match = module.detect(layout, file_name)
        except KeyError as missing:
            raise CorruptCheckpointError(
                f"{file_name}: it has the {module.DISPLAY_NAME} marker key {module.MARKER_KEY!r} but lacks "
                f"{missing.args[0]!r}, which ComfyUI needs to build the model: the file is incomplete or "
                f"damaged. Download it again") from None
        if match is not None:
            return match
    raise UnknownArchitectureError(_unknown_message(layout, file_name))


def parameter_count(header: SafetensorsHeader) -> int:
    """Model parameters, not counting quantisation scales and markers."""
    return sum(t.numel for t in header.tensors.values() if not is_quant_aux(t.name))


def _unknown_message(layout: StateDictLayout, file_name: str) -> str:
    groups = sorted({key.split(".", 1)[0] for key in layout.shapes})
    shown = ", ".join(groups[:12]) + (f", ... ({len(groups)} groups)" if len(groups) > 12 else "")
    markers = "; ".join(f"{m.DISPLAY_NAME}: {m.MARKER_KEY!r}" for m in FAMILY_MODULES)
    names = [m.DISPLAY_NAME for m in FAMILY_MODULES]
    supported = ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else names[0]
    return (f"{file_name}: unknown architecture. Found {len(layout.shapes)} tensors in the top-level groups "
            f"[{shown or 'none'}], but none of the marker keys of the supported families ({markers}). "
            f"StoryCore supports {supported} diffusion models: choose a diffusion model file of one of these "
            f"families")
