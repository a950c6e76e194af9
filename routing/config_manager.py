"""ConfigManager: the current routing config, reloaded when its file changes, never lost to a broken file."""
from __future__ import annotations

import logging
import os
import threading
import warnings
from dataclasses import dataclass
from typing import Any, Mapping, Optional

from .config import ENV_CONFIG_PATH, RoutingConfig, config_from_dict, load_config
from .errors import ConfigError

log = logging.getLogger(__name__)


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

    def __init__(self, path: str | os.PathLike[str] | None = None, *, env: Optional[Mapping[str, str]] = None,
                 base: Optional[Mapping[str, Any]] = None):
        self.env = os.environ if env is None else env
        self.base = base or {}
        chosen = path if path is not None else self.env.get(ENV_CONFIG_PATH) or None
        self.path: Optional[str] = str(chosen) if chosen else None
        self._lock = threading.Lock()
        self._config = config_from_dict({}, self.base)
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
            self._config = load_config(self.path if use_file else None, self.env, self.base)
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
