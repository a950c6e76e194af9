"""Load a diffusion-model safetensors file into a core ComfyUI ModelPatcher at the memory floor.

ComfyUI's own path (comfy.sd.load_diffusion_model) memory-maps the file, builds the model with torch.empty
parameters, then copies the mapped tensors into them: file pages + model copy are both resident (1.4-2x the
file at peak), and a file truncated on disk later turns into SIGBUS.

This module runs ComfyUI's own configuration steps (same functions, same order as
comfy.sd.load_diffusion_model_state_dict) on a state dict of *placeholders* (meta tensors: shape and dtype, no
data; only the small quantisation bookkeeping tensors are read for real), so detection, dtype choice, operation
classes and key conversions are ComfyUI's. Then it fills the weights by reading the file with pread, one group of
modules at a time, straight into the parameters' own (still untouched) storage when the stored dtype and shape
equal the parameter's; otherwise into a fresh tensor that ComfyUI's own _load_from_state_dict converts or wraps
(MixedPrecisionOps builds QuantizedTensor from weight + weight_scale + comfy_quant). Every byte is read once and
lives once: peak RSS is the model plus one group.

torch / comfy are imported inside functions: `model_loaders` must stay importable without them.
"""
from __future__ import annotations

import inspect
import logging
from pathlib import Path

from .errors import CheckpointError, CorruptCheckpointError, UnknownArchitectureError
from .load_progress import comfyui_load_progress
from .precision import choose_precision, is_quant_aux
from .safetensors_header import read_safetensors_header
from .weights_reader import WeightsFile, torch_dtype

log = logging.getLogger(__name__)

# Modules are handed to load_state_dict in groups of about this size: bounds the transient fresh tensors.
GROUP_BYTES = 64 * 1024 * 1024


def model_options_for(description, precision: str = "auto") -> dict:
    """ComfyUI model_options for a checkpoint (a CheckpointDescription) and the precision picked on the loader
    (the rule itself is precision.choose_precision). Raises PrecisionChoiceError."""
    return model_options_from_choice(choose_precision(description, precision))


def model_options_from_choice(choice) -> dict:
    """ComfyUI model_options for a precision.PrecisionChoice already made (e.g. at validation)."""
    import torch
    options = {"dtype": getattr(torch, choice.weight_dtype)} if choice.weight_dtype else {}
    if choice.fp8_optimizations:
        options["fp8_optimizations"] = True
    return options


def load_diffusion_file(path, model_options: dict | None = None, disable_dynamic: bool = False, header=None):
    """Load `path` like comfy.sd.load_diffusion_model(path, model_options) would, at the memory floor. Uncached.

    `header`: the file's SafetensorsHeader when the caller has read it already (and knows the file unchanged).
    Returns a core ComfyUI ModelPatcher (CoreModelPatcher where ComfyUI has one and disable_dynamic is False).
    Raises CorruptCheckpointError for damaged or truncated files, UnknownArchitectureError if ComfyUI detects no
    model in it.
    """
    path = Path(path)
    model_options = dict(model_options or {})
    header = header or read_safetensors_header(path)
    # Bytes read go to the running node's progress bar; a Cancel in ComfyUI stops the load between pieces.
    with WeightsFile(header, progress=comfyui_load_progress(header.data_bytes)) as weights:
        sd, sources = _placeholder_state_dict(weights)
        patcher, new_sd, assign = _build_like_comfyui(path, sd, dict(header.metadata), model_options, disable_dynamic)
        _fill_weights(patcher.model, new_sd, sources, weights, assign)
    if hasattr(patcher, "cached_patcher_init"):
        # ComfyUI 0.33 re-creates the model through this factory (non-dynamic clones, multi-GPU): keep it ours.
        patcher.cached_patcher_init = (load_diffusion_file, (str(path), model_options))
    return patcher


def _placeholder_state_dict(weights: WeightsFile):
    """{key: meta tensor} for the weights, real tensors for the quantisation bookkeeping (scales, markers) that
    ComfyUI reads by value while configuring. `sources` maps id(placeholder) -> TensorInfo."""
    import torch
    sd, sources = {}, {}
    for key, info in weights.header.tensors.items():
        if is_quant_aux(key):
            sd[key] = weights.new_tensor(info)
        else:
            sd[key] = torch.empty(info.shape, dtype=torch_dtype(info), device="meta")
            sources[id(sd[key])] = info
    return sd, sources


