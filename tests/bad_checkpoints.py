"""Broken and hostile model files, built byte by byte (no torch), each with the words its error must say.

Shared by the plain inspector tests and the ComfyUI server tests.
"""
import json
import struct
from dataclasses import dataclass
from pathlib import Path


def safetensors_bytes(header: dict, data: bytes = b"", header_size: int | None = None) -> bytes:
    raw = json.dumps(header).encode()
    return struct.pack("<Q", len(raw) if header_size is None else header_size) + raw + data


def tensor(dtype: str, shape: list, begin: int, end: int) -> dict:
    return {"dtype": dtype, "shape": shape, "data_offsets": [begin, end]}


@dataclass(frozen=True)
class BadFile:
    file_name: str
    content: bytes
    message_parts: tuple[str, ...]  # lower-case fragments the error message must contain

    def write(self, folder: Path) -> Path:
        path = folder / self.file_name
        path.write_bytes(self.content)
        return path


ONE_TENSOR = {"x.weight": tensor("F32", [16], 0, 64)}

BAD_FILES = [
    BadFile("too_short.safetensors", b"\x01\x02\x03", ("too short", "truncated")),
    BadFile("truncated.safetensors", safetensors_bytes(ONE_TENSOR, b"\0" * 40), ("truncated", "64", "40")),
    BadFile("header_longer_than_file.safetensors", safetensors_bytes(ONE_TENSOR, b"", header_size=10_000),
            ("header length", "10000", "truncated")),
    BadFile("header_not_json.safetensors", struct.pack("<Q", 12) + b"{not json!!}", ("not valid utf-8 json",)),
    BadFile("header_not_object.safetensors", safetensors_bytes([1, 2, 3]), ("json list", "not an object")),
    BadFile("offsets_outside.safetensors",
            safetensors_bytes({"x.weight": tensor("F32", [16], 1000, 1064)}, b"\0" * 64),
            ("up to byte 1064", "truncated")),
    BadFile("overlapping.safetensors",
            safetensors_bytes({"a.weight": tensor("F32", [16], 0, 64), "b.weight": tensor("F32", [16], 32, 96)},
                              b"\0" * 96),
            ("overlap", "a.weight", "b.weight")),
    BadFile("unknown_dtype.safetensors", safetensors_bytes({"x.weight": tensor("F7", [16], 0, 16)}, b"\0" * 16),
            ("unknown dtype", "f7")),
    BadFile("size_mismatch.safetensors", safetensors_bytes({"x.weight": tensor("F32", [4], 0, 8)}, b"\0" * 8),
            ("needs 16 bytes", "span 8")),
    BadFile("unknown_architecture.safetensors",
            safetensors_bytes({"encoder.layers.0.weight": tensor("F32", [16], 0, 64)}, b"\0" * 64),
            ("unknown architecture", "encoder", "wan", "head.modulation")),
    BadFile("pickle_in_disguise.safetensors", b"\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00}\x94.",
            ("pickle", "never unpickles")),
    BadFile("torch_zip_in_disguise.safetensors", b"PK\x03\x04" + b"\0" * 60, ("zip archive",)),
    BadFile("legacy_model.ckpt", b"\x80\x04\x95\x10\x00\x00\x00", ("pickle-based", ".ckpt", "safetensors")),
]

# Names a prompt may send that must never be opened.
BAD_NAMES = [
    ("../../etc/passwd", ("climbs out",)),
    ("/etc/passwd", ("absolute path",)),
    ("..\\..\\windows\\win.ini", ("climbs out",)),
    ("does_not_exist.safetensors", ("was not found",)),
]
