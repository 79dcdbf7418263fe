"""Configuration: `[tool.hardenlint]` in pyproject.toml or `.hardenlint.yaml`, plus CLI options.

The nearest config file up the tree from the working directory wins (or `--config FILE`). Unknown
keys, rule ids, levels and rule options are a ConfigError: a clear one-line message, exit 2.
"""
from __future__ import annotations

import os

from .catalogue import LEVELS, RULES, expand_selector, resolve_id
from .model.record import field, record
from .profiles import DEFAULTS as DEFAULT_PROFILES, Profile

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional, Sequence, Tuple

CONFIG_NAMES = (".hardenlint.yaml", ".hardenlint.yml", "pyproject.toml")
PRESETS = ("recommended", "strict")
THRESHOLDS = ("error", "warning", "note", "none")
KEYS = {
    "preset", "select", "extend-select", "ignore", "per-file-ignores", "severity",
    "failure-threshold", "trusted-registries", "exclude", "rules", "profiles", "baseline",
    "resolve", "insecure-registries", "resolve-cache-ttl",
}


class ConfigError(Exception):
    """A configuration problem, reported as one line."""


@record
class Config:
    preset: str = "recommended"
    select: Optional[Tuple[str, ...]] = None
    extend_select: Tuple[str, ...] = ()
    ignore: Tuple[str, ...] = ()
    per_file_ignores: Dict[str, Tuple[str, ...]] = field(default_factory=dict)
    severity: Dict[str, str] = field(default_factory=dict)
    failure_threshold: str = "note"
    trusted_registries: Tuple[str, ...] = ()
    exclude: Tuple[str, ...] = ()
    rule_options: Dict[str, Dict[str, Any]] = field(default_factory=dict)
    profiles: Dict[str, Profile] = field(default_factory=lambda: dict(DEFAULT_PROFILES))  # {} with --no-profiles
    env_files: Tuple[str, ...] = ()  # --env-file: compose variables instead of the .env beside the file
    compose_env: bool = False  # --compose-env: the process environment interpolates compose files too
    baseline: Optional[str] = None  # baseline file: report only findings not in it
    path: Optional[str] = None  # the file it came from
    root: str = "."  # folder that relative excludes and per-file-ignores are matched from
    resolve: bool = False  # ask registries for digests (network): online rules and resolver fixes
    insecure_registries: Tuple[str, ...] = ()  # hosts (host or host:port) the resolver may reach over plain HTTP
    resolve_cache_ttl: int = 3600  # seconds a tag -> digest answer stays in the cache
    resolve_cache: bool = True  # False: --no-cache

    def enabled_rules(self) -> frozenset:
        """Rule ids this run checks: preset (or `select`) plus `extend-select`, minus `ignore`."""
        if self.select is not None:
            ids = set(self.select)
        else:
            wanted = ("recommended",) if self.preset == "recommended" else ("recommended", "strict")
            ids = {r.id for r in RULES.values() if r.preset in wanted}
        ids |= set(self.extend_select)
        ids -= set(self.ignore)
        if not self.trusted_registries:
            ids.discard("HL104")  # nothing to check against
        return frozenset(ids)


def _ids(value: Any, where: str) -> Tuple[str, ...]:
    """Expand a list (or comma string) of ids, aliases and prefixes; unknown ones are an error."""
    if isinstance(value, str):
        value = [v for v in value.replace(",", " ").split()]
    if not isinstance(value, (list, tuple)):
        raise ConfigError(f"{where}: expected a list of rule ids")
    out: List[str] = []
    for token in value:
        got = expand_selector(str(token))
        if not got:
            raise ConfigError(f"{where}: unknown rule id {token!r}")
        out.extend(got)
    return tuple(dict.fromkeys(out))


def _strings(value: Any, where: str) -> Tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: expected a list of strings")
    return tuple(value)


