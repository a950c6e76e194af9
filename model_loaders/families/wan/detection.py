"""Wan 2.1 / 2.2: detection rules (mirroring comfy/model_detection.py, Wan branch)."""
from ...errors import UnknownArchitectureError
from ...layout import StateDictLayout
from ..base import FamilyMatch, expert_from_name, first_shape, name_has
from .declarations import FAMILY
from .keys import wan_tensor_shapes

MARKER_KEY = "head.modulation"
# Layout-only model types ComfyUI knows but StoryCore does not route (yet).
OTHER_MODEL_TYPES = {
    "control_adapter.conv.weight": "Wan camera control",
    "casual_audio_encoder.encoder.final_linear.weight": "Wan S2V",
    "audio_proj.audio_proj_glob_1.layer.bias": "HuMo",
    "face_adapter.fuser_blocks.0.k_norm.weight": "Wan Animate",
    "patch_embedding_mask.weight": "SCAIL 2",
    "patch_embedding_pose.weight": "SCAIL",
    "patch_embedding_global.weight": "WanDancer",
}


def detect(layout: StateDictLayout, file_name: str) -> FamilyMatch | None:
    if not layout.has(MARKER_KEY):
        return None
    dim = layout.shape(MARKER_KEY)[-1]
    architecture = {
        "dim": dim,
        "num_heads": dim // 128,
        "num_layers": layout.count_blocks("blocks."),
        "ffn_dim": layout.shape("blocks.0.ffn.0.weight")[0] if layout.has("blocks.0.ffn.0.weight") else None,
        "in_channels": layout.shape("patch_embedding.weight")[1],
        "out_channels": layout.shape("head.head.weight")[0] // 4,
        "patch_size": [1, 2, 2],
    }
    if dim < 128 or dim % 128:
        raise UnknownArchitectureError(
            f"{file_name}: Wan layout with dim {dim}, which is not a multiple of 128 (Wan's head size): "
            f"ComfyUI cannot build it. The file is not a Wan checkpoint ComfyUI supports")
    for key, what in OTHER_MODEL_TYPES.items():
        if layout.has(key):
            raise UnknownArchitectureError(
                f"{file_name}: this is a {what} checkpoint (Wan architecture, marker {key!r}); StoryCore "
                f"supports Wan T2V, I2V, VACE, Fun-Control, TI2V-5B and A14B: use ComfyUI's own loader for it")
    if layout.has("vace_patch_embedding.weight"):
        architecture["vace_layers"] = layout.count_blocks("vace_blocks.")
        architecture["vace_in_channels"] = layout.shape("vace_patch_embedding.weight")[1]
        return FamilyMatch(FAMILY, "wan21_vace", "WAN21_Vace", architecture)
    in_dim, out_dim = architecture["in_channels"], architecture["out_channels"]
    if layout.has("img_emb.proj.0.bias"):  # CLIP-vision image embedding: Wan 2.1 "i2v" model type
        if in_dim == 36:
            return FamilyMatch(FAMILY, "wan21_i2v", "WAN21_I2V", architecture)
        if in_dim == 48:
            return FamilyMatch(FAMILY, "wan21_fun_control", "WAN21_FunControl2V", architecture)
        raise UnknownArchitectureError(
            f"{file_name}: Wan image-conditioned layout with {in_dim} input channels; ComfyUI has a class "
            f"only for 36 (I2V) and 48 (Fun-Control)")
    if out_dim == 48:
        return FamilyMatch(FAMILY, "wan22_ti2v_5b", "WAN22_T2V", architecture)
    expert = expert_from_name(file_name)
    if in_dim == 36:  # image by channel concat only, no CLIP vision: A14B I2V or 2.2 Fun-Inpaint
        return FamilyMatch(FAMILY, "wan22_a14b_i2v", "WAN21_T2V", architecture, expert=expert,
                           notes=_expert_notes(expert))
    if in_dim == 16:
        if expert or name_has(file_name, r"wan[_\-. ]?2[._]?2", r"a14b"):
            return FamilyMatch(FAMILY, "wan22_a14b_t2v", "WAN21_T2V", architecture, variant_source="file name",
                               ambiguous_with=("wan21_t2v",), expert=expert, notes=_expert_notes(expert))
        return FamilyMatch(FAMILY, "wan21_t2v", "WAN21_T2V", architecture,
                           ambiguous_with=("wan22_a14b_t2v",),
                           notes=("Wan 2.2 A14B T2V experts have this same layout; a file name with "
                                  "'wan2.2' or 'high_noise'/'low_noise' marks one",))
    raise UnknownArchitectureError(
        f"{file_name}: Wan layout with {in_dim} input / {out_dim} output channels matches no Wan variant "
        f"ComfyUI knows (16, 36 or 48 in; 16 or 48 out)")


def _expert_notes(expert: str | None) -> tuple[str, ...]:
    if expert:
        return ()
    return ("Wan 2.2 A14B comes as a high-noise and a low-noise expert with identical layouts; the file "
            "name does not say which one this is",)


def expected_layout(layout: StateDictLayout, match: FamilyMatch):
    """(expected key -> shape, optional key -> shape or None, file-key aliases) for the detected architecture."""
    arch = match.architecture
    layers = max(layout.block_span("blocks."), 1)
    ffn = arch.get("ffn_dim") or (first_shape(layout, "blocks.", ".ffn.0.weight", layers) or (None,))[0]
    if ffn is None:
        raise KeyError("blocks.0.ffn.0.weight")
    vace_layers = layout.block_span("vace_blocks.") if match.variant == "wan21_vace" else 0
    expected = wan_tensor_shapes(arch["dim"], ffn, layers, arch["in_channels"], arch["out_channels"],
                                 image_embedding=match.variant in ("wan21_i2v", "wan21_fun_control"),
                                 vace_layers=vace_layers, vace_in_dim=arch.get("vace_in_channels", 96))
    # FLF2V adds a learned position embedding (img_emb.emb_pos); Fun-Control 2.2 may carry a reference conv.
    optional = {"img_emb.emb_pos": None, "ref_conv.weight": None, "ref_conv.bias": None}
    return expected, optional, {}
