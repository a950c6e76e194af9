"""NewBie-image: the official ComfyUI template's sampling values, and the quality priors (plain data).

Keys are the variant ids of DECLARATIONS (comfyui-families.md §4.2, NewBie Exp0.1 template).
"""
TEMPLATE_DEFAULTS = {
    "newbie": dict(shift=6, steps=20, cfg=5.5, sampler="res_multistep", scheduler="simple", width=1024, height=1536,
                   shift_node="auraflow"),
}

# Judgements, not measurements: the router multiplies them by the measured success rate.
QUALITY_PRIORS = {"anime_generation": 0.90, "text_to_image": 0.70}
