"""Shared test setup.

The pack's plain-Python packages (`routing`, `model_loaders`) are imported as top-level packages by the
tests. The repo root is *appended* to sys.path (never prepended) so that the pack's `nodes/` folder can
never shadow ComfyUI's own `nodes` module in the ComfyUI tier.
"""
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.append(str(REPO_ROOT))

# Make `tests/` helpers (comfyui_location, tiny_models) importable from every test folder.
TESTS_DIR = Path(__file__).resolve().parent
if str(TESTS_DIR) not in sys.path:
    sys.path.append(str(TESTS_DIR))

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def tiny_models_dir(tmp_path_factory):
    """One folder per test session for the generated tiny checkpoints: each file is written once."""
    return tmp_path_factory.mktemp("tiny_models")
