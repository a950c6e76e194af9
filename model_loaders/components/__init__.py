"""Identify a text-encoder, VAE, CLIP-vision, LoRA, latent-upscale or upscale-model safetensors file from its header alone, the way ComfyUI would.

One module per kind of file (text_encoders, vaes, clip_vision, loras, latent_upsamplers, upscale_models); kinds holds what each kind is called.

Plain Python (no torch, no comfy). Each detector mirrors ComfyUI's own branch order, in both supported versions
(0.8.0 = ~/ComfyUI-0.8, 0.33.0 = ~/ComfyUI; citations are "file:line" in 0.8 / 0.33):

- text encoders: comfy/sd.py `detect_te_model` (0.8 sd.py:1048-1096 / 0.33 sd.py:1610-1697) after the key fix-ups of
  `load_text_encoder_state_dicts` (0.8 sd.py:1126-1131 / 0.33 sd.py:1727-1734: OpenCLIP `transformer.resblocks`
  conversion, `lm_head.weight`). Neither version strips any other prefix from a text-encoder file.
- VAEs: comfy/sd.py `VAE.__init__` (0.8 sd.py:310-560 / 0.33 sd.py:487-840). VAELoader strips no prefix.
- CLIP vision: comfy/clip_vision.py `load` + `load_clipvision_from_sd` (0.8 clip_vision.py:100-147 /
  0.33 clip_vision.py:113-170); the OpenCLIP `visual.` form is converted.
- latent upscale models: comfy_extras/nodes_hunyuan.py `LatentUpscaleModelLoader` (0.8 :173-219 / 0.33 :179-228).
- upscale models: spandrel's ESRGAN architecture, as ComfyUI's UpscaleModelLoader loads it.
- LoRAs: comfy/lora_convert.py `convert_lora`, the adapter key suffixes of comfy/weight_adapter/lora.py `load`
  (0.8 weight_adapter/lora.py:92-125) and the key maps of comfy/lora.py `model_lora_keys_unet`
  (0.8 lora.py:175-330 / 0.33 lora.py:187-350).
"""
from .clip_vision import clip_vision_kind, identify_clip_vision
from .kinds import KINDS, ComponentDescription, UnknownComponentError, describe_kind, example_file
from .latent_upsamplers import identify_latent_upsampler, latent_upsampler_kind
from .loras import LoraDescription, LoraFit, fit_lora, identify_lora, lora_modules
from .text_encoders import identify_text_encoder, text_encoder_kind
from .upscale_models import identify_upscale_model, upscale_model_kind
from .vaes import identify_vae, vae_kind

__all__ = ["KINDS", "ComponentDescription", "LoraDescription", "LoraFit", "UnknownComponentError",
           "clip_vision_kind", "describe_kind", "example_file", "fit_lora", "identify_clip_vision",
           "identify_latent_upsampler", "identify_lora", "identify_text_encoder", "identify_upscale_model",
           "identify_vae", "latent_upsampler_kind", "lora_modules", "text_encoder_kind", "upscale_model_kind",
           "vae_kind"]
