"""Run one of ComfyUI's own nodes in process, V1 (FUNCTION method) or V3 (`execute` classmethod) alike.

Nodes are looked up in ComfyUI's registry (nodes.NODE_CLASS_MAPPINGS), so the router uses exactly the node
classes the running server offers; a node missing from this ComfyUI version gives an error naming it.
"""
from __future__ import annotations


class MissingComfyNodeError(RuntimeError):
    pass


def node_class(name: str):
    import nodes
    cls = nodes.NODE_CLASS_MAPPINGS.get(name)
    if cls is None:
        raise MissingComfyNodeError(f"ComfyUI node {name!r} is not available in this ComfyUI; the StoryCore router "
                                    f"needs it for this recipe (update ComfyUI, or check that its built-in "
                                    f"comfy_extras nodes loaded without errors)")
    return cls


def run_node(name: str, **inputs) -> tuple:
    """The node's outputs as a tuple."""
    cls = node_class(name)
    function = getattr(cls, "FUNCTION", None)
    if function is not None:  # V1
        return tuple(getattr(cls(), function)(**inputs))
    output = cls.execute(**inputs)  # V3: io.NodeOutput
    return tuple(output.args)
