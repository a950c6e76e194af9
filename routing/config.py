"""Routing configuration: a dataclass tree loaded strictly from one JSON or YAML file over the pack's defaults.

The routing core knows no model family. The pack hands it the families' data as the *base* mapping
(`config_from_dict(data, base)`, `load_config(path, base=...)`, `ConfigManager(base=...)`): template sampling
values per variant (`families.<family>.variants.<variant id>`, or `<variant id>/<capability>` for what one
capability's template changes) and quality priors (`quality.priors.<family>` or `<family>/<variant id>`).
The base defines the vocabulary: a file may override and tune it, and an unknown family, variant or capability
is rejected with the closest valid name. Quality priors, balanced weights and the time bootstrap are judgements:
configurable priors that measured history corrects.

Loading rules: unknown keys are rejected with the closest valid name; every error names the key path, the bad
value and what is accepted. `config_manager.ConfigManager` adds hot reload and keeps the last good config.
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping, Optional

from .capabilities import Capability, Strategy, values
from .config_schema import (build_dataclass, deep_merge, fail, identifier, in_range, one_of, positive, type_hints,
                            type_word, unknown_key)
from .errors import ConfigError

ENV_CONFIG_PATH = "STORYCORE_CONFIG"
ENV_OVERRIDES: dict[str, str] = {  # environment variable -> dotted key path
    "STORYCORE_STRATEGY": "routing.strategy",
    "STORYCORE_HISTORY_DIR": "performance.history_dir",
    "STORYCORE_MAX_FALLBACKS": "routing.max_fallbacks",
    "STORYCORE_HALF_LIFE": "performance.recency_half_life",
}
CAPABILITY_SEPARATOR = "/"  # "<variant>/<capability>" and "<family>/<variant>" keys


# -- sections -------------------------------------------------------------------------------------
@dataclass
class SamplingDefaults:
    """One official template's sampling recipe."""

    shift: float = field(metadata=positive())
    steps: int = field(metadata=in_range(1, 1000))
    cfg: float = field(metadata=in_range(0.0, 100.0))
    sampler: str = field(metadata=identifier("euler"))
    scheduler: str = field(metadata=identifier("simple"))
    width: int = field(metadata=in_range(16, 16384))
    height: int = field(metadata=in_range(16, 16384))
    frames: int = field(default=1, metadata=in_range(1, 10000))
    shift_node: str = field(default="sd3", metadata=one_of(["sd3", "auraflow"]))
    resolution_multiple: int = field(default=16, metadata=in_range(1, 256))
    guidance: Optional[float] = field(default=None, metadata=in_range(0.0, 100.0))  # FluxGuidance (HunyuanVideo 1.0)
    # Wan2.2 A14B high→low; HunyuanVideo 1.5 SR: where the second pass takes over (SplitSigmas)
    expert_split_step: Optional[int] = field(default=None, metadata=in_range(1, 1000))
    # Where a template samples an encoded image at partial strength (an upscale's refine: 0.33); None: full (1.0)
    denoise: Optional[float] = field(default=None, metadata=in_range(0.0, 1.0))

    def _check(self, path: str) -> None:
        for axis in ("width", "height"):
            v = getattr(self, axis)
            if v % self.resolution_multiple:
                fail(f"{path}.{axis}", v, f"not a multiple of {self.resolution_multiple}",
                     f"multiples of {self.resolution_multiple}")
        if (self.frames - 1) % 4:
            fail(f"{path}.frames", self.frames, "not 4n+1", "1, 5, 9, ... (4n+1)")
        if self.expert_split_step is not None and self.expert_split_step >= self.steps:
            fail(f"{path}.expert_split_step", self.expert_split_step, "not below steps", f"1..{self.steps - 1}")


@dataclass
class FamilyConfig:
    """A family's template recipes: by variant id, and by "variant/capability" where a capability differs."""

    variants: dict[str, SamplingDefaults] = field(default_factory=dict)

    def defaults_for(self, capability: Capability | str, variant: str) -> Optional[SamplingDefaults]:
        """The capability's recipe for the variant, else the variant's recipe, else None."""
        return self.variants.get(f"{variant}{CAPABILITY_SEPARATOR}{capability}") or self.variants.get(variant)


