"""The description of one tiny test checkpoint: what it is, what ComfyUI must make of it, how to condition it."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

Shapes = dict[str, tuple[int, ...]]


@dataclass(frozen=True)
class Conditioning:
    """Random conditioning of the family's real shapes for one sampling step.

    `extra` holds further conditioning-dict entries, encoded so that no torch is needed here:
    a tuple of ints is a random tensor of that shape; a list of such tuples is a list of random tensors
    (e.g. `reference_latents`); a dict of name -> shape is an object with those tensor attributes
    (e.g. `clip_vision_output.penultimate_hidden_states`); anything else (a float, a str) is used as is.
    """
    context: tuple[int, int, int]          # cross_attn [B, L, D]
    pooled: tuple[int, ...] | None         # pooled_output shape, None where the family has none
    latent: tuple[int, ...]                # a small latent the model samples (video: [B, C, T, H, W])
    extra: dict[str, Any] = field(default_factory=dict)
    pooled_key_required: bool = False      # HunyuanVideo reads kwargs["pooled_output"]: the key must exist
    # CFG for a test step: > 1 runs cond and uncond as a batch of 2. HunyuanVideo 1.0 is guidance-distilled and
    # its workflows use cfg 1 (FluxGuidance instead); ComfyUI 0.8.0 also fails a batched step with
    # guiding_frame_index (comfy/ldm/flux/layers.py:155, 16 vs 2).
    cfg: float = 2.0


@dataclass(frozen=True)
class VariantSpec:
    id: str
    family: str                            # "wan" | "hunyuan_video" | "qwen_image" | "newbie"
    expected_variant: str                  # the id model_loaders' inspector must report for the file
    comfy_config_class: str                # the class in comfy/supported_models.py ComfyUI must pick
    file_stem: str                         # carries the hints a real file name carries
    conditioning: Conditioning
    shapes_fn: Callable[[], Shapes] = field(repr=False, compare=False)
    expert: str | None = None              # Wan 2.2 A14B: "high_noise" / "low_noise"
    # Tensors the ComfyUI module keeps in fp32 whatever the dtype (real fp8 files keep them fp32 too).
    keep_fp32: frozenset[str] = frozenset()
    # 2-D ".weight" tensors that are not nn.Linear weights (embeddings): never quantised.
    not_linear: frozenset[str] = frozenset()
    # Same key set and weights as another variant; only the file name differs (written as a hard link).
    same_weights_as: str | None = None
    large: bool = False                    # full-width family (hundreds of MB): sample it sparingly

    def tensor_shapes(self) -> Shapes:
        return dict(self.shapes_fn())

    def linear_weights(self) -> list[str]:
        """Keys of nn.Linear weights: the tensors the scaled / comfy_quant formats store as fp8."""
        return [k for k, s in self.shapes_fn().items()
                if k.endswith(".weight") and len(s) == 2 and k not in self.not_linear]

    def parameter_count(self) -> int:
        total = 0
        for shape in self.shapes_fn().values():
            n = 1
            for d in shape:
                n *= d
            total += n
        return total
