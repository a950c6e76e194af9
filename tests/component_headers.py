"""Real-shape, header-only companion files (text encoders, VAEs, CLIP vision) and LoRA builders for the tests.

Where the shapes come from: a one-off script built each module of ComfyUI 0.33.0 on the meta device and took its
state_dict() shapes: text encoders as `<Model>(device="meta").transformer` (comfy.text_encoders.wan.UMT5XXlModel,
comfy.sd1_clip.SDClipModel, hunyuan_video.LLAMAModel, qwen_image.Qwen25_7BVLIModel, hunyuan_image.ByT5SmallModel,
lumina2.Gemma3_4BModel, jina_clip_2.JinaClip2TextModel), CLIP vision as comfy.clip_vision.ClipVisionModel(<json>)
.model (clip_vision_config_h, clip_vision_siglip_384, clip_vision_config_vitl_336_llava), VAEs as the modules
comfy.sd.VAE.__init__ builds (comfy.ldm.wan.vae2_2.WanVAE(dim=160, z_dim=48), AutoencoderKL conv3d z16,
hunyuan_video.vae_refiner z32, the KL AutoencodingEngine z16). Only the keys ComfyUI's detection reads and a few
more for realism (embeddings, the first and last layer) are kept here, with their real shapes, so the sparse files
have real-size tensors; tests/comfyui/test_component_detection_in_comfyui.py feeds the same tables to ComfyUI's
own detect_te_model. The Wan 2.1 VAE uses the full table of tests/tiny_models/vae.py at the real dim 96.
"""
from __future__ import annotations

from pathlib import Path

from tiny_models import wan21_vae_tensor_shapes, write_sparse_checkpoint

Shapes = dict[str, tuple[int, ...]]