@dataclass
class QualityConfig:
    """Quality priors in [0, 1] per (family, capability) and optionally per "family/variant".

    These are judgements, not measurements; the router multiplies them by a smoothed measured
    success rate (``success_pseudo_count`` virtual successes keep one failure from sinking a prior).
    """

    priors: dict[str, dict[str, float]] = field(default_factory=dict)
    success_pseudo_count: float = field(default=2.0, metadata=in_range(0.0, 1000.0))

    def _check(self, path: str) -> None:
        for key, per_cap in self.priors.items():
            for cap, prior in per_cap.items():
                if not 0.0 <= prior <= 1.0:
                    fail(f"{path}.priors.{key}.{cap}", prior, "out of range", "0.0..1.0")

    def prior(self, family: str, variant: str, capability: Capability | str) -> Optional[float]:
        """Variant entry, then family entry; None when the config says nothing (the router then
        uses the prior the workflow itself declares)."""
        cap = str(capability)
        for key in (f"{family}{CAPABILITY_SEPARATOR}{variant}", family):
            per_cap = self.priors.get(key)
            if per_cap and cap in per_cap:
                return per_cap[cap]
        return None


@dataclass
class PerformanceConfig:
    history_dir: str = ""  # "" = the caller decides (ComfyUI's user directory in production)
    recency_half_life: float = field(default=20.0, metadata=in_range(1.0, 100000.0))  # in samples
    # Seconds per work unit per billion parameters before any history exists. Calibrated so that
    # Wan2.1 14B at 832x480x81, 20 steps, cfg 6 predicts ~9 minutes; history replaces it quickly.
    bootstrap_seconds_per_work_unit_per_billion_params: float = field(default=1.2e-7, metadata=positive())
    breaker_failure_threshold: int = field(default=3, metadata=in_range(1, 1000))
    breaker_cooldown_s: float = field(default=300.0, metadata=in_range(0.0, 86400.0))


@dataclass
class BalancedWeights:
    quality: float = field(default=0.6, metadata=in_range(0.0, 1.0))
    time: float = field(default=0.4, metadata=in_range(0.0, 1.0))

    def _check(self, path: str) -> None:
        if self.quality + self.time <= 0:
            fail(f"{path}", asdict(self), "all zero", "at least one weight > 0")


@dataclass
class RoutingPolicy:
    strategy: str = field(default="balanced", metadata=one_of(values(Strategy)))
    balanced_weights: BalancedWeights = field(default_factory=BalancedWeights)
    max_fallbacks: int = field(default=2, metadata=in_range(0, 50))
    retryable_errors: list[str] = field(default_factory=lambda: ["OutOfMemoryError"])
    fallback_on_any_error: bool = False  # also fall back on non-retryable executor errors

    @property
    def default_strategy(self) -> Strategy:
        return Strategy(self.strategy)


@dataclass
class RoutingConfig:
    """The whole config. ``RoutingConfig()`` has no family data; ``config_from_dict({}, base)`` has the pack's."""

    families: dict[str, FamilyConfig] = field(default_factory=dict)
    quality: QualityConfig = field(default_factory=QualityConfig)
    performance: PerformanceConfig = field(default_factory=PerformanceConfig)
    routing: RoutingPolicy = field(default_factory=RoutingPolicy)

    def family(self, name: str) -> FamilyConfig:
        if name not in self.families:
            raise ConfigError(f"unknown family {name!r} (accepted: {', '.join(self.families) or 'none configured'})",
                              name, name)
        return self.families[name]

    def defaults_for(self, family: str, variant: str, capability: Capability | str) -> Optional[SamplingDefaults]:
        """The template recipe for a family's variant and capability; None when the config has none."""
        family_config = self.families.get(family)
        return family_config.defaults_for(capability, variant) if family_config else None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# -- the vocabulary: families, variants and capabilities the base defines ---------------------------
