"""Qwen-Image: the official ComfyUI templates' sampling values per variant, and the quality priors (plain data).

Keys are the variant ids of DECLARATIONS. Values are the templates' effective values without the optional
Lightning LoRAs (shared/reference/comfyui-recipes.md §0, §1.5-§1.8). The Edit templates scale the input to about
1 MP: 1024x1024 is that size for a square input.
"""
_AURAFLOW = dict(sampler="euler", scheduler="simple", shift_node="auraflow")

TEMPLATE_DEFAULTS = {
    "qwen_image": dict(shift=3.1, steps=20, cfg=4, width=1328, height=1328, **_AURAFLOW),
    # Image super-resolution: the upscaled image refined at the official upscale pattern's denoise 0.33 (§1.10; no
    # Qwen template does this) with the text-to-image values. The size is the input's x upscale_factor.
    "qwen_image/super_resolution": dict(shift=3.1, steps=20, cfg=4, width=1328, height=1328, denoise=0.33,
                                        **_AURAFLOW),
    "qwen_image_edit": dict(shift=3, steps=20, cfg=2.5, width=1024, height=1024, **_AURAFLOW),
    "qwen_image_edit_2509": dict(shift=3, steps=20, cfg=4, width=1024, height=1024, **_AURAFLOW),
    # The Relight template (§1.7) without its Lightning LoRA: AuraFlow 3, 20 / 4 (Light-Migration: 3.1, 20 / 4).
    "qwen_image_edit_2509/image_relighting": dict(shift=3, steps=20, cfg=4, width=1024, height=1024, **_AURAFLOW),
    "qwen_image_edit_2511": dict(shift=3.1, steps=40, cfg=4, width=1024, height=1024, **_AURAFLOW),
    "qwen_image_layered": dict(shift=1, steps=20, cfg=2.5, width=640, height=640, **_AURAFLOW),
}

# Judgements, not measurements: the router multiplies them by the measured success rate.
QUALITY_PRIORS = {"text_to_image": 0.88, "image_editing": 0.88, "layered_generation": 0.80,
                  "image_relighting": 0.75, "super_resolution": 0.75}
