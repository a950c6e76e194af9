"""The package must load under any parent name (ComfyUI) and never pull in torch or comfy."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from import_roots import absolute_imports

ROUTING_DIR = Path(__file__).resolve().parents[2] / "routing"


def test_only_relative_imports_of_the_package_itself():
    forbidden = {"routing", "model_loaders", "torch", "comfy", "nodes", "folder_paths", "comfy_extras"}
    for source in ROUTING_DIR.glob("*.py"):
        for line, roots in absolute_imports(source):
            assert not roots & forbidden, f"{source.name}:{line} imports {roots & forbidden}"


def test_loads_as_a_subpackage_of_any_folder_without_torch(tmp_path):
    pack = tmp_path / "Some-Custom_Pack"
    pack.mkdir()
    (pack / "__init__.py").write_text("")
    os.symlink(ROUTING_DIR, pack / "routing")
    code = (
        "import importlib, sys\n"
        f"sys.path.insert(0, {str(tmp_path)!r})\n"
        "m = importlib.import_module('Some-Custom_Pack.routing')\n"
        "assert m.Router and m.WorkflowManager and m.Capability.TEXT_TO_VIDEO\n"
        "assert 'routing' not in sys.modules, 'loaded a second, top-level copy'\n"
        "bad = [n for n in ('torch', 'comfy', 'yaml') if n in sys.modules]\n"
        "assert not bad, bad\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
