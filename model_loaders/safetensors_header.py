"""Read and validate a safetensors header without touching the tensor data.

Format: 8-byte little-endian header length N, N bytes of UTF-8 JSON, then the data region. The JSON maps
tensor names to {"dtype", "shape", "data_offsets": [begin, end]} (offsets relative to the data region) and
may hold a "__metadata__" dict of strings. Only the first 8 + N bytes are ever read.
"""
import json
import math
import os
import struct
from dataclasses import dataclass, field
from pathlib import Path

from .errors import CorruptCheckpointError, UnsafeCheckpointFormatError

# Bits per element of every dtype the safetensors format defines.
DTYPE_BITS = {
    "BOOL": 8, "U8": 8, "I8": 8, "F8_E4M3": 8, "F8_E5M2": 8, "F8_E8M0": 8,
    "I16": 16, "U16": 16, "F16": 16, "BF16": 16,
    "I32": 32, "U32": 32, "F32": 32,
    "I64": 64, "U64": 64, "F64": 64, "C64": 64,
    "F4": 4, "F6_E2M3": 6, "F6_E3M2": 6,
}
MAX_HEADER_BYTES = 100 * 1024 * 1024  # the safetensors library's own limit
PICKLE_MAGICS = {b"PK\x03\x04": "a PyTorch zip archive (torch.save)", b"\x80": "a Python pickle"}


@dataclass(frozen=True)
class TensorInfo:
    name: str
    dtype: str
    shape: tuple[int, ...]
    begin: int
    end: int

    @property
    def numel(self) -> int:
        return math.prod(self.shape)

    @property
    def nbytes(self) -> int:
        return self.end - self.begin


@dataclass(frozen=True)
class SafetensorsHeader:
    path: Path
    file_size: int
    header_size: int
    tensors: dict[str, TensorInfo]
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def bytes_read(self) -> int:
        return 8 + self.header_size

    @property
    def data_bytes(self) -> int:
        return sum(t.nbytes for t in self.tensors.values())


def read_safetensors_header(path: str | os.PathLike) -> SafetensorsHeader:
    """Parse and validate the header of `path`. Raises CorruptCheckpointError with the fix in the message."""
    path = Path(path)
    name = path.name
    file_size = path.stat().st_size
    with open(path, "rb") as f:
        prefix = f.read(8)
        _refuse_pickle(name, prefix + f.read(1))
        f.seek(8)
        if len(prefix) < 8:
            raise CorruptCheckpointError(
                f"{name}: the file is {file_size} bytes, too short for a safetensors header: it is truncated "
                f"or not a safetensors file. Download or copy it again")
        (header_size,) = struct.unpack("<Q", prefix)
        if header_size > MAX_HEADER_BYTES:
            raise CorruptCheckpointError(
                f"{name}: the header length field says {header_size} bytes, more than the 100 MB safetensors "
                f"limit: this is not a safetensors file (or its first bytes are damaged). Re-download it")
        if 8 + header_size > file_size:
            raise CorruptCheckpointError(
                f"{name}: the header length field says {header_size} bytes but the file has only "
                f"{file_size - 8} bytes after it: the file is truncated or not a safetensors file. "
                f"Download or copy it again")
        raw = f.read(header_size)
    header = _parse_json(name, raw)
    metadata = _parse_metadata(name, header.pop("__metadata__", None))
    tensors = {key: _parse_tensor(name, key, entry) for key, entry in header.items()}
    _check_data_region(name, tensors, data_size=file_size - 8 - header_size)
    return SafetensorsHeader(path=path, file_size=file_size, header_size=header_size,
                             tensors=tensors, metadata=metadata)


def _refuse_pickle(name: str, head: bytes) -> None:
    """Name pickle/zip files renamed to .safetensors. A real header's JSON starts with '{' at byte 8."""
    if head[8:9] == b"{":
        return
    for magic, what in PICKLE_MAGICS.items():
        if head.startswith(magic):
            raise UnsafeCheckpointFormatError(
                f"{name}: the file is {what}, not safetensors, despite its name. StoryCore never unpickles "
                f"files (that can run arbitrary code): get the .safetensors release of this model")


def _parse_json(name: str, raw: bytes) -> dict:
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CorruptCheckpointError(
            f"{name}: the safetensors header is not valid UTF-8 JSON ({exc}): the file is damaged or not a "
            f"safetensors file. Download or copy it again") from None
    if not isinstance(header, dict):
        raise CorruptCheckpointError(
            f"{name}: the safetensors header is a JSON {type(header).__name__}, not an object mapping tensor "
            f"names to their layout: the file is damaged or not a safetensors file")
    return header


def _parse_metadata(name: str, metadata) -> dict[str, str]:
    if metadata is None:
        return {}
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise CorruptCheckpointError(
            f"{name}: '__metadata__' must map names to strings; found {type(metadata).__name__}. "
            f"The file was written by a non-conforming tool: re-save it with the safetensors library")
    return metadata


def _parse_tensor(name: str, key: str, entry) -> TensorInfo:
    if not isinstance(entry, dict):
        raise CorruptCheckpointError(f"{name}: header entry {key!r} is not an object: the file is damaged")
    dtype, shape, offsets = entry.get("dtype"), entry.get("shape"), entry.get("data_offsets")
    if dtype not in DTYPE_BITS:
        raise CorruptCheckpointError(
            f"{name}: tensor {key!r} has unknown dtype {dtype!r} (known: {', '.join(sorted(DTYPE_BITS))}). "
            f"The file is damaged or was written by an incompatible tool")
    if not (isinstance(shape, list) and all(_is_count(d) for d in shape)):
        raise CorruptCheckpointError(
            f"{name}: tensor {key!r} has an invalid shape {shape!r} (expected a list of non-negative integers)")
    if not (isinstance(offsets, list) and len(offsets) == 2 and all(_is_count(o) for o in offsets)
            and offsets[0] <= offsets[1]):
        raise CorruptCheckpointError(
            f"{name}: tensor {key!r} has invalid data_offsets {offsets!r} (expected [begin, end] with "
            f"0 <= begin <= end)")
    info = TensorInfo(key, dtype, tuple(shape), offsets[0], offsets[1])
    expected = math.ceil(info.numel * DTYPE_BITS[dtype] / 8)
    if info.nbytes != expected:
        raise CorruptCheckpointError(
            f"{name}: tensor {key!r} ({dtype} {list(shape)}) needs {expected} bytes but its data_offsets "
            f"span {info.nbytes}: the header is inconsistent, the file is damaged")
    return info


def _is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _check_data_region(name: str, tensors: dict[str, TensorInfo], data_size: int) -> None:
    ordered = sorted(tensors.values(), key=lambda t: (t.begin, t.end))
    needed = max((t.end for t in ordered), default=0)
    if needed > data_size:
        raise CorruptCheckpointError(
            f"{name}: the header places tensor data up to byte {needed} of the data region but the file holds "
            f"only {data_size} bytes there: the file is truncated (incomplete download or copy). "
            f"Download or copy it again")
    previous = None
    for tensor in ordered:
        if previous is not None and tensor.begin < previous.end and tensor.nbytes and previous.nbytes:
            raise CorruptCheckpointError(
                f"{name}: tensors {previous.name!r} [{previous.begin}, {previous.end}) and {tensor.name!r} "
                f"[{tensor.begin}, {tensor.end}) overlap in the data region: the header is damaged")
        if previous is None or tensor.end > previous.end:
            previous = tensor
