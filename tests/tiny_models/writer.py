"""Writing the fixtures: a streaming safetensors writer (one tensor in memory at a time), the seeded weights,
the checkpoint cache, and header-only sparse files."""
from __future__ import annotations

import functools
import json
import math
import os
import zlib
from pathlib import Path

import torch

from .precision import DTYPE_SIZES, SAFETENSORS_DTYPES, Entry, layout
from .spec import Shapes, VariantSpec

BASE_SEED = 20260826
STD = 0.02
POOL_SIZE = 4_194_301  # a prime just under 2**22


def _header_bytes(tensors: list[tuple[str, str, tuple[int, ...]]], metadata: dict[str, str] | None) -> tuple[bytes, int]:
    """The 8-byte length + JSON header (space-padded to 8 bytes) and the data size, tensors stored in list order."""
    header: dict = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    offset = 0
    for key, dtype_name, shape in tensors:
        n = DTYPE_SIZES[dtype_name]
        for d in shape:
            n *= d
        header[key] = {"dtype": dtype_name, "shape": list(shape), "data_offsets": [offset, offset + n]}
        offset += n
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    raw += b" " * (-len(raw) % 8)
    return len(raw).to_bytes(8, "little") + raw, offset


def _atomic_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def write_entries(path: Path, entries: list[Entry], metadata: dict[str, str] | None = None) -> Path:
    """Stream `entries` into a safetensors file, producing one tensor at a time; atomic (temp name + os.replace)."""
    path = Path(path)
    head, _ = _header_bytes([(e.key, SAFETENSORS_DTYPES[e.dtype], e.shape) for e in entries], metadata)
    tmp = _atomic_path(path)
    try:
        with open(tmp, "wb") as f:
            f.write(head)
            for e in entries:
                t = e.make()
                if t.dtype != e.dtype or tuple(t.shape) != tuple(e.shape):
                    raise AssertionError(f"{e.key}: produced {t.dtype} {tuple(t.shape)}, declared {e.dtype} {e.shape}")
                if t.numel():
                    f.write(t.contiguous().reshape(-1).view(torch.uint8).numpy().data)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def write_sparse_checkpoint(path, tensor_shapes: dict[str, tuple[int, ...]], dtype_name: str = "F8_E4M3",
                            metadata: dict[str, str] | None = None) -> Path:
    """A valid safetensors header with contiguous data_offsets, then truncate() to the full size without writing
    data: a sparse file of real size (for header-only benchmarks of 14B-shaped files). Data reads as zeros."""
    path = Path(path)
    head, data_size = _header_bytes([(k, dtype_name, tuple(s)) for k, s in tensor_shapes.items()], metadata)
    tmp = _atomic_path(path)
    try:
        with open(tmp, "wb") as f:
            f.write(head)
            f.truncate(len(head) + data_size)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def _is_norm_scale(key: str, shape: tuple[int, ...]) -> bool:
    # 1-D ".weight" (RMSNorm / LayerNorm), HunyuanVideo's QK-norm ".scale" and WanVAE's RMS_norm ".gamma".
    return (key.endswith((".weight", ".scale")) and len(shape) == 1) or key.endswith(".gamma")


def seeded_weights(seed_name: str, shapes: Shapes):
    """base(key) -> the bf16 master value: norm scales 1, biases 0, everything else N(0, 0.02), seeded per tensor
    (so the value of a key does not depend on which other keys exist or their order)."""
    @functools.lru_cache(maxsize=2)  # a quantised weight is asked for twice in a row (weight, then its scale)
    def base(key: str) -> torch.Tensor:
        shape = shapes[key]
        if _is_norm_scale(key, shape):
            return torch.ones(shape, dtype=torch.bfloat16)
        if key.endswith(".bias") or 0 in shape:
            return torch.zeros(shape, dtype=torch.bfloat16)
        g = torch.Generator().manual_seed(BASE_SEED ^ zlib.crc32(f"{seed_name}/{key}".encode()))
        n = math.prod(shape)
        if n <= POOL_SIZE:
            return torch.empty(shape, dtype=torch.bfloat16).normal_(0.0, STD, generator=g)
        # Large weights (Qwen / NewBie blocks): tile a seeded pool of normals, 5x faster than drawing every value.
        # POOL_SIZE is prime, so rows (any length < POOL_SIZE) start at distinct offsets: no two rows are equal.
        pool = torch.empty(POOL_SIZE, dtype=torch.bfloat16).normal_(0.0, STD, generator=g)
        return pool.repeat(-(-n // POOL_SIZE))[:n].reshape(shape)
    return base


def checkpoint_path(spec: VariantSpec, precision: str, directory) -> Path:
    return Path(directory) / f"{spec.file_stem}_{precision}.safetensors"


def read_header(path) -> dict:
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        return json.loads(f.read(n))


def _header_matches(path: Path, entries: list[Entry], metadata: dict[str, str]) -> bool:
    """A cached file is reused only if its header is exactly what this code would write (keys, dtypes, shapes,
    metadata): a stale file from an older table (e.g. in a persistent TINY_MODELS_DIR) is rewritten."""
    try:
        header = read_header(path)
    except (OSError, ValueError):
        return False
    found_meta = header.pop("__metadata__", {})
    expected = {e.key: (SAFETENSORS_DTYPES[e.dtype], list(e.shape)) for e in entries}
    return found_meta == metadata and {k: (v["dtype"], v["shape"]) for k, v in header.items()} == expected


def write_variant(spec: VariantSpec, precision: str, directory, variants: dict[str, VariantSpec]) -> Path:
    path = checkpoint_path(spec, precision, directory)
    shapes = spec.tensor_shapes()
    entries, metadata = layout(shapes, seeded_weights(spec.id, shapes), precision,
                               linear_weights=spec.linear_weights(), keep_fp32=spec.keep_fp32)
    if path.exists() and _header_matches(path, entries, metadata):
        return path
    Path(directory).mkdir(parents=True, exist_ok=True)
    if spec.same_weights_as:
        # Same bytes as the base variant; only the (hint-carrying) file name differs: a hard link saves disk.
        source = write_variant(variants[spec.same_weights_as], precision, directory, variants)
        tmp = _atomic_path(path)
        try:
            os.link(source, tmp)
        except OSError:
            import shutil
            shutil.copyfile(source, tmp)
        os.replace(tmp, path)
        return path
    return write_entries(path, entries, metadata)
