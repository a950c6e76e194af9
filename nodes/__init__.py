"""ComfyUI node classes: thin adapters from ComfyUI's V3 schema to model_loaders/ and routing/."""
from .inspector import CheckpointInspector

NODE_LIST = [CheckpointInspector]
