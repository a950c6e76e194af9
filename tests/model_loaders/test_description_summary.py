"""The one-line summary the Inspector shows above its JSON."""
import pytest

from model_loaders import CheckpointDescription
from model_loaders.description_summary import format_bytes, format_count, summarize_description


def description(**changes) -> CheckpointDescription:
    fields = dict(file_name="wan2.1_t2v_14B_fp8_e4m3fn.safetensors", file_size=14_290_100_000, family="wan",
                  family_name="Wan", variant="wan21_t2v", variant_name="Wan 2.1 T2V", variant_source="weights",
                  ambiguous_with=(), expert=None, comfy_model_class="WAN21_T2V", architecture={},
                  precision={"format": "fp8_e4m3fn"}, parameter_count=14_288_901_184, weight_bytes=14_290_000_000,
                  tensor_count=1095, key_prefix="", header_bytes_read=120_000)
    fields.update(changes)
    return CheckpointDescription(**fields)


def test_the_summary_names_variant_precision_size_and_comfyui_class():
    assert summarize_description(description()) == \
        "Wan 2.1 T2V · fp8_e4m3fn · 14.3 B params · 13.3 GiB · ComfyUI class WAN21_T2V"


def test_an_a14b_expert_and_the_variants_with_the_same_weights_are_named():
    text = summarize_description(description(variant="wan22_a14b_t2v", variant_name="Wan 2.2 A14B T2V",
                                             expert="high_noise", variant_source="file name",
                                             ambiguous_with=("wan21_t2v",)))
    first, second = text.splitlines()
    assert first.startswith("Wan 2.2 A14B T2V (high-noise expert) · fp8_e4m3fn · ")
    assert second == "same weights as Wan 2.1 T2V: variant from the file name"


def test_a_default_choice_among_identical_variants_says_so():
    text = summarize_description(description(ambiguous_with=("wan22_a14b_t2v",)))
    assert text.splitlines()[1] == "same weights as Wan 2.2 A14B T2V: variant by default"


@pytest.mark.parametrize("count,shown", [(14_288_901_184, "14.3 B"), (905_792, "905.8 K"), (2_682_304, "2.7 M"),
                                         (999, "999")])
def test_counts(count, shown):
    assert format_count(count) == shown


@pytest.mark.parametrize("size,shown", [(14_290_000_000, "13.3 GiB"), (5_364_608, "5.1 MiB"), (919_152, "897.6 KiB"),
                                        (12, "12 bytes")])
def test_sizes(size, shown):
    assert format_bytes(size) == shown
