"""The component types an optional companion file (families.base.OptionalCompanion) can be: how a file of each type
is identified from its safetensors header (plain Python, for validation and the loader's file lists) and how it is
loaded (imports torch / comfy when called, for the recipe that uses it).

    register_component_type("vae", what="VAE", identify=identify_vae, load=load_vae_file)

A new type registers itself the same way, from its own module (import register_component_type from here). This
module imports components.vaes only after defining the registry, so a module imported on the way (the components
package imports the families) may register its types while this one is still being imported.
identify(path) -> an object with .kind, .file_name, .path and .weight_bytes (components.ComponentDescription), raising
CheckpointError for a file that is not of this type; load(path) -> what the recipe works with (e.g. a comfy VAE).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable


@dataclass(frozen=True)
class ComponentType:
    what: str                        # "VAE", for messages
    identify: Callable[[Any], Any]   # path or SafetensorsHeader -> ComponentDescription; raises CheckpointError
    load: Callable[[Path], Any]


COMPONENT_TYPES: dict[str, ComponentType] = {}


def register_component_type(component: str, *, what: str, identify, load) -> None:
    COMPONENT_TYPES[component] = ComponentType(what, identify, load)


def component_type(component: str) -> ComponentType:
    try:
        return COMPONENT_TYPES[component]
    except KeyError:
        raise KeyError(f"no component type {component!r} is registered (model_loaders.companion_files: "
                       f"{', '.join(sorted(COMPONENT_TYPES))})") from None


def load_vae_file(path) -> Any:
    """A VAE file through ComfyUI's own VAE class (as VAELoader does)."""
    import comfy.sd
    import comfy.utils
    sd, metadata = comfy.utils.load_torch_file(str(path), safe_load=True, return_metadata=True)
    return comfy.sd.VAE(sd=sd, metadata=metadata)


from .components.vaes import identify_vae  # noqa: E402  (after the registry: see the module docstring)

register_component_type("vae", what="VAE", identify=identify_vae, load=load_vae_file)

# The other component types register themselves from their modules (imported last: they import this module).
from .components import upscaler_types  # noqa: E402,F401  (latent_upscale_model, upscale_model)
