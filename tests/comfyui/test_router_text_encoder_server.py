"""Opt-in (slow, ~6 GB of RAM): the router's prompt -> text encoder path inside real ComfyUI. A Wan workflow gets
no CONDITIONING, so the router loads its text encoder through ComfyUI (comfy.sd.load_clip, type wan) and encodes
the prompt with ComfyUI's CLIPTextEncode before sampling.

The text encoder is a full-size UMT5-XXL file with every key of ComfyUI's module (umt5_config_xxl.json) and zero
weights, stored sparse (fp8 linears), whose `spiece_model` is a real SentencePiece model trained here on a few
sentences (the UMT5 tokenizer lives inside the checkpoint and a zero tensor would not parse).

    STORYCORE_SLOW_TESTS=1 pytest tests/comfyui/test_router_text_encoder_server.py
"""
import io
import json
import os

import pytest

from router_prompts import loader_node, router_node, router_output, run_ok
from tiny_models.writer import DTYPE_SIZES

pytestmark = pytest.mark.skipif(os.environ.get("STORYCORE_SLOW_TESTS") != "1",
                                reason="opt-in: set STORYCORE_SLOW_TESTS=1 (loads a full-size text encoder)")

TE_NAME = "umt5_xxl_fp8_e4m3fn_zero_weights.safetensors"
CORPUS = ["a red fox runs through the snow", "the city at night with neon lights", "a cat sleeps on a warm sofa",
          "waves crash on a rocky shore at sunset", "an old man reads a book in the library"] * 20


def spiece_model_bytes() -> bytes:
    import sentencepiece as spm
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(sentence_iterator=iter(CORPUS), model_writer=model, vocab_size=40,
                                   pad_id=0, eos_id=1, unk_id=2, bos_id=-1, minloglevel=2)
    return model.getvalue()


def umt5_tensors(config: dict) -> list[tuple[str, str, tuple[int, ...]]]:
    d, ff, inner = config["d_model"], config["d_ff"], config["num_heads"] * config["d_kv"]
    out = [("shared.weight", "F16", (config["vocab_size"], d))]
    for i in range(config["num_layers"]):
        p = f"encoder.block.{i}.layer."
        out += [(f"{p}0.SelfAttention.{n}.weight", "F8_E4M3", (inner, d)) for n in "qkv"]
        out += [(f"{p}0.SelfAttention.o.weight", "F8_E4M3", (d, inner)),
                (f"{p}0.SelfAttention.relative_attention_bias.weight", "F16",
                 (config["relative_attention_num_buckets"], config["num_heads"])),
                (f"{p}0.layer_norm.weight", "F16", (d,)),
                (f"{p}1.DenseReluDense.wi_0.weight", "F8_E4M3", (ff, d)),
                (f"{p}1.DenseReluDense.wi_1.weight", "F8_E4M3", (ff, d)),
                (f"{p}1.DenseReluDense.wo.weight", "F8_E4M3", (d, ff)),
                (f"{p}1.layer_norm.weight", "F16", (d,))]
    return out + [("encoder.final_layer_norm.weight", "F16", (d,))]


def write_zero_umt5(path, config: dict) -> None:
    """Header, the tokenizer's bytes, then zeros up to the full size without writing them (a sparse file)."""
    spiece = spiece_model_bytes()
    tensors = [("spiece_model", "U8", (len(spiece),))] + umt5_tensors(config)
    header, offset = {}, 0
    for key, dtype, shape in tensors:
        n = DTYPE_SIZES.get(dtype, 1)
        for dim in shape:
            n *= dim
        header[key] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + n]}
        offset += n
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    with open(path, "wb") as f:
        f.write(len(raw).to_bytes(8, "little") + raw)
        f.write(spiece)
        f.truncate(8 + len(raw) + offset)


def test_the_prompt_goes_through_the_workflows_text_encoder(comfyui_server_workdir, tiny_models_dir, request):
    from comfyui_location import find_comfyui
    config = json.loads((find_comfyui() / "comfy" / "text_encoders" / "umt5_config_xxl.json").read_text())
    models_root = comfyui_server_workdir / "models"
    te_path = models_root / "text_encoders" / TE_NAME
    te_path.parent.mkdir(parents=True, exist_ok=True)
    if not te_path.exists():
        write_zero_umt5(te_path, config)
    server = request.getfixturevalue("comfyui_server")
    loader = loader_node("wan21_t2v", "fp8_e4m3fn", models_root, tiny_models_dir, text_encoder=TE_NAME)
    prompt = {"wan": loader, "router": router_node(["wan"], prompt="a red fox runs through the snow",
                                                   negative_prompt="blurry")}
    _, report = router_output(run_ok(server, prompt, timeout=1800))
    assert report["success"] and report["request"]["conditioning"] == "encoded from the prompt"
    assert report["timings_s"]["encode"] > 0
    assert report["output"]["latent_shape"] == [1, 16, 2, 8, 8]
