"""Wan: everything the pack knows about this family (the modules are described in ../__init__.py)."""
from .declarations import DECLARATIONS, DISPLAY_NAME, FAMILY, RELEASES, TEXT_ENCODER_WIDTHS, VARIANTS
from .defaults import QUALITY_PRIORS, TEMPLATE_DEFAULTS
from .detection import MARKER_KEY, detect, expected_layout
from .loader import LOADER, LORA_RULES

DETECTION_ORDER = 30  # the place of this family in comfy/model_detection.py's tests

__all__ = ["DECLARATIONS", "DETECTION_ORDER", "DISPLAY_NAME", "FAMILY", "LOADER", "LORA_RULES", "MARKER_KEY",
           "QUALITY_PRIORS", "RELEASES", "TEMPLATE_DEFAULTS", "TEXT_ENCODER_WIDTHS", "VARIANTS", "detect",
           "expected_layout"]
