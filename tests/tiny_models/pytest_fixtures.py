"""The shared fixture directory. Test modules do `from tiny_models.pytest_fixtures import tiny_models_dir`.

Every module that imports the fixture gets the same directory (under pytest's session base temp), so each file is
generated once per session. Set TINY_MODELS_DIR to keep the files between sessions (faster local re-runs).
"""
import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def tiny_models_dir(tmp_path_factory) -> Path:
    configured = os.environ.get("TINY_MODELS_DIR")
    if configured:
        path = Path(configured).expanduser()
    else:
        path = tmp_path_factory.getbasetemp() / "tiny_models"
    path.mkdir(parents=True, exist_ok=True)
    return path
