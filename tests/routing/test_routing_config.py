"""Config: template defaults, strict errors, files, env overrides, hot reload, last good config."""
from __future__ import annotations

import json
import os
import sys

import pytest

from routing import (
    Capability,
    ConfigError,
    ConfigManager,
    RoutingConfig,
    Router,
    Strategy,
    WorkflowRequest,
    config_from_dict,
    load_config,
)


# The routing core knows no family: the pack passes the families' data in as the base (tests/model_loaders checks
# the real families' data). This base has the same shape.
BASE = {
    "families": {
        "alpha": {"variants": {
            "alpha_t2v": {"shift": 8, "steps": 30, "cfg": 6, "sampler": "uni_pc", "scheduler": "simple",
                          "width": 832, "height": 480, "frames": 33},
            "alpha_t2v/text_to_image": {"frames": 1},
            "alpha_5b": {"shift": 8, "steps": 20, "cfg": 5, "sampler": "uni_pc", "scheduler": "simple",
                         "width": 1280, "height": 704, "frames": 121, "resolution_multiple": 32},
        }},
        "beta": {"variants": {
            "beta_image": {"shift": 3.1, "steps": 20, "cfg": 4, "sampler": "euler", "scheduler": "simple",
                           "width": 1328, "height": 1328, "shift_node": "auraflow"},
        }},
    },
    "quality": {"priors": {"alpha": {"text_to_video": 0.85}, "beta": {"text_to_image": 0.9}}},
}


def error_of(data) -> str:
    with pytest.raises(ConfigError) as info:
        config_from_dict(data, BASE)
    return str(info.value)


def test_base_data_becomes_the_defaults_with_capability_entries_filled_in():
    c = config_from_dict({}, BASE)
    t2v = c.defaults_for("alpha", "alpha_t2v", "text_to_video")
    assert (t2v.shift, t2v.steps, t2v.cfg, t2v.sampler, t2v.width, t2v.frames, t2v.shift_node) == \
        (8, 30, 6, "uni_pc", 832, 33, "sd3")
    single_frame = c.defaults_for("alpha", "alpha_t2v", Capability.TEXT_TO_IMAGE)
    assert (single_frame.frames, single_frame.steps, single_frame.width) == (1, 30, 832)  # only frames differ
    assert c.family("beta").defaults_for("text_to_image", "beta_image").shift_node == "auraflow"
    assert c.defaults_for("alpha", "unknown_variant", "text_to_video") is None
    assert c.defaults_for("gamma", "alpha_t2v", "text_to_video") is None
    assert c.quality.prior("alpha", "alpha_t2v", "text_to_video") == 0.85
    with pytest.raises(ConfigError, match="unknown family 'flux' \\(accepted: alpha, beta\\)"):
        c.family("flux")


def test_without_a_base_there_is_no_family_data():
    c = RoutingConfig()
    assert c.families == {} and c.quality.priors == {}
    assert config_from_dict({}) == c
    assert "unknown key 'families.alpha'" in str(pytest.raises(ConfigError, config_from_dict,
                                                                {"families": {"alpha": {}}}).value)


def test_every_default_obeys_the_frame_and_resolution_rules():
    c = config_from_dict({}, BASE)
    for family, section in c.families.items():
        for name, d in section.variants.items():
            assert (d.frames - 1) % 4 == 0, (family, name)
            assert d.width % d.resolution_multiple == 0 and d.height % d.resolution_multiple == 0, (family, name)


