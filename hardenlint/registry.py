"""Registration of checks, with each rule's option schema beside its check.

A check is a function `check(model, ctx) -> Iterable[Violation]` registered with `@check(rule_id,
kinds, options=...)`. Check modules are imported only for the file kinds a run meets, so a
Dockerfile-only run never imports the YAML stack (nor the cluster checks and the object index).

A cross-object rule also registers a resolver with `@cross_object(rule_id)`:
`resolver(index, args, message) -> Optional[str]` decides, once the run-wide object index
(`hardenlint.model.objects.ObjectIndex`) is complete, each finding its check yielded with
`Violation(..., deferred=Deferred(rule_id, args))`: the message to report, or None to drop it.
"""
from __future__ import annotations

import importlib

from .catalogue import RULES
from .model.record import field, record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

# Explicit import lists, by kind letter. Keep them in sync with hardenlint/checks/.
_D = tuple(f"hardenlint.checks.dockerfile.{m}" for m in ("provenance", "surface", "privilege", "secrets", "packages"))
_CK = tuple(
    f"hardenlint.checks.container.{m}" for m in ("provenance", "surface", "privilege", "access", "secrets", "ports")
)
_CLUSTER = tuple(f"hardenlint.checks.cluster.{m}" for m in ("rbac", "namespaces", "tokens"))
CHECK_MODULES: Dict[str, Tuple[str, ...]] = {"D": _D, "C": _CK, "K": _CK + _CLUSTER}


@record(frozen=True)
class Option:
    """One per-rule option: its type, default and a line of help."""

    type: type
    default: Any
    help: str


@record
class Check:
    rule: str
    kinds: str
    func: Callable[..., Iterable[Any]]
    options: Dict[str, Option] = field(default_factory=dict)
    needs_stages: bool = False


@record
class RuleContext:
    """What a check may read besides the model: its options, the run's date and config, and with
    `--resolve` the registry's answers for the run's image references (`hardenlint.oci.resolve.
    Resolutions`; None without `--resolve`, so online rules stay silent and offer no fix)."""

    rule: str
    options: Dict[str, Any]
    today: str  # the run's date, ISO (YYYY-MM-DD)
    trusted_registries: Tuple[str, ...] = ()
    resolved: Any = None


CHECKS: List[Check] = []
RESOLVERS: Dict[str, Callable[..., Optional[str]]] = {}
_loaded: set = set()


def check(rule: str, kinds: str, options: Dict[str, Option] = None, needs_stages: bool = False):
    """Register a check for `rule` on the given kind letters (a subset of the rule's kinds).

    `needs_stages`: a Dockerfile check that needs the stage structure (the final stage, its USER,
    its base image); it skips a Dockerfile with parse errors (HL001), where that structure cannot
    be trusted. Other checks judge single instructions and run on every instruction that parsed,
    fragments included."""
    if rule not in RULES or not set(kinds) <= set(RULES[rule].kinds):
        raise ValueError(f"check for {rule} on kinds {kinds!r} disagrees with the catalogue")

    def register(func):
        CHECKS.append(Check(rule, kinds, func, dict(options or {}), needs_stages))
        return func

    return register


def cross_object(rule: str):
    """Register the resolver of a cross-object rule's deferred findings (see the module doc)."""
    if rule not in RULES:
        raise ValueError(f"resolver for unknown rule {rule}")

    def register(func):
        RESOLVERS[rule] = func
        return func

    return register


def resolver_for(rule: str) -> Optional[Callable[..., Optional[str]]]:
    """The resolver registered for `rule` (deferred findings exist only for Kubernetes checks)."""
    if rule not in RESOLVERS:
        load("K")
    return RESOLVERS.get(rule)


def load(kind_letters: Iterable[str]) -> None:
    """Import the check modules for these kind letters (once)."""
    for letter in kind_letters:
        for mod in CHECK_MODULES.get(letter, ()):
            if mod not in _loaded:
                importlib.import_module(mod)
                _loaded.add(mod)


def checks_for(kind_letter: str) -> List[Check]:
    load(kind_letter)
    return [c for c in CHECKS if kind_letter in c.kinds]


def option_schemas() -> Dict[str, Dict[str, Option]]:
    """Every rule's options (imports all check modules)."""
    load("DCK")
    out: Dict[str, Dict[str, Option]] = {}
    for c in CHECKS:
        out.setdefault(c.rule, {}).update(c.options)
    return out