def _choice(value: Any, choices: Sequence[str], where: str) -> str:
    if not isinstance(value, str) or value.lower() not in choices:
        raise ConfigError(f"{where}: expected one of {', '.join(choices)}, got {value!r}")
    return value.lower()


def from_mapping(data: Any, source: str) -> Config:
    """Build a Config from the parsed file contents (a mapping)."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: the hardenlint settings must be a mapping")
    unknown = sorted(set(data) - KEYS)
    if unknown:
        raise ConfigError(f"{source}: unknown key {unknown[0]!r} (known: {', '.join(sorted(KEYS))})")
    cfg = Config(path=source, root=os.path.dirname(os.path.abspath(source)) if os.path.exists(source) else ".")
    if "preset" in data:
        cfg.preset = _choice(data["preset"], PRESETS, f"{source}: preset")
    if "select" in data:
        cfg.select = _ids(data["select"], f"{source}: select")
    if "extend-select" in data:
        cfg.extend_select = _ids(data["extend-select"], f"{source}: extend-select")
    if "ignore" in data:
        cfg.ignore = _ids(data["ignore"], f"{source}: ignore")
    if "failure-threshold" in data:
        cfg.failure_threshold = _choice(data["failure-threshold"], THRESHOLDS, f"{source}: failure-threshold")
    if "trusted-registries" in data:
        cfg.trusted_registries = tuple(r.lower().rstrip("/") for r in _strings(data["trusted-registries"], f"{source}: trusted-registries"))
    if "exclude" in data:
        cfg.exclude = _strings(data["exclude"], f"{source}: exclude")
    if "baseline" in data:
        if not isinstance(data["baseline"], str) or not data["baseline"]:
            raise ConfigError(f"{source}: baseline: expected a file name")
        cfg.baseline = os.path.join(cfg.root, data["baseline"])  # relative to the config file
    if "resolve" in data:
        if not isinstance(data["resolve"], bool):
            raise ConfigError(f"{source}: resolve: expected true or false")
        cfg.resolve = data["resolve"]
    if "insecure-registries" in data:
        cfg.insecure_registries = tuple(h.lower().rstrip("/") for h in _strings(data["insecure-registries"], f"{source}: insecure-registries"))
    if "resolve-cache-ttl" in data:
        ttl = data["resolve-cache-ttl"]
        if not isinstance(ttl, int) or isinstance(ttl, bool) or ttl < 0:
            raise ConfigError(f"{source}: resolve-cache-ttl: expected a number of seconds, got {ttl!r}")
        cfg.resolve_cache_ttl = ttl
    pfi = data.get("per-file-ignores", {})
    if not isinstance(pfi, dict):
        raise ConfigError(f"{source}: per-file-ignores must map file globs to rule ids")
    cfg.per_file_ignores = {str(k): _ids(v, f"{source}: per-file-ignores {k!r}") for k, v in pfi.items()}
    sev = data.get("severity", {})
    if not isinstance(sev, dict):
        raise ConfigError(f"{source}: severity must map rule ids to levels")
    for key, level in sev.items():
        for rid in _ids([key], f"{source}: severity"):
            cfg.severity[rid] = _choice(level, LEVELS, f"{source}: severity for {key}")
    cfg.rule_options = _rule_options(data.get("rules", {}), source)
    if "profiles" in data:
        cfg.profiles = _profiles(data["profiles"], source)
    return cfg


def _profiles(data: Any, source: str) -> Dict[str, Profile]:
    """The built-in profiles, with the `paths` / `ignore` a config sets replacing theirs, plus
    the profiles it adds (a new one needs `paths`)."""
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: profiles must map profile names to their paths and ignore")
    out = dict(DEFAULT_PROFILES)
    for name, body in data.items():
        where = f"{source}: profiles.{name}"
        if not isinstance(body, dict):
            raise ConfigError(f"{where}: expected a mapping with paths and ignore")
        unknown = sorted(set(body) - {"paths", "ignore", "follow-compose-references"})
        if unknown:
            raise ConfigError(f"{where}: unknown key {unknown[0]!r} (known: follow-compose-references, ignore, paths)")
        base = out.get(str(name))
        if base is None and "paths" not in body:
            raise ConfigError(f"{where}: a new profile needs paths")
        paths = _strings(body["paths"], f"{where}.paths") if "paths" in body else base.paths
        ignore = _ids(body["ignore"], f"{where}.ignore") if "ignore" in body else (base.ignore if base else ())
        follow = body.get("follow-compose-references", base.compose_references if base else False)
        if not isinstance(follow, bool):
            raise ConfigError(f"{where}.follow-compose-references: expected true or false, got {follow!r}")
        out[str(name)] = Profile(str(name), paths, ignore, follow)
    return out


def _rule_options(data: Any, source: str) -> Dict[str, Dict[str, Any]]:
    if not data:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: rules must map rule ids to their options")
    from .registry import option_schemas  # imports the checks: only when options are configured

    schemas = option_schemas()
    out: Dict[str, Dict[str, Any]] = {}
    for key, opts in data.items():
        rid = resolve_id(str(key))
        if rid is None:
            raise ConfigError(f"{source}: rules: unknown rule id {key!r}")
        if not isinstance(opts, dict):
            raise ConfigError(f"{source}: rules.{rid}: expected a mapping of options")
        schema = schemas.get(rid, {})
        for name, value in opts.items():
            if name not in schema:
                known = ", ".join(sorted(schema)) or "none"
                raise ConfigError(f"{source}: rules.{rid}: unknown option {name!r} (known: {known})")
            want = schema[name].type
            if want is float and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            if not isinstance(value, want) or (want is int and isinstance(value, bool)):
                raise ConfigError(f"{source}: rules.{rid}.{name}: expected {want.__name__}, got {value!r}")
            out.setdefault(rid, {})[name] = value
    return out


def load_file(path: str, cache: bool = False) -> Config:
    """Read a config file (pyproject.toml's [tool.hardenlint] or a .hardenlint.yaml). With `cache`,
    what the file parsed to is kept in the user cache and reused while its bytes are unchanged
    (`usercache`: a one-file run then imports neither PyYAML nor tomllib)."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise ConfigError(f"{path}: cannot read config: {e.strerror or e}") from None
    if not cache:
        return from_mapping(_parse(path, raw), path)
    from .usercache import keep_parsed_config, parsed_config

    kept = parsed_config(path, raw)
    if kept is None:
        kept = (_parse(path, raw),)
        keep_parsed_config(path, raw, kept[0])
    return from_mapping(kept[0], path)


def _parse(path: str, raw: bytes) -> Any:
    """The hardenlint settings a config file holds, as parsed (not yet checked)."""
    if path.endswith(".toml"):
        try:
            import tomllib  # type: ignore
        except ImportError:  # Python < 3.11
            import tomli as tomllib  # type: ignore
        try:
            doc = tomllib.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as e:
            raise ConfigError(f"{path}: invalid TOML: {e}") from None
        return doc.get("tool", {}).get("hardenlint", {})
    import yaml

    try:
        return yaml.load(raw, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as e:
        raise ConfigError(f"{path}: invalid YAML: {str(e).splitlines()[0]}") from None


def find_config(start: str = ".") -> Optional[str]:
    """The nearest config file from `start` upwards: .hardenlint.yaml, or a pyproject.toml that
    has a [tool.hardenlint] table."""
    folder = os.path.abspath(start)
    while True:
        for name in CONFIG_NAMES:
            candidate = os.path.join(folder, name)
            if os.path.isfile(candidate):
                if name != "pyproject.toml" or _has_tool_table(candidate):
                    return candidate
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _has_tool_table(path: str) -> bool:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return "[tool.hardenlint" in f.read()
    except OSError:
        return False