def test_partial_override_merges_with_defaults():
    c = config_from_dict({"families": {"alpha": {"variants": {"alpha_t2v": {"steps": 25}}}},
                          "routing": {"strategy": "fastest"}}, BASE)
    assert c.defaults_for("alpha", "alpha_t2v", "text_to_video").steps == 25
    assert c.defaults_for("alpha", "alpha_t2v", "text_to_video").cfg == 6
    assert c.defaults_for("alpha", "alpha_t2v", "text_to_image").steps == 25  # the variant-wide value flows on
    assert c.routing.default_strategy is Strategy.FASTEST
    assert c.quality.priors["beta"]["text_to_image"] == 0.9
    c = config_from_dict({"families": {"alpha": {"variants": {"alpha_5b/image_to_video": {"frames": 81}}}}}, BASE)
    assert c.defaults_for("alpha", "alpha_5b", "image_to_video").frames == 81
    assert c.defaults_for("alpha", "alpha_5b", "text_to_video").frames == 121


@pytest.mark.parametrize(
    "data, message",
    [
        ({"routing": {"balanced_weights": {"quality": -0.2}}},
         "config error at routing.balanced_weights.quality: -0.2 is out of range (accepted: 0.0..1.0)"),
        ({"routing": {"stratgy": "fastest"}},
         "config error: unknown key 'routing.stratgy' (did you mean 'routing.strategy'?)"),
        ({"routng": {}}, "config error: unknown key 'routng' (did you mean 'routing'?)"),
        ({"routing": {"strategy": "fastst"}},
         "config error at routing.strategy: 'fastst' is not accepted (accepted: best_quality, fastest, balanced, "
         "least_memory, round_robin; did you mean 'fastest'?)"),
        ({"routing": {"max_fallbacks": "two"}},
         "config error at routing.max_fallbacks: 'two' is not an integer (accepted: 0..50)"),
        ({"routing": {"max_fallbacks": True}},
         "config error at routing.max_fallbacks: True is not an integer (accepted: 0..50)"),
        ({"families": {"alpha": {"variants": {"alpha_t2v": {"frames": 80}}}}},
         "config error at families.alpha.variants.alpha_t2v.frames: 80 is not 4n+1 (accepted: 1, 5, 9, ... (4n+1))"),
        ({"families": {"alpha": {"variants": {"alpha_5b": {"width": 1296}}}}},
         "config error at families.alpha.variants.alpha_5b.width: 1296 is not a multiple of 32 (accepted: multiples "
         "of 32)"),
        ({"families": {"alpha": {"variants": {"alpha_t2v": {"stpes": 20}}}}},
         "config error: unknown key 'families.alpha.variants.alpha_t2v.stpes' (did you mean "
         "'families.alpha.variants.alpha_t2v.steps'?)"),
        ({"families": {"alpha": {"variants": {"alpha_t2x": {"steps": 20}}}}},
         "config error: unknown key 'families.alpha.variants.alpha_t2x' (did you mean "
         "'families.alpha.variants.alpha_t2v'?)"),
        ({"families": {"alpha": {"variants": {"alpha_t2v/text_to_imag": {"steps": 20}}}}},
         "config error: unknown key 'families.alpha.variants.alpha_t2v/text_to_imag' (did you mean "
         "'families.alpha.variants.alpha_t2v/text_to_image'?)"),
        ({"families": {"alpah": {"variants": {}}}},
         "config error: unknown key 'families.alpah' (did you mean 'families.alpha'?)"),
        ({"quality": {"priors": {"alpha": {"text_to_vidoe": 0.5}}}},
         "config error: unknown key 'quality.priors.alpha.text_to_vidoe' (did you mean "
         "'quality.priors.alpha.text_to_video'?)"),
        ({"quality": {"priors": {"bet": {"text_to_image": 0.5}}}},
         "config error: unknown key 'quality.priors.bet' (did you mean 'quality.priors.beta'?)"),
        ({"quality": {"priors": {"alpha/2.1_t2v": {"text_to_video": 0.5}}}},
         "config error: unknown key 'quality.priors.alpha/2.1_t2v' (did you mean 'quality.priors.alpha/alpha_t2v'?)"),
        ({"quality": {"priors": {"alpha": {"text_to_video": 1.5}}}},
         "config error at quality.priors.alpha.text_to_video: 1.5 is out of range (accepted: 0.0..1.0)"),
        ({"families": {"beta": {"variants": {"beta_image": {"sampler": "Euler A"}}}}},
         "config error at families.beta.variants.beta_image.sampler: 'Euler A' is not a valid name"),
        ({"routing": {"balanced_weights": {"quality": 0, "time": 0}}},
         "config error at routing.balanced_weights: {'quality': 0.0, 'time': 0.0} is all zero"),
        ({"performance": []}, "config error at performance: [] is not a mapping"),
    ],
)
def test_error_messages_name_path_value_and_accepted(data, message):
    assert error_of(data).startswith(message)


