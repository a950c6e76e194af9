"""StoryCore Advanced Workflows: a ComfyUI node pack.

Registration is V3 only (`comfy_entrypoint`). Exporting NODE_CLASS_MAPPINGS as well would make ComfyUI
silently drop every V3 node, so this module deliberately does not.
"""
from comfy_api.latest import ComfyExtension, io

from .nodes import NODE_LIST

WEB_DIRECTORY = "./web"


class StoryCoreExtension(ComfyExtension):
    async def get_node_list(self) -> list[type[io.ComfyNode]]:
        return list(NODE_LIST)


async def comfy_entrypoint() -> StoryCoreExtension:
    return StoryCoreExtension()
