"""HunyuanVideo: everything the pack knows about this family, in one package.

- declarations: FAMILY, DISPLAY_NAME, VARIANTS and DECLARATIONS (what each variant serves and needs)
  and RELEASES (where its official files come from)
- detection: detect(layout, file_name) and expected_layout(layout, match), mirroring ComfyUI's detection
- keys: the full key/shape table of ComfyUI's module for this family
- defaults: the official templates' sampling values per variant and the quality priors (routing config data)
- loader: its loader node's file slots and tooltips, and how ComfyUI maps its LoRAs
- recipes: how each capability runs in ComfyUI (imports comfy; imported only when a workflow runs)
"""
from .declarations import DECLARATIONS, DISPLAY_NAME, FAMILY, RELEASES, TEXT_ENCODER_WIDTHS, VARIANTS
from .defaults import QUALITY_PRIORS, TEMPLATE_DEFAULTS
from .detection import MARKER_KEY, detect, expected_layout
from .loader import LOADER, LORA_RULES

DETECTION_ORDER = 10  # the place of this family in comfy/model_detection.py's tests

__all__ = ["DECLARATIONS", "DETECTION_ORDER", "DISPLAY_NAME", "FAMILY", "LOADER", "LORA_RULES", "MARKER_KEY",
           "QUALITY_PRIORS", "RELEASES", "TEMPLATE_DEFAULTS", "TEXT_ENCODER_WIDTHS", "VARIANTS", "detect",
           "expected_layout"]
