"""Routing configuration: a dataclass tree loaded strictly from one JSON or YAML file.

Family sampling defaults are copied from the official ComfyUI workflow templates
(comfyui_workflow_templates 0.7.67, see shared/reference/comfyui-families.md §4.2); they are not
tuned guesses. Quality priors, balanced weights and the time bootstrap *are* judgements: they are
configurable priors that measured history corrects.

Loading rules: unknown keys are rejected with the closest valid name; every error names the key
path, the bad value and what is accepted. ``ConfigManager`` adds environment overrides, hot reload
on file change, and keeps the last good config when the file breaks.
"""
from __future__ import annotations

import copy
import difflib
import json
import logging
import os
import re
import threading
import warnings
from dataclasses import MISSING, asdict, dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Optional, Union, get_args, get_origin, get_type_hints

from .capabilities import FAMILIES, Capability, Strategy, values
from .errors import ConfigError

log = logging.getLogger(__name__)

ENV_CONFIG_PATH = "STORYCORE_CONFIG"
ENV_OVERRIDES: dict[str, str] = {  # environment variable -> dotted key path
    "STORYCORE_STRATEGY": "routing.strategy",
    "STORYCORE_HISTORY_DIR": "performance.history_dir",
    "STORYCORE_MAX_FALLBACKS": "routing.max_fallbacks",
    "STORYCORE_HALF_LIFE": "performance.recency_half_life",
}

_NAME = re.compile(r"^[a-z0-9_]+$")


# -- field checks ---------------------------------------------------------------------------------
Check = Callable[[Any], Optional[str]]  # returns a problem ("is out of range") or None


def _range(lo: float, hi: Optional[float] = None) -> dict[str, Any]:
    accepted = f"{lo}..{hi}" if hi is not None else f">= {lo}"

    def check(v: Any) -> Optional[str]:
        return "out of range" if v < lo or (hi is not None and v > hi) else None

    return {"check": check, "accepted": accepted}


def _positive() -> dict[str, Any]:
    return {"check": lambda v: "not > 0" if v <= 0 else None, "accepted": "> 0"}


def _choices(options: list[str]) -> dict[str, Any]:
    return {"check": lambda v: "not accepted" if v not in options else None, "accepted": ", ".join(options), "choices": options}


def _identifier(example: str) -> dict[str, Any]:
    return {
        "check": lambda v: "not a valid name" if not _NAME.match(v) else None,
        "accepted": f"a ComfyUI name like {example!r} (lowercase letters, digits, _)",
    }


# -- sections -------------------------------------------------------------------------------------
@dataclass
class SamplingDefaults:
    """One official template's sampling recipe (ComfyUI §4.2)."""

    shift: float = field(metadata=_positive())
    steps: int = field(metadata=_range(1, 1000))
    cfg: float = field(metadata=_range(0.0, 100.0))
    sampler: str = field(metadata=_identifier("euler"))
    scheduler: str = field(metadata=_identifier("simple"))
    width: int = field(metadata=_range(16, 16384))
    height: int = field(metadata=_range(16, 16384))
    frames: int = field(default=1, metadata=_range(1, 10000))
    shift_node: str = field(default="sd3", metadata=_choices(["sd3", "auraflow"]))
    resolution_multiple: int = field(default=16, metadata=_range(1, 256))
    guidance: Optional[float] = field(default=None, metadata=_range(0.0, 100.0))  # FluxGuidance (HunyuanVideo 1.0)
    expert_split_step: Optional[int] = field(default=None, metadata=_range(1, 1000))  # Wan2.2 A14B high→low

    def _check(self, path: str) -> None:
        for axis in ("width", "height"):
            v = getattr(self, axis)
            if v % self.resolution_multiple:
                _fail(f"{path}.{axis}", v, f"not a multiple of {self.resolution_multiple}",
                      f"multiples of {self.resolution_multiple}")
        if (self.frames - 1) % 4:
            _fail(f"{path}.frames", self.frames, "not 4n+1", "1, 5, 9, ... (4n+1)")
        if self.expert_split_step is not None and self.expert_split_step >= self.steps:
            _fail(f"{path}.expert_split_step", self.expert_split_step, "not below steps", f"1..{self.steps - 1}")


