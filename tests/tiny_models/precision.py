"""Storage formats: how one variant's weights are laid out on disk for each precision.

Formats (as ComfyUI reads them, comfy/utils.py convert_old_quants and comfy/ops.py mixed_precision_ops):
- bf16: every tensor bf16.
- fp8_e4m3fn / fp8_e5m2: every floating tensor cast to that fp8 dtype, except those the ComfyUI module keeps in
  fp32 whatever the dtype (Wan patch embeddings, HunyuanVideo 1.5 cond_type_embedding), stored fp32.
- scaled_fp8: legacy Comfy-Org "*_fp8_scaled": a marker tensor `scaled_fp8` (float8_e4m3fn, 0 elements; 2 elements
  would mean full_precision_matrix_mult), and per nn.Linear weight an fp8 `<layer>.weight` = w / scale plus a 0-d
  fp32 `<layer>.scale_weight`; everything else bf16.
- comfy_quant: per quantised Linear `<layer>.comfy_quant` (uint8 bytes of the JSON {"format": "float8_e4m3fn"}),
  a 0-d fp32 `<layer>.weight_scale` and the fp8 weight; everything else bf16.
- comfy_quant_metadata: the same weights and scales, with the per-layer formats in the safetensors metadata
  `_quantization_metadata` = {"format_version": "1.0", "layers": {layer: {"format": ...}}} (dict values: string
  values crash ComfyUI) instead of `.comfy_quant` tensors.
Scales are 0-d fp32 like those comfy_kitchen's TensorCoreFP8Layout.quantize makes (amax / finfo.max; here
rounded up to a power of two).
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Callable

import torch

PRECISIONS = ("bf16", "fp8_e4m3fn", "fp8_e5m2", "scaled_fp8", "comfy_quant", "comfy_quant_metadata")
QUANTISED_PRECISIONS = ("scaled_fp8", "comfy_quant", "comfy_quant_metadata")
PLAIN_FP8 = {"fp8_e4m3fn": torch.float8_e4m3fn, "fp8_e5m2": torch.float8_e5m2}
QUANT_FORMAT = "float8_e4m3fn"
QUANT_DTYPE = torch.float8_e4m3fn

SAFETENSORS_DTYPES = {
    torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.uint8: "U8",
    torch.float8_e4m3fn: "F8_E4M3", torch.float8_e5m2: "F8_E5M2", torch.int64: "I64",
}
DTYPE_SIZES = {"F32": 4, "F16": 2, "BF16": 2, "U8": 1, "F8_E4M3": 1, "F8_E5M2": 1, "I64": 8, "BOOL": 1,
               "I8": 1, "I16": 2, "I32": 4, "F64": 8, "U16": 2, "U32": 4, "U64": 8}


@dataclass(frozen=True)
class Entry:
    """One tensor of the file: its key, dtype, shape and a function that produces its data."""
    key: str
    dtype: torch.dtype
    shape: tuple[int, ...]
    make: Callable[[], torch.Tensor]


def comfy_quant_tensor(conf: dict) -> torch.Tensor:
    return torch.tensor(list(json.dumps(conf).encode("utf-8")), dtype=torch.uint8)


def fp8_scale(w: torch.Tensor, dtype: torch.dtype = QUANT_DTYPE) -> torch.Tensor:
    """A 0-d fp32 per-tensor scale >= amax / finfo.max, rounded up to a power of two so that w / scale is exact in
    bf16 and the fp8 cast is the only rounding (cheap for 400 M-parameter files, no fp32 copy)."""
    amax = float(w.abs().amax().float())
    ratio = max(amax / torch.finfo(dtype).max, 2.0 ** -100)
    return torch.tensor(2.0 ** math.ceil(math.log2(ratio)), dtype=torch.float32)


def quantise(w: torch.Tensor, scale: torch.Tensor, dtype: torch.dtype = QUANT_DTYPE) -> torch.Tensor:
    """round(w / scale) in fp8 (scale a power of two, so the division is exact in w's dtype)."""
    return (w * (1.0 / float(scale))).to(dtype)


def layout(shapes: dict[str, tuple[int, ...]], base: Callable[[str], torch.Tensor], precision: str, *,
           linear_weights: list[str], keep_fp32: frozenset[str] = frozenset()
           ) -> tuple[list[Entry], dict[str, str]]:
    """The entries (in file order) and the safetensors metadata of one checkpoint in `precision`.

    `base(key)` returns the bf16 master value of a tensor; every format is derived from the same values.
    """
    if precision not in PRECISIONS:
        raise ValueError(f"unknown precision {precision!r}; expected one of {PRECISIONS}")
    entries: list[Entry] = []
    metadata: dict[str, str] = {"format": "pt"}

    def cast(key, dtype):
        return lambda: base(key).to(dtype)

    if precision == "bf16":
        entries = [Entry(k, torch.bfloat16, s, cast(k, torch.bfloat16)) for k, s in shapes.items()]
    elif precision in PLAIN_FP8:
        fp8 = PLAIN_FP8[precision]
        for k, s in shapes.items():
            dtype = torch.float32 if k in keep_fp32 else fp8
            entries.append(Entry(k, dtype, s, cast(k, dtype)))
    else:
        quantised = set(linear_weights)
        layers: dict[str, dict] = {}
        if precision == "scaled_fp8":
            entries.append(Entry("scaled_fp8", QUANT_DTYPE, (0,), lambda: torch.empty((0,), dtype=QUANT_DTYPE)))
        for k, s in shapes.items():
            if k not in quantised:
                entries.append(Entry(k, torch.bfloat16, s, cast(k, torch.bfloat16)))
                continue
            layer = k[:-len(".weight")]
            scale_key = f"{layer}.scale_weight" if precision == "scaled_fp8" else f"{layer}.weight_scale"
            entries.append(Entry(k, QUANT_DTYPE, s, (lambda key=k: quantise(base(key), fp8_scale(base(key))))))
            entries.append(Entry(scale_key, torch.float32, (), (lambda key=k: fp8_scale(base(key)))))
            conf = {"format": QUANT_FORMAT}
            layers[layer] = conf
            if precision == "comfy_quant":
                data = comfy_quant_tensor(conf)
                entries.append(Entry(f"{layer}.comfy_quant", torch.uint8, tuple(data.shape), (lambda d=data: d)))
        if precision == "comfy_quant_metadata":
            metadata["_quantization_metadata"] = json.dumps({"format_version": "1.0", "layers": layers})
    return entries, metadata
