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


def error_of(data) -> str:
    with pytest.raises(ConfigError) as info:
        config_from_dict(data)
    return str(info.value)


def test_family_defaults_follow_the_official_templates():
    c = RoutingConfig()
    wan21 = c.wan.variants["2.1_t2v_1.3b"]
    assert (wan21.shift, wan21.steps, wan21.cfg, wan21.sampler, wan21.scheduler) == (8, 30, 6, "uni_pc", "simple")
    assert (wan21.width, wan21.height, wan21.frames, wan21.shift_node) == (832, 480, 33, "sd3")
    a14b = c.wan.defaults_for("text_to_video")
    assert (a14b.steps, a14b.cfg, a14b.sampler, a14b.expert_split_step, a14b.frames) == (20, 3.5, "euler", 10, 81)
    five_b = c.wan.variants["2.2_ti2v_5b"]
    assert (five_b.width, five_b.height, five_b.frames, five_b.resolution_multiple) == (1280, 704, 121, 32)
    hy10 = c.hunyuan_video.variants["1.0_t2v"]
    assert (hy10.shift, hy10.cfg, hy10.guidance, hy10.width, hy10.height, hy10.frames) == (7, 1, 6.0, 848, 480, 73)
    hy15 = c.hunyuan_video.defaults_for(Capability.IMAGE_TO_VIDEO)
    assert (hy15.cfg, hy15.width, hy15.height, hy15.frames) == (6, 1280, 720, 121)
    qwen = c.qwen_image.defaults_for("text_to_image")
    assert (qwen.shift, qwen.steps, qwen.cfg, qwen.width, qwen.shift_node) == (3.1, 50, 4, 1328, "auraflow")
    edit = c.qwen_image.variants["edit_2511"]
    assert (edit.shift, edit.steps, edit.cfg) == (3.1, 40, 4)
    newbie = c.newbie.defaults_for("anime_generation")
    assert (newbie.shift, newbie.steps, newbie.cfg, newbie.sampler) == (6, 20, 5.5, "res_multistep")
    assert (newbie.width, newbie.height) == (1024, 1536)
    assert c.family("wan") is c.wan
    with pytest.raises(ConfigError, match="unknown family 'flux'"):
        c.family("flux")


def test_every_default_obeys_the_frame_and_resolution_rules():
    c = RoutingConfig()
    for family in ("wan", "hunyuan_video", "qwen_image", "newbie"):
        for name, d in c.family(family).variants.items():
            assert (d.frames - 1) % 4 == 0, (family, name)
            assert d.width % d.resolution_multiple == 0 and d.height % d.resolution_multiple == 0, (family, name)
    assert config_from_dict({}) == c  # the defaults pass their own validation


def test_partial_override_merges_with_defaults():
    c = config_from_dict({"wan": {"variants": {"2.2_a14b_t2v": {"steps": 30}}}, "routing": {"strategy": "fastest"}})
    assert c.wan.variants["2.2_a14b_t2v"].steps == 30
    assert c.wan.variants["2.2_a14b_t2v"].cfg == 3.5
    assert c.routing.default_strategy is Strategy.FASTEST
    assert c.quality.priors["newbie"]["anime_generation"] == 0.9


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
        ({"wan": {"variants": {"2.2_a14b_t2v": {"frames": 80}}}},
         "config error at wan.variants.2.2_a14b_t2v.frames: 80 is not 4n+1 (accepted: 1, 5, 9, ... (4n+1))"),
        ({"wan": {"variants": {"2.2_ti2v_5b": {"width": 1296}}}},
         "config error at wan.variants.2.2_ti2v_5b.width: 1296 is not a multiple of 32 (accepted: multiples of 32)"),
        ({"wan": {"variants": {"2.1_t2v_1.3b": {"stpes": 20}}}},
         "config error: unknown key 'wan.variants.2.1_t2v_1.3b.stpes' (did you mean "
         "'wan.variants.2.1_t2v_1.3b.steps'?)"),
        ({"wan": {"variants": {"mine": {"steps": 20}}}},
         "config error at wan.variants.mine.shift: missing (accepted: > 0)"),
        ({"wan": {"by_capability": {"text_to_video": "3.0"}}},
         "config error at wan.by_capability.text_to_video: '3.0' is not a variant of this family"),
        ({"quality": {"priors": {"wan": {"text_to_vidoe": 0.5}}}},
         "config error: unknown key 'quality.priors.wan.text_to_vidoe' (did you mean "
         "'quality.priors.wan.text_to_video'?)"),
        ({"quality": {"priors": {"qwen": {"text_to_image": 0.5}}}},
         "config error: unknown key 'quality.priors.qwen' (did you mean 'quality.priors.qwen_image'?)"),
        ({"quality": {"priors": {"wan": {"text_to_video": 1.5}}}},
         "config error at quality.priors.wan.text_to_video: 1.5 is out of range (accepted: 0.0..1.0)"),
        ({"newbie": {"variants": {"exp0.1": {"sampler": "Euler A"}}}},
         "config error at newbie.variants.exp0.1.sampler: 'Euler A' is not a valid name"),
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
        manager = ConfigManager(tmp_path / "nope.json", env={})
    assert manager.get() == RoutingConfig() and manager.status().source == "defaults"


def test_router_follows_a_reloaded_config(tmp_path, registry, workflow_factory):
    registry.register(workflow_factory("a"))
    path = tmp_path / "c.json"
    write(path, {"routing": {"strategy": "fastest"}}, 1_000_000_000)
    router = Router(registry, None, ConfigManager(path, env={}))
    request = WorkflowRequest("p", Capability.TEXT_TO_VIDEO, frames=33)
    assert router.route(request).strategy is Strategy.FASTEST
    write(path, {"routing": {"strategy": "least_memory"}}, 2_000_000_000)
    assert router.route(request).strategy is Strategy.LEAST_MEMORY