def test_error_carries_key_path_and_value():
    with pytest.raises(ConfigError) as info:
        config_from_dict({"routing": {"max_fallbacks": -1}})
    assert info.value.key_path == "routing.max_fallbacks" and info.value.value == -1


def test_json_and_yaml_files(tmp_path):
    j = tmp_path / "c.json"
    j.write_text(json.dumps({"routing": {"strategy": "least_memory"}}))
    assert load_config(j, env={}).routing.strategy == "least_memory"
    y = tmp_path / "c.yaml"
    y.write_text("routing:\n  strategy: round_robin\n  balanced_weights: {quality: 0.5, time: 0.5}\n")
    pytest.importorskip("yaml")
    c = load_config(y, env={})
    assert c.routing.strategy == "round_robin" and c.routing.balanced_weights.time == 0.5
    (tmp_path / "empty.yml").write_text("")
    assert load_config(tmp_path / "empty.yml", env={}) == RoutingConfig()
    assert load_config(tmp_path / "empty.yml", env={}, base=BASE) == config_from_dict({}, BASE)


def test_yaml_without_pyyaml_says_what_to_do(tmp_path, monkeypatch):
    y = tmp_path / "c.yaml"
    y.write_text("routing: {}\n")
    monkeypatch.setitem(sys.modules, "yaml", None)  # import yaml -> ImportError
    with pytest.raises(ConfigError, match=r"PyYAML is not installed \(pip install pyyaml, or use a .json file\)"):
        load_config(y, env={})


def test_unparsable_files(tmp_path):
    bad = tmp_path / "c.json"
    bad.write_text('{"routing": ')
    with pytest.raises(ConfigError, match="c.json is not valid JSON"):
        load_config(bad, env={})
    bad.write_text("[1, 2]")
    with pytest.raises(ConfigError, match="must hold a mapping at the top level, got list"):
        load_config(bad, env={})


def test_env_overrides_and_their_errors(tmp_path):
    env = {"STORYCORE_STRATEGY": "fastest", "STORYCORE_HISTORY_DIR": str(tmp_path),
           "STORYCORE_MAX_FALLBACKS": "4"}
    c = load_config(None, env=env)
    assert (c.routing.strategy, c.performance.history_dir, c.routing.max_fallbacks) == ("fastest", str(tmp_path), 4)
    with pytest.raises(ConfigError, match=r"at routing.max_fallbacks \(from STORYCORE_MAX_FALLBACKS\): 'lots' is not "
                                          r"an integer"):
        load_config(None, env={"STORYCORE_MAX_FALLBACKS": "lots"})
    with pytest.raises(ConfigError, match=r"at routing.strategy \(from STORYCORE_STRATEGY\): 'quick' is not accepted"):
        load_config(None, env={"STORYCORE_STRATEGY": "quick"})


def write(path, data, stamp):
    """Write and force a distinct mtime, so change detection never depends on clock resolution."""
    path.write_text(json.dumps(data))
    os.utime(path, ns=(stamp, stamp))


