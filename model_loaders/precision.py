"""Which storage format a checkpoint uses, from its header alone.

Formats (ids shared with the test fixtures): bf16, fp16, fp32, fp8_e4m3fn, fp8_e5m2 (plain casts),
scaled_fp8 (legacy Comfy-Org "*_fp8_scaled": a `scaled_fp8` marker tensor plus per-layer `scale_weight`),
comfy_quant (per-layer `<layer>.comfy_quant` JSON tensors) and comfy_quant_metadata (the same, declared in
the safetensors metadata `_quantization_metadata`). ComfyUI converts the last three to one runtime format
(comfy.utils.convert_old_quants).
"""
import json
from collections import Counter
from dataclasses import dataclass

from .errors import CheckpointError, CorruptCheckpointError
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


# --- the loader's precision choice ------------------------------------------------------------------------------
PRECISION_CHOICES = ("auto", "fp8_e4m3fn", "fp8_e4m3fn_fast", "fp8_e5m2", "as_stored")
QUANTISED_FORMATS = ("scaled_fp8", "comfy_quant", "comfy_quant_metadata")
KNOWN_FORMATS = ("bf16", "fp16", "fp32", "fp8_e4m3fn", "fp8_e5m2") + QUANTISED_FORMATS
FORCED_DTYPES = {"fp8_e4m3fn": "float8_e4m3fn", "fp8_e4m3fn_fast": "float8_e4m3fn", "fp8_e5m2": "float8_e5m2"}
STORED_DTYPES = {"bf16": "bfloat16", "fp16": "float16", "fp32": "float32", "fp8_e4m3fn": "float8_e4m3fn",
                 "fp8_e5m2": "float8_e5m2"}
HEADER_TO_DTYPE = {"BF16": "bfloat16", "F16": "float16", "F32": "float32"}


class PrecisionChoiceError(CheckpointError):
    """The precision picked on the loader does not fit the file (e.g. forcing fp8 on a pre-quantised file)."""


@dataclass(frozen=True)
class PrecisionChoice:
    """How to load a diffusion model: `weight_dtype` (a torch dtype name) for ComfyUI's model_options["dtype"]
    (None: ComfyUI's own default), `fp8_optimizations` for model_options["fp8_optimizations"]."""
    requested: str
    stored_format: str
    weight_dtype: str | None
    fp8_optimizations: bool
    reason: str


def choose_precision(description, requested: str = "auto") -> PrecisionChoice:
    """The one rule for the loader's precision input, for a CheckpointDescription.

    Plain fp8 files need their fp8 dtype passed explicitly: without it ComfyUI up-casts them at load unless the
    device computes in fp8. Pre-quantised files (scaled_fp8, comfy_quant) load with the default dtype: forcing
    a dtype would also turn their norms and biases to fp8 (comfyui-families.md §5.3).
    """
    name, fmt = description.file_name, description.precision["format"]
    if requested not in PRECISION_CHOICES:
        raise PrecisionChoiceError(f"unknown precision {requested!r}: choose one of {', '.join(PRECISION_CHOICES)}")
    if fmt not in KNOWN_FORMATS:
        raise PrecisionChoiceError(f"{name} is stored as {fmt!r}, a format ComfyUI's loader does not handle: "
                                   f"choose a bf16, fp16, fp8 or *_fp8_scaled release of the model")
    quantised = fmt in QUANTISED_FORMATS
    if requested in FORCED_DTYPES:
        if quantised:
            raise PrecisionChoiceError(
                f"{name} is already quantised ({fmt}: fp8 weights with per-layer scales); forcing {requested} "
                f"would also turn its norms and biases to fp8 and lose accuracy: set the precision to 'auto', "
                f"which keeps the file's own quantisation")
        fast = requested == "fp8_e4m3fn_fast"
        return PrecisionChoice(requested, fmt, FORCED_DTYPES[requested], fast,
                               "fp8 weights" + (" with fp8 matrix multiplication where the GPU supports it"
                                                if fast else ", computed in a higher precision"))
    if requested == "as_stored":
        if quantised:  # the quantised layers stay as stored anyway; the rest keeps the file's other dtype
            stored = next((HEADER_TO_DTYPE[d] for d in description.precision["weight_dtypes"]
                           if d in HEADER_TO_DTYPE), None)
            return PrecisionChoice(requested, fmt, stored, False, "the dtypes the file is stored in")
        return PrecisionChoice(requested, fmt, STORED_DTYPES[fmt], False, "the dtype the file is stored in")
    if quantised:
        return PrecisionChoice(requested, fmt, None, False,
                               "per-layer scaled fp8: ComfyUI keeps the quantised layers fp8 by itself")
    if fmt in ("fp8_e4m3fn", "fp8_e5m2"):
        return PrecisionChoice(requested, fmt, STORED_DTYPES[fmt], False,
                               "fp8 as stored (passed explicitly, or ComfyUI would up-cast it at load)")
    return PrecisionChoice(requested, fmt, None, False, "ComfyUI's default for this device")
