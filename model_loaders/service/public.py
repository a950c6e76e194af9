"""Responses never reveal where files live: absolute paths in any string become their last component."""
from __future__ import annotations

import re
from typing import Any

_CHAR = r"[^\s'\"\\/,;:()\[\]{}]"      # a path character other than a space
_INNER = r"[^'\"\\/,;:()\[\]{}\r\n]*"  # ... or a space, inside a folder name ("Program Files", "my models")
# An absolute POSIX path, a Windows drive path or a UNC path; group 1 is the last component. A folder name may hold
# spaces (it ends at a separator), so "/home/my user/models/x.safetensors" becomes "x.safetensors" as a whole.
_PATH = re.compile(rf"(?<![\w.~-])(?:~|[A-Za-z]:|\\\\[^\s'\"\\/]+)?[\\/](?:{_CHAR}(?:{_INNER}{_CHAR})?[\\/])+"
                   rf"({_CHAR}*)")


def scrub(text: str) -> str:
    """`text` with every absolute path replaced by its file name."""
    return _PATH.sub(lambda m: m.group(1), text)


def public(value: Any) -> Any:
    """A JSON-able copy of `value` with every string scrubbed (dict keys too)."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {public(k) if isinstance(k, str) else k: public(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [public(v) for v in value]
    return value