def test_manager_hot_reloads_and_keeps_last_good(tmp_path):
    path = tmp_path / "storycore.json"
    write(path, {"routing": {"strategy": "fastest"}}, 1_000_000_000)
    manager = ConfigManager(path, env={})
    assert manager.get().routing.strategy == "fastest"
    assert manager.status().loaded and manager.status().source == "file"
    write(path, {"routing": {"strategy": "least_memory"}}, 2_000_000_000)
    assert manager.get().routing.strategy == "least_memory"
    write(path, {"routing": {"stratgy": "fastest"}}, 3_000_000_000)
    with pytest.warns(RuntimeWarning, match="did you mean 'routing.strategy'.*keeping the last good config"):
        current = manager.get()
    assert current.routing.strategy == "least_memory"  # last good one stays
    status = manager.status()
    assert not status.loaded and status.source == "last good" and "routing.stratgy" in status.last_error
    write(path, {"routing": {"strategy": "round_robin"}}, 4_000_000_000)
    assert manager.get().routing.strategy == "round_robin" and manager.status().loaded


def test_manager_starts_on_defaults_when_the_first_file_is_broken(tmp_path):
    path = tmp_path / "c.json"
    path.write_text("{oops")
    with pytest.warns(RuntimeWarning, match="not valid JSON"):
        manager = ConfigManager(path, env={})
    assert manager.get() == RoutingConfig()
    assert manager.status().source == "defaults" and not manager.status().loaded


def test_manager_path_from_env_and_env_overrides(tmp_path):
    path = tmp_path / "c.json"
    write(path, {"routing": {"max_fallbacks": 1}}, 1_000_000_000)
    manager = ConfigManager(env={"STORYCORE_CONFIG": str(path), "STORYCORE_STRATEGY": "best_quality"})
    assert manager.path == str(path)
    assert (manager.get().routing.max_fallbacks, manager.get().routing.strategy) == (1, "best_quality")


def test_manager_bad_env_keeps_defaults_with_a_warning():
    with pytest.warns(RuntimeWarning, match="STORYCORE_MAX_FALLBACKS"):
        manager = ConfigManager(env={"STORYCORE_MAX_FALLBACKS": "-3"})
    assert manager.get().routing.max_fallbacks == 2
    assert "STORYCORE_MAX_FALLBACKS" in manager.status().last_error


def test_missing_file_uses_defaults_and_says_so(tmp_path):
    with pytest.warns(RuntimeWarning, match="not found; using defaults"):
        manager = ConfigManager(tmp_path / "nope.json", env={}, base=BASE)
    assert manager.get() == config_from_dict({}, BASE) and manager.status().source == "defaults"


def test_manager_keeps_the_base_under_a_file_and_after_a_broken_one(tmp_path):
    path = tmp_path / "c.json"
    write(path, {"families": {"alpha": {"variants": {"alpha_t2v": {"steps": 12}}}}}, 1_000_000_000)
    manager = ConfigManager(path, env={}, base=BASE)
    assert manager.get().defaults_for("alpha", "alpha_t2v", "text_to_video").steps == 12
    assert manager.get().defaults_for("beta", "beta_image", "text_to_image").steps == 20
    write(path, {"families": {"alpha": {"variants": {"alpha_t2x": {}}}}}, 2_000_000_000)
    with pytest.warns(RuntimeWarning, match="did you mean 'families.alpha.variants.alpha_t2v'"):
        assert manager.get().defaults_for("alpha", "alpha_t2v", "text_to_video").steps == 12


def test_router_follows_a_reloaded_config(tmp_path, registry, workflow_factory):
    registry.register(workflow_factory("a"))
    path = tmp_path / "c.json"
    write(path, {"routing": {"strategy": "fastest"}}, 1_000_000_000)
    router = Router(registry, None, ConfigManager(path, env={}))
    request = WorkflowRequest("p", Capability.TEXT_TO_VIDEO, frames=33)
    assert router.route(request).strategy is Strategy.FASTEST
    write(path, {"routing": {"strategy": "least_memory"}}, 2_000_000_000)
    assert router.route(request).strategy is Strategy.LEAST_MEMORY