@dataclass
class FamilyConfig:
    """A family's template recipes by variant, and which variant serves each capability."""

    variants: dict[str, SamplingDefaults]
    by_capability: dict[str, str] = field(default_factory=dict)

    def _check(self, path: str) -> None:
        caps = values(Capability)
        for cap, variant in self.by_capability.items():
            if cap not in caps:
                _unknown_key(f"{path}.by_capability.{cap}", cap, caps, f"{path}.by_capability.")
            if variant not in self.variants:
                _fail(f"{path}.by_capability.{cap}", variant, "not a variant of this family",
                      ", ".join(sorted(self.variants)))

    def defaults_for(self, capability: Capability | str, variant: Optional[str] = None) -> Optional[SamplingDefaults]:
        """The recipe for an explicit variant, else the one mapped to the capability, else None."""
        if variant and variant in self.variants:
            return self.variants[variant]
        key = self.by_capability.get(str(capability))
        return self.variants.get(key) if key else None


@dataclass
class QualityConfig:
    """Quality priors in [0, 1] per (family, capability) and optionally per "family/variant".

    These are judgements, not measurements; the router multiplies them by a smoothed measured
    success rate (``success_pseudo_count`` virtual successes keep one failure from sinking a prior).
    """

    priors: dict[str, dict[str, float]] = field(default_factory=dict)
    success_pseudo_count: float = field(default=2.0, metadata=_range(0.0, 1000.0))

    def _check(self, path: str) -> None:
        caps = values(Capability)
        for key, per_cap in self.priors.items():
            family = key.split("/", 1)[0]
            if family not in FAMILIES:
                _unknown_key(f"{path}.priors.{key}", family, list(FAMILIES), f"{path}.priors.")
            for cap, prior in per_cap.items():
                if cap not in caps:
                    _unknown_key(f"{path}.priors.{key}.{cap}", cap, caps, f"{path}.priors.{key}.")
                if not 0.0 <= prior <= 1.0:
                    _fail(f"{path}.priors.{key}.{cap}", prior, "out of range", "0.0..1.0")

    def prior(self, family: str, variant: str, capability: Capability | str) -> Optional[float]:
        """Variant entry, then family entry; None when the config says nothing (the router then
        uses the prior the workflow itself declares)."""
        cap = str(capability)
        for key in (f"{family}/{variant}", family):
            per_cap = self.priors.get(key)
            if per_cap and cap in per_cap:
                return per_cap[cap]
        return None


@dataclass
class PerformanceConfig:
    history_dir: str = ""  # "" = the caller decides (ComfyUI's user directory in production)
    recency_half_life: float = field(default=20.0, metadata=_range(1.0, 100000.0))  # in samples
    # Seconds per work unit per billion parameters before any history exists. Calibrated so that
    # Wan2.1 14B at 832x480x81, 20 steps, cfg 6 predicts ~9 minutes; history replaces it quickly.
    bootstrap_seconds_per_work_unit_per_billion_params: float = field(default=1.2e-7, metadata=_positive())
    breaker_failure_threshold: int = field(default=3, metadata=_range(1, 1000))
    breaker_cooldown_s: float = field(default=300.0, metadata=_range(0.0, 86400.0))


@dataclass
class BalancedWeights:
    quality: float = field(default=0.6, metadata=_range(0.0, 1.0))
    time: float = field(default=0.4, metadata=_range(0.0, 1.0))

    def _check(self, path: str) -> None:
        if self.quality + self.time <= 0:
            _fail(f"{path}", asdict(self), "all zero", "at least one weight > 0")


