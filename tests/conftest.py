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

# One folder of generated tiny checkpoints per test session (or TINY_MODELS_DIR), shared by every test.
from tiny_models.pytest_fixtures import tiny_models_dir  # noqa: E402,F401
