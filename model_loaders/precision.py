"""Which storage format a checkpoint uses, from its header alone.

Formats (ids shared with the test fixtures): bf16, fp16, fp32, fp8_e4m3fn, fp8_e5m2 (plain casts),
scaled_fp8 (legacy Comfy-Org "*_fp8_scaled": a `scaled_fp8` marker tensor plus per-layer `scale_weight`),
comfy_quant (per-layer `<layer>.comfy_quant` JSON tensors) and comfy_quant_metadata (the same, declared in
the safetensors metadata `_quantization_metadata`). ComfyUI converts the last three to one runtime format
(comfy.utils.convert_old_quants).
"""
import json
from collections import Counter

from .errors import CorruptCheckpointError
from .safetensors_header import SafetensorsHeader

PLAIN_FORMATS = {"BF16": "bf16", "F16": "fp16", "F32": "fp32", "F8_E4M3": "fp8_e4m3fn", "F8_E5M2": "fp8_e5m2"}
FP8_DTYPES = {"F8_E4M3": "float8_e4m3fn", "F8_E5M2": "float8_e5m2"}
# Tensors that carry quantisation bookkeeping, not model parameters.
QUANT_AUX_SUFFIXES = (".scale_weight", ".scale_input", ".weight_scale", ".weight_scale_2", ".input_scale",
                      ".pre_quant_scale", ".comfy_quant")
QUANT_MARKER = "scaled_fp8"
QUANT_METADATA_KEY = "_quantization_metadata"


def is_quant_aux(name: str) -> bool:
    return name.endswith(QUANT_AUX_SUFFIXES) or name == QUANT_MARKER or name.endswith("." + QUANT_MARKER)


def describe_precision(header: SafetensorsHeader) -> dict:
    """{"format", "weight_dtypes" (bytes per dtype), "quantized_layers", "quantized_dtype", ...}."""
    bytes_by_dtype = Counter()
    for tensor in header.tensors.values():
        if not is_quant_aux(tensor.name):
            bytes_by_dtype[tensor.dtype] += tensor.nbytes
    description = {"weight_dtypes": dict(bytes_by_dtype.most_common())}
    marker = next((t for t in header.tensors.values()
                   if t.name == QUANT_MARKER or t.name.endswith("." + QUANT_MARKER)), None)
    per_layer = [t.name[: -len(".comfy_quant")] for t in header.tensors.values() if t.name.endswith(".comfy_quant")]
    if QUANT_METADATA_KEY in header.metadata:
        layers = _metadata_layers(header)
        formats = sorted({str(v.get("format")) for v in layers.values()})
        description.update(format="comfy_quant_metadata", quantized_layers=len(layers),
                           quantized_formats=formats)
    elif per_layer:
        description.update(format="comfy_quant", quantized_layers=len(per_layer),
                           quantized_formats=_fp8_formats_of(header, per_layer))
    elif marker is not None:
        scaled = [t.name[: -len(".scale_weight")] for t in header.tensors.values() if t.name.endswith(".scale_weight")]
        description.update(format="scaled_fp8", quantized_layers=len(scaled),
                           quantized_formats=[FP8_DTYPES.get(marker.dtype, "float8_e4m3fn")],
                           full_precision_matrix_mult=marker.numel == 2)
    else:
        dominant = next(iter(description["weight_dtypes"]), None)
        description["format"] = PLAIN_FORMATS.get(dominant, (dominant or "empty").lower())
    return description


def _metadata_layers(header: SafetensorsHeader) -> dict:
    name = header.path.name
    try:
        quant = json.loads(header.metadata[QUANT_METADATA_KEY])
        layers = quant["layers"]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise CorruptCheckpointError(
            f"{name}: the '{QUANT_METADATA_KEY}' metadata is not a JSON object with a 'layers' map ({exc}); "
            f"ComfyUI cannot load its quantised layers. Re-export the file") from None
    if not isinstance(layers, dict):
        raise CorruptCheckpointError(
            f"{name}: '{QUANT_METADATA_KEY}' has a 'layers' entry that is not an object; re-export the file")
    bad = [layer for layer, spec in layers.items() if not isinstance(spec, dict)]
    if bad:
        raise CorruptCheckpointError(
            f"{name}: '{QUANT_METADATA_KEY}' lists layers whose entry is not an object (e.g. {bad[:1]}); "
            f"ComfyUI expects {{\"layer\": {{\"format\": \"float8_e4m3fn\"}}}} and crashes on plain strings. "
            f"Re-export the file with dict entries")
    return layers


def _fp8_formats_of(header: SafetensorsHeader, layers: list[str]) -> list[str]:
    dtypes = {header.tensors[f"{layer}.weight"].dtype for layer in layers if f"{layer}.weight" in header.tensors}
    return sorted(FP8_DTYPES.get(d, d.lower()) for d in dtypes)