@dataclass
class RoutingPolicy:
    strategy: str = field(default="balanced", metadata=_choices(values(Strategy)))
    balanced_weights: BalancedWeights = field(default_factory=BalancedWeights)
    max_fallbacks: int = field(default=2, metadata=_range(0, 50))
    retryable_errors: list[str] = field(default_factory=lambda: ["OutOfMemoryError"])
    fallback_on_any_error: bool = False  # also fall back on non-retryable executor errors

    @property
    def default_strategy(self) -> Strategy:
        return Strategy(self.strategy)


def _wan() -> FamilyConfig:
    sd = SamplingDefaults
    a14b = dict(steps=20, cfg=3.5, sampler="euler", scheduler="simple", width=640, height=640, frames=81,
                expert_split_step=10)
    return FamilyConfig(
        variants={
            "2.1_t2v_1.3b": sd(8, 30, 6, "uni_pc", "simple", 832, 480, 33),
            "2.1_i2v_14b": sd(8, 20, 6, "uni_pc", "simple", 512, 512, 33),
            "2.1_flf2v_14b": sd(8, 20, 3, "uni_pc", "simple", 720, 1280, 33),
            "2.1_fun_inp_1.3b": sd(5, 20, 6, "uni_pc", "simple", 480, 768, 81),
            "2.1_vace_14b": sd(8, 4, 1, "uni_pc", "simple", 1280, 720, 81),  # template uses the CausVid LoRA
            "2.2_a14b_t2v": sd(shift=8, **a14b),
            "2.2_a14b_i2v": sd(shift=8, **a14b),
            # lightx2v 4-step LoRA: the table gives no size; the A14B template size is kept.
            "2.2_a14b_lightx2v": sd(shift=5, **{**a14b, "steps": 4, "cfg": 1.0, "expert_split_step": 2}),
            "2.2_flf2v_a14b": sd(shift=8, **{**a14b, "cfg": 4.0}),
            "2.2_fun_inpaint_a14b": sd(shift=8, **a14b),
            "2.2_ti2v_5b": sd(8, 20, 5, "uni_pc", "simple", 1280, 704, 121, resolution_multiple=32),
        },
        by_capability={
            "text_to_video": "2.2_a14b_t2v",
            "image_to_video": "2.2_a14b_i2v",
            "video_inpainting": "2.2_fun_inpaint_a14b",
        },
    )


def _hunyuan() -> FamilyConfig:
    sd = SamplingDefaults
    return FamilyConfig(
        variants={
            # 1.0 runs cfg 1 with FluxGuidance 6 (distilled guidance), not real cfg.
            "1.0_t2v": sd(7, 20, 1, "euler", "simple", 848, 480, 73, guidance=6.0),
            "1.0_i2v": sd(7, 20, 1, "euler", "simple", 848, 480, 53, guidance=6.0),
            "1.5_t2v_720p": sd(7, 20, 6, "euler", "simple", 1280, 720, 121),
            "1.5_i2v_720p": sd(7, 20, 6, "euler", "simple", 1280, 720, 121),
        },
        by_capability={"text_to_video": "1.5_t2v_720p", "image_to_video": "1.5_i2v_720p"},
    )


def _qwen() -> FamilyConfig:
    sd = SamplingDefaults
    # Edit templates scale the input to about 1 MP; 1024x1024 is that size for a square input.
    return FamilyConfig(
        variants={
            "image_2512": sd(3.1, 50, 4, "euler", "simple", 1328, 1328, shift_node="auraflow"),
            "edit": sd(3.0, 4, 1, "euler", "simple", 1024, 1024, shift_node="auraflow"),  # Lightning LoRA
            "edit_2509": sd(3.0, 4, 1, "euler", "simple", 1024, 1024, shift_node="auraflow"),  # Lightning LoRA
            "edit_2511": sd(3.1, 40, 4, "euler", "simple", 1024, 1024, shift_node="auraflow"),
        },
        by_capability={"text_to_image": "image_2512", "image_editing": "edit_2511"},
    )


def _newbie() -> FamilyConfig:
    return FamilyConfig(
        variants={
            "exp0.1": SamplingDefaults(6, 20, 5.5, "res_multistep", "simple", 1024, 1536, shift_node="auraflow"),
        },
        by_capability={"anime_generation": "exp0.1", "text_to_image": "exp0.1"},
    )


