"""ComfyUI node classes: thin adapters from ComfyUI's V3 schema to model_loaders/ and routing/."""
from .family_loaders import FAMILY_LOADERS
from .inspector import CheckpointInspector
from .router import StoryCoreAdvancedRouter
from .server_routes import register_routes
from .workflow_components import WorkflowModels, WorkflowTextEncoder

NODE_LIST = [CheckpointInspector, *FAMILY_LOADERS, WorkflowModels, WorkflowTextEncoder, StoryCoreAdvancedRouter]

register_routes()  # only inside a running ComfyUI server
