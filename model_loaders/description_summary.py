"""A checkpoint description in one human line, for the node's display (the JSON stays for programs).

    Wan 2.1 T2V · fp8_e4m3fn · 14.3 B params · 13.3 GiB · ComfyUI class WAN21_T2V
"""
from __future__ import annotations

from .families import FAMILIES

SEPARATOR = " · "


def summarize_description(description) -> str:
    """One line: variant (and expert), precision format, parameters, weight bytes, ComfyUI model class; a second
    line when other variants have the same weights (which ones, and whether the file name or the default chose)."""
    variant = description.variant_name
    if description.expert:
        variant += f" ({description.expert.replace('_', '-')} expert)"
    line = SEPARATOR.join([variant, description.precision.get("format", "unknown precision"),
                           f"{format_count(description.parameter_count)} params",
                           format_bytes(description.weight_bytes),
                           f"ComfyUI class {description.comfy_model_class}"])
    if description.ambiguous_with:
        names = FAMILIES[description.family].VARIANTS
        others = ", ".join(names.get(v, v) for v in description.ambiguous_with)
        told = "from the file name" if description.variant_source == "file name" else "by default"
        line += f"\nsame weights as {others}: variant {told}"
    return line


def format_count(count: int) -> str:
    """14_300_000_000 -> '14.3 B', 905_792 -> '905.8 K'."""
    for scale, unit in ((10**9, "B"), (10**6, "M"), (10**3, "K")):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return str(count)


def format_bytes(size: int) -> str:
    """Binary units, as file managers on Windows and most Linux desktops show sizes: '13.3 GiB'."""
    for scale, unit in ((1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} bytes"
