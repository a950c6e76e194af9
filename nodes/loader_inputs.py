"""Input builders and file resolution shared by the StoryCore loader nodes (ComfyUI V3 schema)."""
import os

import folder_paths
from comfy_api.latest import io

from ..model_loaders import CheckpointError, resolve_model_file
from ..model_loaders.file_ranking import order_note, rank_files, slot_fit
from ..model_loaders.precision import PRECISION_CHOICES

NONE = "none"
PRECISION_TOOLTIP = ("auto: plain fp8 files stay fp8 (the dtype is passed explicitly so ComfyUI does not up-cast "
                     "them), scaled / comfy_quant files keep their own quantisation. fp8_e4m3fn / fp8_e5m2: store "
                     "the weights in that fp8 type. fp8_e4m3fn_fast: also use fp8 matrix multiplication on GPUs "
                     "that have it (Ada, Hopper, Blackwell). as_stored: the file's own dtype.")
LORA_SLOTS = 2
LORA_STRENGTH_RANGE = (-10.0, 10.0)


def empty_folder_choice(folder: str) -> str:
    """What an input shows when its model folder holds no file (instead of an empty widget)."""
    return f"no files in models/{folder}"


def file_choice(family: str, input_id: str, folder: str, tooltip: str, *, allow_none: bool = False,
                optional: bool = False) -> io.Combo.Input:
    """A file list ordered for this loader input (model_loaders.file_ranking), its first file the default
    ('none' first where allow_none). optional: an optional input of the schema (an API prompt may leave it out,
    which reads as 'none').

    An empty folder of a required input lists nothing and shows empty_folder_choice(folder) as its value: ComfyUI's
    own list check then reports that one input ("not in []"), as it reports any name that is not in the folder."""
    fit = slot_fit(family, input_id)
    names = folder_paths.get_filename_list(folder)
    options = rank_files([(name, folder_paths.get_full_path(folder, name)) for name in names], fit)
    if allow_none:
        options = [NONE] + options
    default = options[0] if options else empty_folder_choice(folder)
    return io.Combo.Input(input_id, options=options, default=default, tooltip=f"{tooltip} {order_note(fit)}",
                          optional=optional)


def lora_inputs(family: str) -> list:
    inputs = []
    for slot in range(1, LORA_SLOTS + 1):
        inputs.append(file_choice(family, f"lora_{slot}", "loras", f"Optional LoRA {slot} (models/loras), applied "
                                  "through ComfyUI's own LoRA loading, e.g. a lightning or relighting LoRA.",
                                  allow_none=True))
        inputs.append(io.Float.Input(f"lora_{slot}_strength", default=1.0, min=LORA_STRENGTH_RANGE[0],
                                     max=LORA_STRENGTH_RANGE[1], step=0.01,
                                     tooltip=f"Strength of LoRA {slot} on the diffusion model."))
    return inputs


def precision_input() -> io.Combo.Input:
    return io.Combo.Input("precision", options=list(PRECISION_CHOICES), default="auto", tooltip=PRECISION_TOOLTIP)


def variant_input(overridable: list[str]) -> io.Combo.Input:
    return io.Combo.Input("variant", options=["auto"] + overridable, default="auto",
                          tooltip="Which variant the file is, where its weights cannot tell (identical layouts). "
                                  "auto: from the weights, then the file name.")


def resolve(folder: str, name: str | None):
    """The path of a chosen file, or None for an empty optional slot. Raises CheckpointError."""
    if name is None or name == NONE:
        return None
    return resolve_model_file(name, folder, folder_paths.get_folder_paths(folder))


def file_fingerprint(chosen: dict[str, tuple[str, str | None]]) -> str:
    """Changes when any chosen file changes on disk, so ComfyUI re-runs the node instead of serving its cache."""
    parts = []
    for input_name, (folder, name) in sorted(chosen.items()):
        try:
            path = resolve(folder, name)
            stat = os.stat(path) if path else None
        except (CheckpointError, OSError):
            stat = None
        parts.append(f"{input_name}={name}:{stat.st_size}:{stat.st_mtime_ns}" if stat else f"{input_name}={name}")
    return "|".join(parts)