def _default_priors() -> dict[str, dict[str, float]]:
    """Judgement calls, documented as such: relative standing of the families per capability."""
    return {
        "wan": {"text_to_video": 0.85, "image_to_video": 0.85, "video_inpainting": 0.80, "alpha_video": 0.75},
        "hunyuan_video": {"text_to_video": 0.85, "image_to_video": 0.82, "super_resolution": 0.85},
        "qwen_image": {"text_to_image": 0.88, "image_editing": 0.88, "layered_generation": 0.80,
                       "image_relighting": 0.75},
        "newbie": {"anime_generation": 0.90, "text_to_image": 0.70},
    }


@dataclass
class RoutingConfig:
    """The whole config. ``RoutingConfig()`` is the built-in default."""

    hunyuan_video: FamilyConfig = field(default_factory=_hunyuan)
    wan: FamilyConfig = field(default_factory=_wan)
    qwen_image: FamilyConfig = field(default_factory=_qwen)
    newbie: FamilyConfig = field(default_factory=_newbie)
    quality: QualityConfig = field(default_factory=lambda: QualityConfig(priors=_default_priors()))
    performance: PerformanceConfig = field(default_factory=PerformanceConfig)
    routing: RoutingPolicy = field(default_factory=RoutingPolicy)

    def family(self, name: str) -> FamilyConfig:
        if name not in FAMILIES:
            raise ConfigError(f"unknown family {name!r} (accepted: {', '.join(FAMILIES)})", name, name)
        return getattr(self, name)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# -- strict builder -------------------------------------------------------------------------------
def _fail(path: str, value: Any, problem: str, accepted: str) -> None:
    raise ConfigError(f"config error at {path}: {value!r} is {problem} (accepted: {accepted})", path, value)


def closest_name(key: str, valid: list[str]) -> Optional[str]:
    """A valid name the user probably meant: a prefix match first ("qwen" -> "qwen_image"), then
    the closest spelling by difflib."""
    prefixed = sorted(v for v in valid if v.startswith(key) or key.startswith(v))
    if prefixed:
        return min(prefixed, key=lambda v: abs(len(v) - len(key)))
    close = difflib.get_close_matches(key, valid, n=1, cutoff=0.5)
    return close[0] if close else None


def _unknown_key(path: str, key: str, valid: list[str], prefix: str) -> None:
    close = closest_name(key, valid)
    hint = f" (did you mean '{prefix}{close}'?)" if close else f" (accepted: {', '.join(valid)})"
    raise ConfigError(f"config error: unknown key '{path}'{hint}", path, key)


_TYPE_WORDS = {int: "an integer", float: "a number", str: "a string", bool: "true or false"}


def _build(tp: Any, value: Any, path: str, meta: Mapping[str, Any]) -> Any:
    origin = get_origin(tp)
    accepted = meta.get("accepted", "")
    if origin is Union:  # Optional[X]
        if value is None:
            return None
        inner = [a for a in get_args(tp) if a is not type(None)][0]
        return _build(inner, value, path, meta)
    if is_dataclass(tp):
        return _build_dataclass(tp, value, path)
    if origin is dict:
        key_tp, val_tp = get_args(tp)
        if not isinstance(value, dict):
            _fail(path, value, "not a mapping", "a mapping of names to values")
        return {str(k): _build(val_tp, v, f"{path}.{k}", {}) for k, v in value.items()}
    if origin is list:
        (item_tp,) = get_args(tp)
        if not isinstance(value, list):
            _fail(path, value, "not a list", f"a list of {_TYPE_WORDS.get(item_tp, item_tp)}s")
        return [_build(item_tp, v, f"{path}[{i}]", {}) for i, v in enumerate(value)]
    return _build_scalar(tp, value, path, meta, accepted)


