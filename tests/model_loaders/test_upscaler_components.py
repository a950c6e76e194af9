"""Latent upscale models and ESRGAN-type upscale models identified from their headers (sparse files of the real
layouts): kind, sizes, a damaged file and a file in the wrong slot named."""
import pytest

from model_loaders.components import (UnknownComponentError, identify_latent_upsampler, identify_upscale_model,
                                      identify_vae)
from model_loaders.components.latent_upsamplers import (hunyuan_upsampler_1080p_shapes,
                                                        hunyuan_upsampler_720p_shapes)
from model_loaders.components.upscale_models import esrgan_shapes
from tiny_models import write_sparse_checkpoint


def sparse(tmp_path, name, shapes):
    return write_sparse_checkpoint(tmp_path / name, shapes, "F16")


def test_1080p_latent_upsampler_kind_and_sizes(tmp_path):
    path = sparse(tmp_path, "up.safetensors", hunyuan_upsampler_1080p_shapes(32, (1024, 1024, 512)))
    desc = identify_latent_upsampler(path)
    assert desc.kind == "hunyuan_video_15_latent_upsampler_1080p"
    assert desc.dims == {"latent_channels": 32, "out_channels": 32, "block_out_channels": (1024, 1024, 512)}
    assert desc.role == "latent_upsampler"


def test_720p_latent_upsampler_kind(tmp_path):
    desc = identify_latent_upsampler(sparse(tmp_path, "up720.safetensors", hunyuan_upsampler_720p_shapes(32, 32, 64, 6)))
    assert desc.kind == "hunyuan_video_15_latent_upsampler_720p"
    assert desc.dims["num_blocks"] == 6


def test_latent_upsampler_missing_a_weight_is_damaged(tmp_path):
    shapes = hunyuan_upsampler_1080p_shapes(32, (64, 64))
    del shapes["up.1.block.2.conv2.conv.bias"]
    with pytest.raises(UnknownComponentError, match=r"up\.1\.block\.2\.conv2\.conv\.bias.*download it again"):
        identify_latent_upsampler(sparse(tmp_path, "bad.safetensors", shapes))


@pytest.mark.parametrize("in_channels,scale", [(3, 4), (12, 2)])
def test_esrgan_scale_from_the_header(tmp_path, in_channels, scale):
    desc = identify_upscale_model(sparse(tmp_path, "x.safetensors", esrgan_shapes(64, 23, in_channels=in_channels)))
    assert desc.kind == "esrgan"
    assert (desc.dims["scale"], desc.dims["num_filters"], desc.dims["num_blocks"]) == (scale, 64, 23)


def test_old_esrgan_layout_scale(tmp_path):
    # model.0 conv, model.1 trunk, (upsample, conv, lrelu) x2 = model.2..7, model.8 HR conv, model.9 lrelu, model.10
    shapes = {"model.0.weight": (64, 3, 3, 3), "model.1.sub.0.RDB1.conv1.0.weight": (32, 64, 3, 3),
              "model.1.sub.1.weight": (64, 64, 3, 3), "model.3.weight": (64, 64, 3, 3),
              "model.6.weight": (64, 64, 3, 3), "model.8.weight": (64, 64, 3, 3), "model.10.weight": (3, 64, 3, 3)}
    desc = identify_upscale_model(sparse(tmp_path, "old.safetensors", shapes))
    assert (desc.dims["layout"], desc.dims["scale"], desc.dims["num_blocks"]) == ("old", 4, 1)  # sub.0 an RRDB, sub.1 the trunk conv


def test_a_latent_upsampler_given_as_upscale_model_is_named(tmp_path):
    path = sparse(tmp_path, "up.safetensors", hunyuan_upsampler_1080p_shapes(32, (64, 64)))
    with pytest.raises(UnknownComponentError, match="is a HunyuanVideo 1.5 1080p latent upsampler .*, not a "
                                                    "spandrel upscale model"):
        identify_upscale_model(path)
    with pytest.raises(UnknownComponentError, match="is a HunyuanVideo 1.5 1080p latent upsampler .*, not a VAE"):
        identify_vae(path)


def test_unknown_file_names_the_folder(tmp_path):
    path = sparse(tmp_path, "what.safetensors", {"foo.weight": (4, 4)})
    with pytest.raises(UnknownComponentError, match="models/upscale_models"):
        identify_upscale_model(path)


def test_real_esrgan_missing_a_weight_is_damaged(tmp_path):
    shapes = esrgan_shapes(16, 2)
    del shapes["body.1.rdb3.conv5.bias"]
    with pytest.raises(UnknownComponentError, match=r"a Real-ESRGAN layout.*spandrel.*body\.1\.rdb3\.conv5\.bias"):
        identify_upscale_model(sparse(tmp_path, "bad_esrgan.safetensors", shapes))
