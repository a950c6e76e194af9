"""The pack's packages are imported one way only: every file once per process, one routing registry.

Checked in a fresh interpreter: in the test process itself the ComfyUI tier also loads the pack the way
ComfyUI does (from a folder of another name), which is a second package by design of ComfyUI's loader.
"""
import subprocess
import sys
from pathlib import Path

from import_roots import absolute_imports

REPO_ROOT = Path(__file__).resolve().parent.parent

CHECK = """
import sys
from pathlib import Path
sys.path.append({tests!r})
import pack_import
pack_import.install()
import routing
import model_loaders.model_workflow
import tiny_models  # the test helpers import the pack's key tables too

assert model_loaders.model_workflow.default_registry is routing.default_registry
assert model_loaders.model_workflow.BaseAdvancedWorkflow is routing.BaseAdvancedWorkflow
pack_folders = [Path({repo!r}) / folder for folder in ("model_loaders", "routing", "nodes")]
modules_by_file = {{}}
for name, module in list(sys.modules.items()):
    file = getattr(module, "__file__", None)
    if file and any(Path(file).resolve().is_relative_to(folder) for folder in pack_folders):
        modules_by_file.setdefault(str(Path(file).resolve()), set()).add(id(module))
twice = [file for file, ids in modules_by_file.items() if len(ids) > 1]
assert len(modules_by_file) > 10 and not twice, twice
print("ok", len(modules_by_file))
"""


def test_every_pack_file_is_loaded_once_and_there_is_one_registry():
    code = CHECK.format(tests=str(REPO_ROOT / "tests"), repo=str(REPO_ROOT))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("ok")


def test_the_pack_imports_its_own_packages_relatively_only():
    own = {"routing", "model_loaders"}  # `import nodes` is ComfyUI's own module, not the pack's folder
    for folder in ("model_loaders", "routing", "nodes"):
        for source in (REPO_ROOT / folder).rglob("*.py"):
            for line, roots in absolute_imports(source):
                assert not roots & own, f"{source}:{line} imports {roots & own} absolutely"