def _check_vocabulary(data: Mapping[str, Any], base: Mapping[str, Any]) -> None:
    """Reject family, variant and capability names the base does not define, with the closest valid one."""
    known = {family: [v for v in section.get("variants", {}) if CAPABILITY_SEPARATOR not in v]
             for family, section in base.get("families", {}).items()}
    capabilities = values(Capability)
    families = data.get("families", {})
    if isinstance(families, Mapping):
        for family, section in families.items():
            if family not in known:
                unknown_key(f"families.{family}", family, list(known), "families.")
            variants = section.get("variants", {}) if isinstance(section, Mapping) else {}
            if not isinstance(variants, Mapping):
                continue
            for key in variants:
                path = f"families.{family}.variants."
                variant, _, capability = str(key).partition(CAPABILITY_SEPARATOR)
                if variant not in known[family]:
                    unknown_key(path + key, variant, known[family], path)
                if capability and capability not in capabilities:
                    unknown_key(path + key, capability, capabilities, f"{path}{variant}{CAPABILITY_SEPARATOR}")
    priors = data.get("quality", {}).get("priors", {}) if isinstance(data.get("quality"), Mapping) else {}
    if isinstance(priors, Mapping):
        for key, per_cap in priors.items():
            path = "quality.priors."
            family, _, variant = str(key).partition(CAPABILITY_SEPARATOR)
            if family not in known:
                unknown_key(path + key, family, list(known), path)
            if variant and variant not in known[family]:
                unknown_key(path + key, variant, known[family], f"{path}{family}{CAPABILITY_SEPARATOR}")
            for cap in per_cap if isinstance(per_cap, Mapping) else ():
                if cap not in capabilities:
                    unknown_key(f"{path}{key}.{cap}", cap, capabilities, f"{path}{key}.")


def _expand_capability_entries(merged: dict[str, Any]) -> None:
    """A "variant/capability" entry holds only what differs: fill it in from the variant's own entry."""
    for section in merged.get("families", {}).values():
        variants = section.get("variants", {}) if isinstance(section, dict) else {}
        if not isinstance(variants, dict):
            continue
        for key, entry in list(variants.items()):
            variant, _, capability = key.partition(CAPABILITY_SEPARATOR)
            if capability and isinstance(entry, dict) and isinstance(variants.get(variant), dict):
                variants[key] = deep_merge(variants[variant], entry)


def config_from_dict(data: Mapping[str, Any], base: Optional[Mapping[str, Any]] = None) -> RoutingConfig:
    """The built-in policy defaults, then ``base`` (the pack's family data), then ``data``, validated strictly.
    Raises ConfigError."""
    if not isinstance(data, Mapping):
        fail("the top level", data, "not a mapping",
             "a mapping with sections " + ", ".join(f.name for f in fields(RoutingConfig)))
    base = base or {}
    _check_vocabulary(data, base)
    merged = deep_merge(deep_merge(RoutingConfig().to_dict(), base), data)
    _expand_capability_entries(merged)
    return build_dataclass(RoutingConfig, merged, "")


# -- files and environment -------------------------------------------------------------------------
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
        section_cls = {"routing": RoutingPolicy, "performance": PerformanceConfig}[section]
        tp = type_hints(section_cls)[key]
        value: Any = raw
        if tp in (int, float):
            try:
                value = tp(raw)
            except ValueError:
                accepted = {f.name: f.metadata for f in fields(section_cls)}[key].get("accepted", type_word(tp))
                raise ConfigError(f"config error at {key_path} (from {var}): {raw!r} is not {type_word(tp)} "
                                  f"(accepted: {accepted})", key_path, raw) from None
        out.setdefault(section, {})[key] = value
    return out


_ENV_BY_KEY = {key: var for var, key in ENV_OVERRIDES.items()}


def load_config(path: str | os.PathLike[str] | None = None, env: Optional[Mapping[str, str]] = None,
                base: Optional[Mapping[str, Any]] = None) -> RoutingConfig:
    """One-shot load: ``base``, then the file (if any), then environment overrides. Raises ConfigError."""
    data = read_config_file(path) if path else {}
    overrides = env_overrides(os.environ if env is None else env)
    try:
        return config_from_dict(deep_merge(data, overrides), base)
    except ConfigError as exc:
        var = _ENV_BY_KEY.get(exc.key_path)
        section, _, key = exc.key_path.partition(".")
        if var and key in overrides.get(section, {}):  # the bad value came from the environment
            message = str(exc).replace(f"at {exc.key_path}:", f"at {exc.key_path} (from {var}):", 1)
            raise ConfigError(message, exc.key_path, exc.value) from None
        raise
