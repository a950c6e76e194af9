"""The top-level package names a Python file imports absolutely (relative imports are not listed)."""
import ast
from pathlib import Path


def absolute_imports(source: Path) -> list[tuple[int, set[str]]]:
    """(line, top-level names) of each absolute import statement in `source`."""
    found = []
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.append((node.lineno, {alias.name.split(".")[0] for alias in node.names}))
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            found.append((node.lineno, {node.module.split(".")[0]}))
    return found