def _build_scalar(tp: Any, value: Any, path: str, meta: Mapping[str, Any], accepted: str) -> Any:
    ok = (
        (tp is bool and isinstance(value, bool))
        or (tp is int and isinstance(value, int) and not isinstance(value, bool))
        or (tp is float and isinstance(value, (int, float)) and not isinstance(value, bool))
        or (tp is str and isinstance(value, str))
    )
    if not ok:
        _fail(path, value, f"not {_TYPE_WORDS.get(tp, tp)}", accepted or _TYPE_WORDS.get(tp, str(tp)))
    value = float(value) if tp is float else value
    check: Optional[Check] = meta.get("check")
    problem = check(value) if check else None
    if problem:
        choices = meta.get("choices")
        close = difflib.get_close_matches(str(value), choices, n=1, cutoff=0.5) if choices else []
        hint = f"; did you mean {close[0]!r}?" if close else ""
        _fail(path, value, problem, accepted + hint)
    return value


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = get_type_hints(cls)
    return _HINTS[cls]


def _build_dataclass(cls: type, data: Any, path: str) -> Any:
    where = path or "the top level"
    if not isinstance(data, dict):
        _fail(where, data, "not a mapping", f"a mapping with keys {', '.join(f.name for f in fields(cls))}")
    names = [f.name for f in fields(cls)]
    prefix = f"{path}." if path else ""
    for key in data:
        if key not in names:
            _unknown_key(f"{prefix}{key}", str(key), names, prefix)
    hints = _hints(cls)
    kwargs = {}
    for f in fields(cls):
        if f.name in data:
            kwargs[f.name] = _build(hints[f.name], data[f.name], f"{prefix}{f.name}", f.metadata)
        elif f.default is MISSING and f.default_factory is MISSING:
            accepted = f.metadata.get("accepted", "a value")
            raise ConfigError(f"config error at {prefix}{f.name}: missing (accepted: {accepted})", f"{prefix}{f.name}")
    obj = cls(**kwargs)
    check = getattr(obj, "_check", None)
    if check:
        check(path or cls.__name__)
    return obj


def _deep_merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Override wins; nested mappings merge, so a file may change one key of a family variant."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def config_from_dict(data: Mapping[str, Any]) -> RoutingConfig:
    """Defaults overlaid with ``data``, validated strictly. Raises ConfigError."""
    if not isinstance(data, Mapping):
        _fail("the top level", data, "not a mapping", "a mapping with sections " + ", ".join(f.name for f in fields(RoutingConfig)))
    merged = _deep_merge(RoutingConfig().to_dict(), data)
    return _build_dataclass(RoutingConfig, merged, "")


def read_config_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Parse JSON, or YAML for .yaml/.yml (PyYAML imported only then). Raises ConfigError."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"config error: cannot read {p}: {exc}", "", str(p)) from None
    if p.suffix.lower() in (".yaml", ".yml"):
        try:
            import yaml  # optional dependency, only for YAML files
        except ImportError:
            raise ConfigError(
                f"config error: {p} is YAML but PyYAML is not installed (pip install pyyaml, or use a .json file)",
                "", str(p)) from None
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ConfigError(f"config error: {p} is not valid YAML: {exc}", "", str(p)) from None
    else:
        try:
            data = json.loads(text) if text.strip() else {}
        except json.JSONDecodeError as exc:
            raise ConfigError(f"config error: {p} is not valid JSON: {exc}", "", str(p)) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"config error: {p} must hold a mapping at the top level, got {type(data).__name__}", "", data)
    return data


def env_overrides(env: Mapping[str, str]) -> dict[str, Any]:
    """Nested dict of the STORYCORE_* overrides present in ``env`` (values parsed, not validated)."""
    out: dict[str, Any] = {}
    for var, key_path in ENV_OVERRIDES.items():
        if var not in env:
            continue
        raw = env[var]
        section, key = key_path.split(".")
        tp = _hints({"routing": RoutingPolicy, "performance": PerformanceConfig}[section])[key]
        value: Any = raw
        if tp in (int, float):
            try:
                value = tp(raw)
            except ValueError:
                field_meta = {f.name: f.metadata for f in fields(RoutingPolicy) + fields(PerformanceConfig)}[key]
                raise ConfigError(
                    f"config error at {key_path} (from {var}): {raw!r} is not {_TYPE_WORDS[tp]} "
                    f"(accepted: {field_meta.get('accepted', _TYPE_WORDS[tp])})", key_path, raw) from None
        out.setdefault(section, {})[key] = value
    return out


