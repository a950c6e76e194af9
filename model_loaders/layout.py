"""A key/shape view of a checkpoint, as ComfyUI's model detection sees it (no tensor data)."""
from dataclasses import dataclass

from .safetensors_header import SafetensorsHeader

# The same prefixes, in the same order, as comfy.model_detection.unet_prefix_from_state_dict.
DIFFUSION_MODEL_PREFIXES = ("model.diffusion_model.", "model.model.", "net.")


@dataclass(frozen=True)
class StateDictLayout:
    shapes: dict[str, tuple[int, ...]]
    prefix: str = ""

    @classmethod
    def from_header(cls, header: SafetensorsHeader) -> "StateDictLayout":
        shapes = {name: t.shape for name, t in header.tensors.items()}
        prefix = _diffusion_model_prefix(shapes)
        if prefix:
            stripped = {k[len(prefix):]: v for k, v in shapes.items() if k.startswith(prefix)}
            if stripped:  # ComfyUI keeps the original keys when nothing carries the prefix
                return cls(stripped, prefix)
        return cls(shapes, "")

    def has(self, key: str) -> bool:
        return key in self.shapes

    def shape(self, key: str) -> tuple[int, ...]:
        return self.shapes[key]

    def any_startswith(self, prefix: str) -> bool:
        return any(k.startswith(prefix) for k in self.shapes)

    def count_blocks(self, prefix: str) -> int:
        """Number of consecutive `prefix{N}.` blocks from 0, like comfy.model_detection.count_blocks."""
        return count_blocks(self.shapes, prefix)

    def block_span(self, prefix: str) -> int:
        """1 + the highest `prefix{N}.` index. ComfyUI counts consecutive blocks from 0 and silently drops
        everything after a gap; an expected layout sized by the span shows such a gap as missing keys instead."""
        return max(block_indices(self.shapes, prefix), default=-1) + 1


def block_indices(keys, prefix: str) -> set[int]:
    """The N of every `prefix{N}.` key."""
    found = set()
    for key in keys:
        if key.startswith(prefix):
            index, dot, _ = key[len(prefix):].partition(".")
            if dot and index.isdigit():
                found.add(int(index))
    return found


def count_blocks(keys, prefix: str) -> int:
    """Number of consecutive `prefix{N}.` blocks from 0, like comfy.model_detection.count_blocks."""
    present = block_indices(keys, prefix)
    count = 0
    while count in present:
        count += 1
    return count


def _diffusion_model_prefix(shapes: dict) -> str:
    counts = {p: sum(1 for k in shapes if k.startswith(p)) for p in DIFFUSION_MODEL_PREFIXES}
    top = max(counts, key=counts.get)
    return top if counts[top] > 5 else "model."
