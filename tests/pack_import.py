"""Import the pack as one package in tests and scripts, the way ComfyUI does.

Inside ComfyUI the pack is a package named after its folder (`<folder>.routing`, `<folder>.model_loaders`)
and its modules import each other relatively only. Tests and benchmarks write `import routing` and
`import model_loaders`: `install()` makes those names aliases of `storycore_pack.routing` and
`storycore_pack.model_loaders`, so every file of the pack is loaded once per process (one routing registry)
and relative imports between the two packages work. The pack's own `__init__.py`, which needs ComfyUI, is
not run.
"""
import importlib
import importlib.abc
import importlib.util
import sys
import types
from pathlib import Path

PACKAGE = "storycore_pack"
ALIASED = ("routing", "model_loaders")
REPO_ROOT = Path(__file__).resolve().parent.parent


class _AliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Resolves `routing[.x]` / `model_loaders[.x]` to the already-imported `storycore_pack.` module."""

    def find_spec(self, name, path=None, target=None):
        if name.split(".", 1)[0] not in ALIASED:
            return None
        return importlib.util.spec_from_loader(name, self)

    def create_module(self, spec):
        return importlib.import_module(f"{PACKAGE}.{spec.name}")

    def exec_module(self, module):
        pass  # the real module has run already, under its package name


def install() -> None:
    if PACKAGE not in sys.modules:
        package = types.ModuleType(PACKAGE, "The StoryCore pack's subpackages (its __init__.py is not run).")
        package.__path__ = [str(REPO_ROOT)]
        sys.modules[PACKAGE] = package
    if not any(isinstance(finder, _AliasFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _AliasFinder())