COMPONENT_SHAPES: dict[str, Shapes] = {
    'umt5_xxl': {
        'encoder.block.0.layer.0.SelfAttention.q.weight': (4096, 4096),
        'encoder.block.0.layer.0.SelfAttention.k.weight': (4096, 4096),
        'encoder.block.0.layer.0.SelfAttention.v.weight': (4096, 4096),
        'encoder.block.0.layer.0.SelfAttention.o.weight': (4096, 4096),
        'encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight': (32, 64),
        'encoder.block.0.layer.0.layer_norm.weight': (4096,),
        'encoder.block.0.layer.1.DenseReluDense.wi_0.weight': (10240, 4096),
        'encoder.block.0.layer.1.DenseReluDense.wi_1.weight': (10240, 4096),
        'encoder.block.0.layer.1.DenseReluDense.wo.weight': (4096, 10240),
        'encoder.block.0.layer.1.layer_norm.weight': (4096,),
        'encoder.block.1.layer.0.SelfAttention.q.weight': (4096, 4096),
        'encoder.block.1.layer.0.SelfAttention.k.weight': (4096, 4096),
        'encoder.block.1.layer.0.SelfAttention.v.weight': (4096, 4096),
        'encoder.block.1.layer.0.SelfAttention.o.weight': (4096, 4096),
        'encoder.block.1.layer.0.SelfAttention.relative_attention_bias.weight': (32, 64),
        'encoder.block.1.layer.0.layer_norm.weight': (4096,),
        'encoder.block.1.layer.1.DenseReluDense.wi_0.weight': (10240, 4096),
        'encoder.block.1.layer.1.DenseReluDense.wi_1.weight': (10240, 4096),
        'encoder.block.1.layer.1.DenseReluDense.wo.weight': (4096, 10240),
        'encoder.block.1.layer.1.layer_norm.weight': (4096,),
        'encoder.block.23.layer.1.DenseReluDense.wi_1.weight': (10240, 4096),
        'encoder.final_layer_norm.weight': (4096,),
        'shared.weight': (256384, 4096),
    },
    'clip_l': {
        'text_model.embeddings.token_embedding.weight': (49408, 768),
        'text_model.embeddings.position_embedding.weight': (77, 768),
        'text_model.encoder.layers.0.layer_norm1.weight': (768,),
        'text_model.encoder.layers.0.layer_norm1.bias': (768,),
        'text_model.encoder.layers.0.self_attn.q_proj.weight': (768, 768),
        'text_model.encoder.layers.0.self_attn.q_proj.bias': (768,),
        'text_model.encoder.layers.0.self_attn.k_proj.weight': (768, 768),
        'text_model.encoder.layers.0.self_attn.k_proj.bias': (768,),
        'text_model.encoder.layers.0.self_attn.v_proj.weight': (768, 768),
        'text_model.encoder.layers.0.self_attn.v_proj.bias': (768,),
        'text_model.encoder.layers.0.self_attn.out_proj.weight': (768, 768),
        'text_model.encoder.layers.0.self_attn.out_proj.bias': (768,),
        'text_model.encoder.layers.0.layer_norm2.weight': (768,),
        'text_model.encoder.layers.0.layer_norm2.bias': (768,),
        'text_model.encoder.layers.0.mlp.fc1.weight': (3072, 768),
        'text_model.encoder.layers.0.mlp.fc1.bias': (3072,),
        'text_model.encoder.layers.0.mlp.fc2.weight': (768, 3072),
        'text_model.encoder.layers.0.mlp.fc2.bias': (768,),
        'text_model.encoder.layers.11.layer_norm1.weight': (768,),
        'text_model.encoder.layers.11.layer_norm1.bias': (768,),
        'text_model.encoder.layers.11.self_attn.q_proj.weight': (768, 768),
        'text_model.encoder.layers.11.self_attn.q_proj.bias': (768,),
        'text_model.encoder.layers.11.self_attn.k_proj.weight': (768, 768),
        'text_model.encoder.layers.11.self_attn.k_proj.bias': (768,),
        'text_model.encoder.layers.11.self_attn.v_proj.weight': (768, 768),
        'text_model.encoder.layers.11.self_attn.v_proj.bias': (768,),
        'text_model.encoder.layers.11.self_attn.out_proj.weight': (768, 768),
        'text_model.encoder.layers.11.self_attn.out_proj.bias': (768,),
        'text_model.encoder.layers.11.layer_norm2.weight': (768,),
        'text_model.encoder.layers.11.layer_norm2.bias': (768,),
        'text_model.encoder.layers.11.mlp.fc1.weight': (3072, 768),
        'text_model.encoder.layers.11.mlp.fc1.bias': (3072,),
        'text_model.encoder.layers.11.mlp.fc2.weight': (768, 3072),
        'text_model.encoder.layers.11.mlp.fc2.bias': (768,),
        'text_model.final_layer_norm.weight': (768,),
        'text_projection.weight': (768, 768),
    },
    'llama3_8b_llava': {
        'model.embed_tokens.weight': (128320, 4096),
        'model.layers.0.self_attn.q_proj.weight': (4096, 4096),
        'model.layers.0.self_attn.k_proj.weight': (1024, 4096),
        'model.layers.0.self_attn.v_proj.weight': (1024, 4096),
        'model.layers.0.self_attn.o_proj.weight': (4096, 4096),
        'model.layers.0.mlp.gate_proj.weight': (14336, 4096),
        'model.layers.0.mlp.up_proj.weight': (14336, 4096),
        'model.layers.0.mlp.down_proj.weight': (4096, 14336),
        'model.layers.0.input_layernorm.weight': (4096,),
        'model.layers.0.post_attention_layernorm.weight': (4096,),
        'model.layers.31.self_attn.q_proj.weight': (4096, 4096),
        'model.layers.31.self_attn.k_proj.weight': (1024, 4096),
        'model.layers.31.self_attn.v_proj.weight': (1024, 4096),
        'model.layers.31.self_attn.o_proj.weight': (4096, 4096),
        'model.layers.31.mlp.gate_proj.weight': (14336, 4096),
        'model.layers.31.mlp.up_proj.weight': (14336, 4096),
        'model.layers.31.mlp.down_proj.weight': (4096, 14336),
        'model.layers.31.input_layernorm.weight': (4096,),
        'model.layers.31.post_attention_layernorm.weight': (4096,),
        'model.norm.weight': (4096,),
    },
    'qwen25_7b_vl': {
        'model.embed_tokens.weight': (152064, 3584),
        'model.layers.0.self_attn.q_proj.weight': (3584, 3584),
        'model.layers.0.self_attn.q_proj.bias': (3584,),
        'model.layers.0.self_attn.k_proj.weight': (512, 3584),
        'model.layers.0.self_attn.k_proj.bias': (512,),
        'model.layers.0.self_attn.v_proj.weight': (512, 3584),
        'model.layers.0.self_attn.v_proj.bias': (512,),
        'model.layers.0.self_attn.o_proj.weight': (3584, 3584),
        'model.layers.0.mlp.gate_proj.weight': (18944, 3584),
        'model.layers.0.mlp.up_proj.weight': (18944, 3584),
        'model.layers.0.mlp.down_proj.weight': (3584, 18944),
        'model.layers.0.input_layernorm.weight': (3584,),
        'model.layers.0.post_attention_layernorm.weight': (3584,),
        'model.layers.27.self_attn.q_proj.weight': (3584, 3584),
        'model.layers.27.self_attn.q_proj.bias': (3584,),
        'model.layers.27.self_attn.k_proj.weight': (512, 3584),
        'model.layers.27.self_attn.k_proj.bias': (512,),
        'model.layers.27.self_attn.v_proj.weight': (512, 3584),
        'model.layers.27.self_attn.v_proj.bias': (512,),
        'model.layers.27.self_attn.o_proj.weight': (3584, 3584),
        'model.layers.27.mlp.gate_proj.weight': (18944, 3584),
        'model.layers.27.mlp.up_proj.weight': (18944, 3584),
        'model.layers.27.mlp.down_proj.weight': (3584, 18944),
        'model.layers.27.input_layernorm.weight': (3584,),
        'model.layers.27.post_attention_layernorm.weight': (3584,),
        'model.norm.weight': (3584,),
        'visual.patch_embed.proj.weight': (1280, 3, 2, 14, 14),
        'visual.blocks.0.norm1.weight': (1280,),
        'visual.blocks.0.norm2.weight': (1280,),
        'visual.blocks.0.attn.qkv.weight': (3840, 1280),
        'visual.blocks.0.attn.qkv.bias': (3840,),
        'visual.blocks.0.attn.proj.weight': (1280, 1280),
        'visual.blocks.0.attn.proj.bias': (1280,),
        'visual.merger.ln_q.weight': (1280,),
    },
    'byt5_small_glyph': {
        'encoder.block.0.layer.0.SelfAttention.q.weight': (384, 1472),
        'encoder.block.0.layer.0.SelfAttention.k.weight': (384, 1472),
        'encoder.block.0.layer.0.SelfAttention.v.weight': (384, 1472),
        'encoder.block.0.layer.0.SelfAttention.o.weight': (1472, 384),
        'encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight': (32, 6),
        'encoder.block.0.layer.0.layer_norm.weight': (1472,),
        'encoder.block.0.layer.1.DenseReluDense.wi_0.weight': (3584, 1472),
        'encoder.block.0.layer.1.DenseReluDense.wi_1.weight': (3584, 1472),
        'encoder.block.0.layer.1.DenseReluDense.wo.weight': (1472, 3584),
        'encoder.block.0.layer.1.layer_norm.weight': (1472,),
        'encoder.final_layer_norm.weight': (1472,),
        'shared.weight': (1510, 1472),
    },
    'gemma3_4b': {
        'model.embed_tokens.weight': (262208, 2560),
        'model.layers.0.self_attn.q_proj.weight': (2048, 2560),
        'model.layers.0.self_attn.k_proj.weight': (1024, 2560),
        'model.layers.0.self_attn.v_proj.weight': (1024, 2560),
        'model.layers.0.self_attn.o_proj.weight': (2560, 2048),
        'model.layers.0.self_attn.q_norm.weight': (256,),
        'model.layers.0.self_attn.k_norm.weight': (256,),
        'model.layers.0.mlp.gate_proj.weight': (10240, 2560),
        'model.layers.0.mlp.up_proj.weight': (10240, 2560),
        'model.layers.0.mlp.down_proj.weight': (2560, 10240),
        'model.layers.0.input_layernorm.weight': (2560,),
        'model.layers.0.post_attention_layernorm.weight': (2560,),
        'model.layers.0.pre_feedforward_layernorm.weight': (2560,),
        'model.layers.0.post_feedforward_layernorm.weight': (2560,),
        'model.layers.33.self_attn.q_proj.weight': (2048, 2560),
        'model.layers.33.self_attn.k_proj.weight': (1024, 2560),
        'model.layers.33.self_attn.v_proj.weight': (1024, 2560),
        'model.layers.33.self_attn.o_proj.weight': (2560, 2048),
        'model.layers.33.self_attn.q_norm.weight': (256,),
        'model.layers.33.self_attn.k_norm.weight': (256,),
        'model.layers.33.mlp.gate_proj.weight': (10240, 2560),
        'model.layers.33.mlp.up_proj.weight': (10240, 2560),
        'model.layers.33.mlp.down_proj.weight': (2560, 10240),
        'model.layers.33.input_layernorm.weight': (2560,),
        'model.layers.33.post_attention_layernorm.weight': (2560,),
        'model.layers.33.pre_feedforward_layernorm.weight': (2560,),
        'model.layers.33.post_feedforward_layernorm.weight': (2560,),
        'model.norm.weight': (2560,),
    },
    'jina_clip_v2': {
        'model.embeddings.word_embeddings.weight': (250002, 1024),
        'model.emb_ln.weight': (1024,),
        'model.encoder.layers.0.mixer.Wqkv.weight': (3072, 1024),
        'model.encoder.layers.0.mixer.Wqkv.bias': (3072,),
        'model.encoder.layers.0.mixer.out_proj.weight': (1024, 1024),
        'model.encoder.layers.0.mixer.out_proj.bias': (1024,),
        'model.encoder.layers.23.mixer.Wqkv.weight': (3072, 1024),
        'model.encoder.layers.23.mixer.Wqkv.bias': (3072,),
        'model.encoder.layers.23.mixer.out_proj.weight': (1024, 1024),
        'model.encoder.layers.23.mixer.out_proj.bias': (1024,),
    },
    'clip_vision_h': {
        'vision_model.embeddings.class_embedding': (1280,),
        'vision_model.embeddings.patch_embedding.weight': (1280, 3, 14, 14),
        'vision_model.embeddings.position_embedding.weight': (257, 1280),
        'vision_model.encoder.layers.0.layer_norm1.weight': (1280,),
        'vision_model.encoder.layers.0.mlp.fc1.weight': (5120, 1280),
        'vision_model.encoder.layers.0.mlp.fc1.bias': (5120,),
        'vision_model.encoder.layers.0.mlp.fc2.weight': (1280, 5120),
        'vision_model.encoder.layers.0.mlp.fc2.bias': (1280,),
        'vision_model.encoder.layers.30.layer_norm1.weight': (1280,),
        'vision_model.encoder.layers.31.layer_norm1.weight': (1280,),
        'vision_model.post_layernorm.weight': (1280,),
        'visual_projection.weight': (1024, 1280),
    },
    'siglip_384': {
        'vision_model.embeddings.patch_embedding.weight': (1152, 3, 14, 14),
        'vision_model.embeddings.position_embedding.weight': (729, 1152),
        'vision_model.encoder.layers.0.layer_norm1.weight': (1152,),
        'vision_model.encoder.layers.0.mlp.fc1.weight': (4304, 1152),
        'vision_model.encoder.layers.0.mlp.fc1.bias': (4304,),
        'vision_model.encoder.layers.0.mlp.fc2.weight': (1152, 4304),
        'vision_model.encoder.layers.0.mlp.fc2.bias': (1152,),
        'vision_model.encoder.layers.22.layer_norm1.weight': (1152,),
        'vision_model.encoder.layers.26.layer_norm1.weight': (1152,),
        'vision_model.post_layernorm.weight': (1152,),
    },
    'llava_llama3_vision': {
        'vision_model.embeddings.class_embedding': (1024,),
        'vision_model.embeddings.patch_embedding.weight': (1024, 3, 14, 14),
        'vision_model.embeddings.position_embedding.weight': (577, 1024),
        'vision_model.encoder.layers.0.layer_norm1.weight': (1024,),
        'vision_model.encoder.layers.22.layer_norm1.weight': (1024,),
        'vision_model.encoder.layers.23.layer_norm1.weight': (1024,),
        'multi_modal_projector.linear_1.weight': (4096, 1024),
        'multi_modal_projector.linear_1.bias': (4096,),
        'multi_modal_projector.linear_2.weight': (4096, 4096),
    },
    'wan22_vae': {
        'encoder.conv1.weight': (160, 12, 3, 3, 3),
        'conv1.weight': (96, 96, 1, 1, 1),
        'conv2.weight': (48, 48, 1, 1, 1),
        'decoder.conv1.weight': (1024, 48, 3, 3, 3),
        'decoder.middle.0.residual.0.gamma': (1024, 1, 1, 1),
        'decoder.middle.0.residual.2.weight': (1024, 1024, 3, 3, 3),
        'decoder.middle.0.residual.2.bias': (1024,),
        'decoder.middle.0.residual.3.gamma': (1024, 1, 1, 1),
        'decoder.middle.0.residual.6.weight': (1024, 1024, 3, 3, 3),
        'decoder.middle.0.residual.6.bias': (1024,),
        'decoder.upsamples.0.upsamples.0.residual.0.gamma': (1024, 1, 1, 1),
        'decoder.upsamples.0.upsamples.0.residual.2.weight': (1024, 1024, 3, 3, 3),
        'decoder.upsamples.0.upsamples.0.residual.2.bias': (1024,),
        'decoder.upsamples.0.upsamples.0.residual.3.gamma': (1024, 1, 1, 1),
        'decoder.upsamples.0.upsamples.0.residual.6.weight': (1024, 1024, 3, 3, 3),
        'decoder.upsamples.0.upsamples.0.residual.6.bias': (1024,),
        'decoder.head.0.gamma': (256, 1, 1, 1),
        'decoder.head.2.weight': (12, 256, 3, 3, 3),
    },
    'hunyuan_video_vae': {
        'encoder.conv_in.conv.weight': (128, 3, 3, 3, 3),
        'decoder.conv_in.conv.weight': (512, 16, 3, 3, 3),
        'decoder.conv_in.conv.bias': (512,),
        'decoder.mid.block_1.norm1.weight': (512,),
        'decoder.mid.block_1.norm1.bias': (512,),
        'decoder.mid.block_1.conv1.conv.weight': (512, 512, 3, 3, 3),
        'decoder.mid.block_1.conv1.conv.bias': (512,),
        'decoder.mid.block_1.norm2.weight': (512,),
        'decoder.mid.block_1.norm2.bias': (512,),
        'decoder.mid.block_1.conv2.conv.weight': (512, 512, 3, 3, 3),
        'decoder.mid.block_1.conv2.conv.bias': (512,),
        'decoder.conv_out.conv.weight': (3, 128, 3, 3, 3),
        'quant_conv.weight': (32, 32, 1, 1, 1),
        'post_quant_conv.weight': (16, 16, 1, 1, 1),
    },
    'hunyuan_video_15_vae': {
        'encoder.conv_in.conv.weight': (128, 3, 3, 3, 3),
        'decoder.conv_in.conv.weight': (1024, 32, 3, 3, 3),
        'decoder.conv_in.conv.bias': (1024,),
        'decoder.mid.block_1.norm1.gamma': (1024, 1, 1, 1),
        'decoder.mid.block_1.conv1.conv.weight': (1024, 1024, 3, 3, 3),
        'decoder.mid.block_1.conv1.conv.bias': (1024,),
        'decoder.mid.block_1.temb_proj.weight': (1024, 512),
        'decoder.mid.block_1.temb_proj.bias': (1024,),
        'decoder.mid.block_1.norm2.gamma': (1024, 1, 1, 1),
        'decoder.mid.block_1.conv2.conv.weight': (1024, 1024, 3, 3, 3),
        'decoder.mid.block_1.conv2.conv.bias': (1024,),
        'decoder.conv_out.conv.weight': (3, 128, 3, 3, 3),
    },
    'flux_vae': {
        'encoder.conv_in.weight': (128, 3, 3, 3),
        'decoder.conv_in.weight': (512, 16, 3, 3),
        'decoder.conv_in.bias': (512,),
        'decoder.mid.block_1.norm1.weight': (512,),
        'decoder.mid.block_1.norm1.bias': (512,),
        'decoder.mid.block_1.conv1.weight': (512, 512, 3, 3),
        'decoder.mid.block_1.conv1.bias': (512,),
        'decoder.mid.block_1.norm2.weight': (512,),
        'decoder.mid.block_1.norm2.bias': (512,),
        'decoder.mid.block_1.conv2.weight': (512, 512, 3, 3),
        'decoder.mid.block_1.conv2.bias': (512,),
        'decoder.conv_out.weight': (3, 128, 3, 3),
        # ComfyUI takes a KL VAE without this key for the x4 upscaler's (ch_mult [1, 2, 4]); ae.safetensors has it.
        'decoder.up.3.upsample.conv.weight': (512, 512, 3, 3),
    },
}
COMPONENT_SHAPES["wan21_vae"] = wan21_vae_tensor_shapes(96)   # the real wan_2.1_vae.safetensors has dim 96

