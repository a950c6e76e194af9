"""NewBie-image (a Lumina 2 / NextDiT model with a Jina-CLIP pooled projection): detection rules
(mirroring comfy/model_detection.py, Lumina 2 branch)."""
from ...errors import UnknownArchitectureError
from ...layout import StateDictLayout
from ..base import FamilyMatch
from .declarations import FAMILY
from .keys import newbie_tensor_shapes

MARKER_KEY = "cap_embedder.1.weight"


def detect(layout: StateDictLayout, file_name: str) -> FamilyMatch | None:
    if not layout.has(MARKER_KEY):
        return None
    dim, cap_feat_dim = layout.shape(MARKER_KEY)[:2]
    if not layout.has("noise_refiner.0.attention.k_norm.weight"):
        raise UnknownArchitectureError(
            f"{file_name}: Lumina 2 / NewBie keys but no 'noise_refiner.0.attention.k_norm.weight': current "
            f"ComfyUI does not recognise the file. It is incomplete: download it again")
    if dim == 3840:
        raise UnknownArchitectureError(f"{file_name}: this is a Z-Image checkpoint (Lumina 2 architecture, "
                                       f"dim 3840); StoryCore routes NewBie-image only")
    if dim != 2304:
        raise UnknownArchitectureError(f"{file_name}: Lumina 2 layout with dim {dim}; ComfyUI builds only dim "
                                       f"2304 (Lumina 2 / NewBie) and 3840 (Z-Image)")
    if not layout.has("clip_text_pooled_proj.0.weight"):
        raise UnknownArchitectureError(
            f"{file_name}: this is a Lumina Image 2.0 checkpoint (no 'clip_text_pooled_proj' weights, which "
            f"NewBie-image has); StoryCore routes NewBie-image only")
    architecture = {
        "dim": dim,
        "num_heads": 24,
        "num_kv_heads": 8,
        "num_layers": layout.count_blocks("layers."),
        "in_channels": 16,
        "out_channels": 16,
        "patch_size": [2, 2],
        "context_dim": cap_feat_dim,
        "pooled_dim": layout.shape("clip_text_pooled_proj.0.weight")[0],
    }
    return FamilyMatch(FAMILY, "newbie", "Lumina2", architecture)


def expected_layout(layout: StateDictLayout, match: FamilyMatch):
    """(expected key -> shape, optional key -> shape or None, file-key aliases) for the detected architecture.
    cap_feat_dim (Gemma width) and clip_text_dim (Jina width) are read from the file, as ComfyUI does."""
    arch = match.architecture
    expected = newbie_tensor_shapes(layout.block_span("layers."), cap_feat_dim=arch["context_dim"],
                                    clip_text_dim=arch["pooled_dim"])
    return expected, {}, {}