def load_config(path: str | os.PathLike[str] | None = None, env: Optional[Mapping[str, str]] = None) -> RoutingConfig:
    """One-shot load: file (if any) then environment overrides. Raises ConfigError."""
    data = read_config_file(path) if path else {}
    overrides = env_overrides(os.environ if env is None else env)
    try:
        return config_from_dict(_deep_merge(data, overrides))
    except ConfigError as exc:
        var = _ENV_BY_KEY.get(exc.key_path)
        section, _, key = exc.key_path.partition(".")
        if var and key in overrides.get(section, {}):  # the bad value came from the environment
            message = str(exc).replace(f"at {exc.key_path}:", f"at {exc.key_path} (from {var}):", 1)
            raise ConfigError(message, exc.key_path, exc.value) from None
        raise


_ENV_BY_KEY = {key: var for var, key in ENV_OVERRIDES.items()}


# -- manager with hot reload ----------------------------------------------------------------------
@dataclass(frozen=True)
class ConfigStatus:
    path: Optional[str]
    loaded: bool  # False: the last load failed and an older (or the default) config is in use
    source: str  # "file", "defaults" or "last good"
    last_error: Optional[str] = None


class ConfigManager:
    """Holds the current config; reloads when the file's mtime or size changes (checked on ``get``).

    A broken file or bad environment value never leaves the pack without a config: the last good
    one (initially the defaults) stays in use, a warning is issued once per distinct error, and the
    error is exposed by ``status()``.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *, env: Optional[Mapping[str, str]] = None):
        self.env = os.environ if env is None else env
        chosen = path if path is not None else self.env.get(ENV_CONFIG_PATH) or None
        self.path: Optional[str] = str(chosen) if chosen else None
        self._lock = threading.Lock()
        self._config = RoutingConfig()
        self._stamp: Optional[tuple[int, int]] = None
        self._last_error: Optional[str] = None
        self._source = "defaults"
        self._load(self._file_stamp())

    def _file_stamp(self) -> Optional[tuple[int, int]]:
        if not self.path:
            return None
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size)

    def _load(self, stamp: Optional[tuple[int, int]]) -> None:
        self._stamp = stamp
        try:
            use_file = self.path is not None and stamp is not None
            self._config = load_config(self.path if use_file else None, self.env)
        except ConfigError as exc:
            self._report(str(exc))
            self._source = "last good" if self._source != "defaults" else "defaults"
            return
        self._source = "file" if self.path and stamp else "defaults"
        self._last_error = None
        if self.path and stamp is None:
            self._report(f"config file {self.path} not found; using defaults", error=False)

    def _report(self, message: str, error: bool = True) -> None:
        if message != self._last_error:
            warnings.warn(message + ("; keeping the last good config" if error else ""), RuntimeWarning, stacklevel=4)
            log.warning(message)
        self._last_error = message if error else None

    def get(self) -> RoutingConfig:
        """The current config, reloading first if the file changed since the last look."""
        stamp = self._file_stamp()
        if stamp != self._stamp:
            with self._lock:
                if stamp != self._stamp:
                    self._load(stamp)
        return self._config

    __call__ = get

    @property
    def config(self) -> RoutingConfig:
        return self.get()

    def reload(self) -> RoutingConfig:
        """Force a reload (e.g. after the environment changed)."""
        with self._lock:
            self._load(self._file_stamp())
        return self._config

    def status(self) -> ConfigStatus:
        self.get()
        return ConfigStatus(self.path, self._last_error is None, self._source, self._last_error)