# The file names of the official releases (they carry no meaning for detection; messages quote them).
FILE_NAMES = {
    "umt5_xxl": "umt5_xxl_fp8_e4m3fn_scaled.safetensors", "clip_l": "clip_l.safetensors",
    "llama3_8b_llava": "llava_llama3_fp8_scaled.safetensors", "qwen25_7b_vl": "qwen_2.5_vl_7b_fp8_scaled.safetensors",
    "byt5_small_glyph": "byt5_small_glyphxl_fp16.safetensors", "gemma3_4b": "gemma_3_4b_it_bf16.safetensors",
    "jina_clip_v2": "jina_clip_v2_bf16.safetensors", "clip_vision_h": "clip_vision_h.safetensors",
    "siglip_384": "sigclip_vision_patch14_384.safetensors", "llava_llama3_vision": "llava_llama3_vision.safetensors",
    "wan21_vae": "wan_2.1_vae.safetensors", "wan22_vae": "wan2.2_vae.safetensors",
    "hunyuan_video_vae": "hunyuan_video_vae_bf16.safetensors",
    "hunyuan_video_15_vae": "hunyuanvideo15_vae_fp16.safetensors", "flux_vae": "ae.safetensors",
}
TEXT_ENCODERS = ("umt5_xxl", "clip_l", "llama3_8b_llava", "qwen25_7b_vl", "byt5_small_glyph", "gemma3_4b",
                 "jina_clip_v2")
