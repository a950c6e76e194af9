"""Shared test setup.

The tests import the pack's plain-Python packages as `routing` and `model_loaders`: pack_import makes those
names aliases of one package, as ComfyUI loads the pack. The repo root is never put on sys.path, so the
pack's `nodes/` folder cannot shadow ComfyUI's own `nodes` module in the ComfyUI tier.
"""
import sys
from pathlib import Path

# Make `tests/` helpers (comfyui_location, tiny_models) importable from every test folder.
TESTS_DIR = Path(__file__).resolve().parent
if str(TESTS_DIR) not in sys.path:
    sys.path.append(str(TESTS_DIR))

import pack_import  # noqa: E402

pack_import.install()

# One folder of generated tiny checkpoints per test session (or TINY_MODELS_DIR), shared by every test.
from tiny_models.pytest_fixtures import tiny_models_dir  # noqa: E402,F401
