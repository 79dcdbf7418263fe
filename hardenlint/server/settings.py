"""What the server lints a document with: the file's configuration plus the client's settings.

The configuration is the one the CLI would use for that file: the nearest `.hardenlint.yaml` or
`pyproject.toml` with `[tool.hardenlint]` from the file's folder upwards. The client's settings
(`initializationOptions`, or the `hardenlint` section of `workspace/configuration`) go on top,
as the CLI's options do: `preset` and `select` replace, `extendSelect` and `ignore` add.
"""
from __future__ import annotations

import copy
import datetime
import os
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

from ..config import PRESETS, Config, ConfigError, find_config, load_file
from ..discover import matches
from ..engine import Linter

SETTING_KEYS = ("preset", "select", "extendSelect", "ignore", "unsafeFixes", "debounceMs")


@dataclass(frozen=True)
class Settings:
    """The client's settings (all optional)."""

    preset: Optional[str] = None
    select: Optional[Tuple[str, ...]] = None
    extend_select: Tuple[str, ...] = ()
    ignore: Tuple[str, ...] = ()
    unsafe_fixes: bool = False  # offer unsafe quick fixes (marked unsafe in their title)
    debounce_ms: int = 0  # quiet time after a change before linting (changes during a lint coalesce anyway)


def parse_settings(data: Any) -> Tuple[Settings, List[str]]:
    """Settings from the client's JSON (either the settings themselves or `{"hardenlint": {...}}`),
    and a message for each value that is wrong (that value is left out)."""
    from ..catalogue import expand_selector

    if isinstance(data, dict) and isinstance(data.get("hardenlint"), dict):
        data = data["hardenlint"]
    if not isinstance(data, dict):
        return Settings(), ([] if data is None else ["hardenlint settings: expected an object"])
    errors: List[str] = []
    out: Dict[str, Any] = {}
    for key in sorted(set(data) - set(SETTING_KEYS)):
        errors.append(f"hardenlint settings: unknown setting {key!r} (known: {', '.join(SETTING_KEYS)})")

    def ids(key: str) -> Optional[Tuple[str, ...]]:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            value = value.replace(",", " ").split()
        if not isinstance(value, list):
            errors.append(f"hardenlint settings: {key}: expected a list of rule ids")
            return None
        got: List[str] = []
        for token in value:
            expanded = expand_selector(str(token))
            if not expanded:
                errors.append(f"hardenlint settings: {key}: unknown rule id {token!r}")
            got.extend(expanded)
        return tuple(dict.fromkeys(got))

    preset = data.get("preset")
    if preset is not None:
        if isinstance(preset, str) and preset.lower() in PRESETS:
            out["preset"] = preset.lower()
        else:
            errors.append(f"hardenlint settings: preset: expected one of {', '.join(PRESETS)}, got {preset!r}")
    out["select"] = ids("select")
    out["extend_select"] = ids("extendSelect") or ()
    out["ignore"] = ids("ignore") or ()
    for key, name, typ in (("unsafeFixes", "unsafe_fixes", bool), ("debounceMs", "debounce_ms", int)):
        value = data.get(key)
        if value is None:
            continue
        if isinstance(value, typ) and (typ is bool or not isinstance(value, bool)) and not (typ is int and value < 0):
            out[name] = value
        else:
            errors.append(f"hardenlint settings: {key}: expected {'true or false' if typ is bool else 'a number of milliseconds'}, got {value!r}")
    return Settings(**out), errors


def apply(cfg: Config, settings: Settings) -> Config:
    """The file's configuration with the client's settings on top."""
    changes: Dict[str, Any] = {}
    if settings.preset:
        changes["preset"] = settings.preset
    if settings.select is not None:
        changes["select"] = settings.select
    if settings.extend_select:
        changes["extend_select"] = cfg.extend_select + settings.extend_select
    if settings.ignore:
        changes["ignore"] = cfg.ignore + settings.ignore
    if not changes:
        return cfg
    out = copy.copy(cfg)
    for name, value in changes.items():
        setattr(out, name, value)
    return out


@dataclass
class Resolved:
    """What one document is linted with."""

    linter: Linter
    config: Config
    error: Optional[str] = None  # a config file that could not be loaded (defaults used instead)
    excluded: bool = False  # the config's `exclude` covers the file: no diagnostics


class Configs:
    """Config files found and loaded, and one Linter per (config, settings, day); `clear()` when
    a config file changes."""

    def __init__(self) -> None:
        self._found: Dict[str, Optional[str]] = {}
        self._loaded: Dict[str, Tuple[Config, Optional[str]]] = {}
        self._linters: Dict[tuple, Linter] = {}

    def clear(self) -> None:
        self._found.clear()
        self._loaded.clear()
        self._linters.clear()

    def resolve(self, path: Optional[str], settings: Settings, fallback_folder: Optional[str]) -> Resolved:
        folder = os.path.dirname(path) if path else fallback_folder
        cfg_path = self._find(folder) if folder else None
        if cfg_path is None:
            cfg, error = Config(), None
        else:
            if cfg_path not in self._loaded:
                try:
                    self._loaded[cfg_path] = (load_file(cfg_path), None)
                except ConfigError as e:
                    fallback = Config(root=os.path.dirname(cfg_path))
                    self._loaded[cfg_path] = (fallback, str(e))
            cfg, error = self._loaded[cfg_path]
        today = datetime.date.today()
        key = (cfg_path, settings, today)
        linter = self._linters.get(key)
        if linter is None:
            linter = self._linters[key] = Linter(apply(cfg, settings), today=today)
        excluded = bool(path and cfg.exclude and matches(_relative(path, cfg.root), cfg.exclude))
        return Resolved(linter, linter.config, error, excluded)

    def _find(self, folder: str) -> Optional[str]:
        if folder not in self._found:
            self._found[folder] = find_config(folder)
        return self._found[folder]


def _relative(path: str, root: str) -> str:
    try:
        rel = os.path.relpath(path, os.path.abspath(root))
    except ValueError:
        return path
    return path if rel.startswith("..") else rel
