"""Profiles: rules left out for files of a given role, chosen by path.

The built-in `devcontainer` profile covers files under `.devcontainer/` and the compose files a
devcontainer.json names (see devcontainer.py): they describe a developer's workstation, where a
full toolchain, sudo, a root user and a forwarded Docker socket are the point. Every other rule
still applies there (a secret in a dev container's ENV is still a leak).
`[tool.hardenlint.profiles.NAME]` (or `profiles:` in .hardenlint.yaml) sets a profile's `paths`
and `ignore`, or adds a profile; `--no-profiles` turns them all off.
"""
from __future__ import annotations

import os

from .model.record import record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, Iterable, Optional, Tuple

DEVCONTAINER = "devcontainer"


@record(frozen=True)
class Profile:
    name: str
    paths: Tuple[str, ...]  # gitignore-style globs, as `exclude` (from the config's folder)
    ignore: Tuple[str, ...]  # rule ids left out
    compose_references: bool = False  # also compose files a devcontainer.json names (devcontainer)


DEFAULTS: Dict[str, Profile] = {
    DEVCONTAINER: Profile(DEVCONTAINER, (".devcontainer/",),
                          ("HL201", "HL204", "HL301", "HL302", "HL303", "HL313"), compose_references=True),
}


def applying(path: str, rel: str, kind: Optional[str], profiles: Iterable[Profile]) -> Tuple[Profile, ...]:
    """The profiles that apply to a file: its path relative to the config's folder (`rel`)
    matches one of their globs, or it is a compose file a devcontainer.json names and the profile
    follows those (`compose_references`: the devcontainer profile, unless configured off)."""
    from .discover import matches

    out = []
    for p in profiles:
        if matches(rel, p.paths) or (p.compose_references and kind == "compose" and _named(path)):
            out.append(p)
    return tuple(out)


def _named(path: str) -> bool:
    from .devcontainer import named_by_devcontainer

    return os.path.exists(path) and named_by_devcontainer(path)
