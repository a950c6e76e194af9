"""Typed exceptions and the torch-free failure classifier.

The manager must decide, for any exception an executor raises, whether to fall back (out of
memory, retryable), stop (bad request, other errors) or re-raise (user interrupt). It cannot
import torch or comfy, so classification goes by isinstance on our own types, class *names* along
the MRO, and the message text. ``classify_exception`` is the default; the manager accepts any
callable with the same signature.
"""
from __future__ import annotations

from enum import Enum
from typing import Iterable, Mapping, Sequence


class StoryCoreError(Exception):
    """Base class of the pack's errors. ComfyUI shows an error's type as `<module>.<class>`, and inside ComfyUI a
    pack's modules are named after its folder path (`/path/to/custom_nodes/<folder>.model_loaders.errors`): every
    subclass reports its module as "storycore" instead, so the user reads `storycore.LoaderValidationError`."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.__module__ = "storycore"


StoryCoreError.__module__ = "storycore"


class RoutingError(StoryCoreError):
    """Base class of every error raised by the routing core."""


class InvalidRequestError(RoutingError, ValueError):
    """The request itself is wrong (bad size, missing input): retrying elsewhere cannot help."""

    def __init__(self, reasons: Sequence[str] | str):
        self.reasons: list[str] = [reasons] if isinstance(reasons, str) else list(reasons)
        super().__init__("invalid request: " + "; ".join(self.reasons))


class NoEligibleWorkflowError(RoutingError):
    """No registered workflow passes the hard constraints; the message lists why, per candidate."""

    def __init__(self, capability: str, reasons: Mapping[str, str], decision: object = None):
        self.capability = capability
        self.reasons: dict[str, str] = dict(reasons)
        self.decision = decision  # the RoutingDecision with the full breakdown, when available
        if self.reasons:
            detail = "; ".join(f"{name}: {why}" for name, why in sorted(self.reasons.items()))
        else:
            detail = "no workflow is registered"
        super().__init__(f"no eligible workflow for {capability}: {detail}")


class RetryableWorkflowError(RoutingError):
    """An executor failure worth retrying with another workflow (after cleanup)."""


class OutOfMemoryError(RetryableWorkflowError, MemoryError):
    """Raised by executors (or fakes) when the device ran out of memory."""


class ConfigError(RoutingError, ValueError):
    """A config value or key is wrong. ``key_path`` is dotted, e.g. ``routing.max_fallbacks``."""

    def __init__(self, message: str, key_path: str = "", value: object = None):
        self.key_path = key_path
        self.value = value
        super().__init__(message)


class RegistryError(RoutingError, KeyError):
    """Registration problem: duplicate (category, name), unknown name, not a workflow."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class ErrorKind(str, Enum):
    """What the manager does with a failed attempt."""

    OUT_OF_MEMORY = "out_of_memory"  # cleanup, then next fallback
    RETRYABLE = "retryable"  # cleanup, then next fallback
    INVALID_REQUEST = "invalid_request"  # stop at once
    INTERRUPTED = "interrupted"  # record, then re-raise
    ERROR = "error"  # stop, unless policy says fall back on any error

    def __str__(self) -> str:
        return self.value


OOM_CLASS_NAMES: frozenset[str] = frozenset({"OutOfMemoryError", "OOM_EXCEPTION", "OOMError", "MemoryError"})
INTERRUPT_CLASS_NAMES: frozenset[str] = frozenset({"InterruptProcessingException", "KeyboardInterrupt"})


def _mro_names(exc: BaseException) -> set[str]:
    return {cls.__name__ for cls in type(exc).__mro__}


def classify_exception(exc: BaseException, retryable_class_names: Iterable[str] = ()) -> ErrorKind:
    """Classify an executor failure without importing torch or comfy.

    Order matters: interrupts first (ComfyUI's InterruptProcessingException derives from
    BaseException in new versions), then bad requests, then OOM (our type, torch's class name, or
    an "out of memory" message), then configured retryable class names.
    """
    names = _mro_names(exc)
    if names & INTERRUPT_CLASS_NAMES or not isinstance(exc, Exception):
        return ErrorKind.INTERRUPTED  # KeyboardInterrupt, SystemExit, GeneratorExit, ComfyUI interrupt
    if isinstance(exc, InvalidRequestError):
        return ErrorKind.INVALID_REQUEST
    if isinstance(exc, OutOfMemoryError) or names & OOM_CLASS_NAMES:
        return ErrorKind.OUT_OF_MEMORY
    if "out of memory" in str(exc).lower():
        return ErrorKind.OUT_OF_MEMORY
    if isinstance(exc, RetryableWorkflowError) or names & set(retryable_class_names):
        return ErrorKind.RETRYABLE
    return ErrorKind.ERROR