def _build_like_comfyui(path: Path, sd: dict, metadata: dict, model_options: dict, disable_dynamic: bool):
    """comfy.sd.load_diffusion_model_state_dict up to (not including) load_model_weights.

    Same ComfyUI functions in the same order; version differences are feature-detected, not read from a version
    string. Returns (patcher, state dict with ComfyUI's final keys, the `assign` flag ComfyUI would load with).
    """
    import comfy.model_detection as model_detection
    import comfy.model_management as model_management
    import comfy.model_patcher
    import comfy.utils

    dtype = model_options.get("dtype", None)
    custom_operations = model_options.get("custom_operations", None)
    # 0.33 converts legacy quant formats before and after stripping a checkpoint prefix, 0.8 after only: for a
    # diffusion-model file (no prefix) both give the same dict, and converting twice is idempotent.
    if custom_operations is None:
        sd, metadata = comfy.utils.convert_old_quants(sd, "", metadata=metadata)
    prefix = model_detection.unet_prefix_from_state_dict(sd)
    temp_sd = comfy.utils.state_dict_prefix_replace(sd, {prefix: ""}, filter_keys=True)
    if len(temp_sd) > 0:
        sd = temp_sd
        if custom_operations is None:
            sd, metadata = comfy.utils.convert_old_quants(sd, "", metadata=metadata)

    parameters = comfy.utils.calculate_parameters(sd)
    weight_dtype = comfy.utils.weight_dtype(sd)
    load_device = model_options.get("load_device", model_management.get_torch_device())
    model_config = model_detection.model_config_from_unet(sd, "", metadata=metadata)
    if model_config is None:
        # ComfyUI would try the diffusers layouts here; none of this pack's families ship in them.
        raise UnknownArchitectureError(
            f"{path.name}: ComfyUI detects no diffusion model in this file (not a Wan, HunyuanVideo, Qwen-Image or "
            f"NewBie model in ComfyUI's layout). Check that it is a diffusion model, not a text encoder or VAE")

    offload_device = model_options.get("offload_device", model_management.unet_offload_device())
    if model_config.quant_config is not None:
        weight_dtype = None
    if dtype is None:
        unet_dtype = model_management.unet_dtype(model_params=parameters,
                                                 supported_dtypes=list(model_config.supported_inference_dtypes),
                                                 weight_dtype=weight_dtype)
    else:
        unet_dtype = dtype
    cast_from = None if model_config.quant_config is not None else unet_dtype
    manual_cast_dtype = model_management.unet_manual_cast(cast_from, load_device,
                                                          model_config.supported_inference_dtypes)
    if "device" in inspect.signature(model_config.set_inference_dtype).parameters:  # 0.33
        model_config.set_inference_dtype(unet_dtype, manual_cast_dtype, device=load_device)
    else:
        model_config.set_inference_dtype(unet_dtype, manual_cast_dtype)
    if custom_operations is not None:
        model_config.custom_operations = custom_operations
    if model_options.get("fp8_optimizations", False):
        model_config.optimizations["fp8"] = True

    model = model_config.get_model(sd, "")
    core = getattr(comfy.model_patcher, "CoreModelPatcher", comfy.model_patcher.ModelPatcher)
    patcher_class = comfy.model_patcher.ModelPatcher if disable_dynamic else core
    patcher = patcher_class(model, load_device=load_device, offload_device=offload_device)
    if not model_management.is_device_cpu(offload_device):
        model.to(offload_device)
    assign = bool(patcher.is_dynamic()) if hasattr(patcher, "is_dynamic") else False
    # BaseModel.load_model_weights: process_unet_state_dict renames keys (HunyuanVideo) before load_state_dict.
    new_sd = model_config.process_unet_state_dict(dict(sd))
    return patcher, new_sd, assign