VAES = ("wan21_vae", "wan22_vae", "hunyuan_video_vae", "hunyuan_video_15_vae", "flux_vae")
CLIP_VISIONS = ("clip_vision_h", "siglip_384", "llava_llama3_vision")


def component_shapes(kind: str) -> Shapes:
    return dict(COMPONENT_SHAPES[kind])


def write_component(kind: str, directory, file_name: str | None = None, *, shapes: Shapes | None = None,
                    prefix: str = "", dtype_name: str = "BF16") -> Path:
    """A sparse real-size file of `kind` (or of `shapes`), keys optionally under `prefix`."""
    table = component_shapes(kind) if shapes is None else shapes
    path = Path(directory) / (file_name or FILE_NAMES[kind])
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_sparse_checkpoint(path, {prefix + k: v for k, v in table.items()}, dtype_name)


def linear_modules(model_shapes: Shapes, contains: str = "") -> dict[str, tuple[int, int]]:
    """module path -> (out, in) of every 2-D `.weight` of a diffusion-model table (the layers LoRAs target)."""
    return {k[: -len(".weight")]: tuple(s) for k, s in model_shapes.items()
            if k.endswith(".weight") and len(s) == 2 and contains in k}


def lora_shapes(modules: dict[str, tuple[int, int]], rank: int = 4, key_format: str = "diffusion_model") -> Shapes:
    """LoRA tensors for `modules` in one of ComfyUI's key formats:
    "diffusion_model" (diffusion_model.<m>.lora_A/.lora_B.weight), "lora_unet" (lora_unet_<m_>.lora_down/.lora_up
    .weight + .alpha), "wan_fun" (lora_unet__<m_>..., Wan Fun's double underscore), "transformer"
    (transformer.<m>.lora_A/.lora_B.weight) and "bare" (<m>.lora_down/.lora_up.weight)."""
    s: Shapes = {}
    for module, (out_f, in_f) in modules.items():
        if key_format in ("lora_unet", "wan_fun"):
            head = ("lora_unet__" if key_format == "wan_fun" else "lora_unet_") + module.replace(".", "_")
            s[f"{head}.lora_down.weight"] = (rank, in_f)
            s[f"{head}.lora_up.weight"] = (out_f, rank)
            s[f"{head}.alpha"] = ()
        elif key_format == "bare":
            s[f"{module}.lora_down.weight"] = (rank, in_f)
            s[f"{module}.lora_up.weight"] = (out_f, rank)
        else:
            head = {"diffusion_model": "diffusion_model.", "transformer": "transformer."}[key_format] + module
            s[f"{head}.lora_A.weight"] = (rank, in_f)
            s[f"{head}.lora_B.weight"] = (out_f, rank)
    return s
