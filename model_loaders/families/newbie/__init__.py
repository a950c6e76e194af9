"""NewBie-image: everything the pack knows about this family, in one package.

- declarations: FAMILY, DISPLAY_NAME, VARIANTS and DECLARATIONS (what each variant serves and needs)
- detection: detect(layout, file_name) and expected_layout(layout, match), mirroring ComfyUI's detection
- keys: the full key/shape table of ComfyUI's module for this family
"""
from .declarations import DECLARATIONS, DISPLAY_NAME, FAMILY, VARIANTS
from .detection import MARKER_KEY, detect, expected_layout

__all__ = ["DECLARATIONS", "DISPLAY_NAME", "FAMILY", "MARKER_KEY", "VARIANTS", "detect", "expected_layout"]