def _fill_weights(model, new_sd: dict, sources: dict, weights: WeightsFile, assign: bool) -> None:
    """Read every placeholder's bytes from the file and hand each module its tensors through its own
    _load_from_state_dict (what torch's load_state_dict calls per module), module groups in file order.

    A module gets all its tensors in one call: quantised Linear loaders pop weight + scales + comfy_quant
    together, and ComfyUI 0.8's raise when their weight is absent. Modules without tensors in the file are
    called last with nothing, as ComfyUI's single load_state_dict call would."""
    import torch
    diffusion_model = model.diffusion_model
    modules = dict(diffusion_model.named_modules())
    targets = dict(diffusion_model.named_parameters(remove_duplicate=False))
    targets.update(diffusion_model.named_buffers(remove_duplicate=False))

    owned: dict[str, list[str]] = {}
    unexpected = []
    for key, value in new_sd.items():
        if value.is_meta and id(value) not in sources:
            raise CheckpointError(
                f"{weights.path.name}: ComfyUI's key conversion for this model derives tensor {key!r} from other "
                f"tensors; the streaming loader cannot read it. Load this file with ComfyUI's own loader")
        owner = key.rpartition(".")[0]
        if owner in modules:
            owned.setdefault(owner, []).append(key)
        else:
            unexpected.append(key)  # no such module: torch reports it, nothing reads it

    def first_offset(name):
        return min((sources[id(new_sd[k])].begin for k in owned[name] if id(new_sd[k]) in sources), default=-1)

    missing, errors = [], []

    def load(name, state_dict):
        prefix = f"{name}." if name else ""
        metadata = {"assign_to_params_buffers": True} if assign else {}
        with torch.no_grad():
            modules[name]._load_from_state_dict(state_dict, prefix, metadata, True, missing, unexpected, errors)

    for group in _groups(sorted(owned, key=first_offset), owned, new_sd, sources):
        chunks, reads = {}, []
        for name in group:
            chunk = chunks.setdefault(name, {})
            for key in owned[name]:
                value = new_sd[key]
                info = sources.get(id(value))
                if info is None:
                    chunk[key] = value  # a real tensor already (scales, comfy_quant JSON)
                    continue
                target = targets.get(key)
                if _can_read_in_place(target, value):
                    # Copying a tensor onto itself is a no-op: the parameter keeps the storage we read into.
                    reads.append((info, target.data))
                    chunk[key] = target.data
                else:
                    fresh = torch.empty(info.shape, dtype=value.dtype)
                    reads.append((info, fresh))
                    chunk[key] = fresh
        weights.read_into(reads)
        for name in group:
            load(name, chunks.pop(name))
        del reads
    for name in modules:
        if name not in owned:
            load(name, {})
    if errors:
        raise CorruptCheckpointError(f"{weights.path.name}: ComfyUI cannot load these tensors into the model it "
                                     f"detected: {'; '.join(errors)}. The file is damaged or mislabelled")
    if missing:
        logging.warning("unet missing: {}".format(missing))
    if unexpected:
        logging.warning("unet unexpected: {}".format(unexpected))


def _can_read_in_place(target, placeholder) -> bool:
    import torch
    return (target is not None and type(target.data) is torch.Tensor and target.device.type == "cpu"
            and target.dtype == placeholder.dtype and tuple(target.shape) == tuple(placeholder.shape)
            and target.is_contiguous())


def _groups(names: list[str], owned: dict, new_sd: dict, sources: dict):
    group, size = [], 0
    for name in names:
        group.append(name)
        size += sum(sources[id(new_sd[k])].nbytes for k in owned[name] if id(new_sd[k]) in sources)
        if size >= GROUP_BYTES:
            yield group
            group, size = [], 0
    if group:
        yield group


def apply_lora(model, lora_path, strength: float = 1.0):
    """A clone of `model` with the LoRA in `lora_path` patched in through ComfyUI's own LoRA loading (the same
    calls as ComfyUI's LoraLoaderModelOnly); the cached base model is left untouched."""
    import comfy.sd
    import comfy.utils
    if strength == 0:
        return model
    lora = comfy.utils.load_torch_file(str(lora_path), safe_load=True)
    patched, _ = comfy.sd.load_lora_for_models(model, None, lora, strength, 0)
    return patched
