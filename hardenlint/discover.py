"""Finding the files to lint and deciding their kind: from the name, else from the content.

Kinds handed on: "dockerfile", "compose" (named like a compose file), "yaml" (YAML whose content
decides: compose, Kubernetes or not ours), "json" (JSON: a Kubernetes manifest or not ours) and,
for a file named on the command line or read from stdin whose name says nothing, "auto": the
reader decides with `kind_by_content` once the text is read.
"""
from __future__ import annotations

import fnmatch
import os

from . import lazyre

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterable, Iterator, List, Optional, Sequence, Tuple

SKIP_DIRS = frozenset(
    {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".nox",
     ".mypy_cache", ".pytest_cache", ".ruff_cache", ".eggs", ".direnv"}
)
YAML_SUFFIXES = (".yml", ".yaml")
JSON_SUFFIX = ".json"
AUTO = "auto"


_DOCKERFILE = lazyre.compile(r"^(?:.*[._-])?(?:docker|container)file(?:[._-].*)?$")


def kind_by_name(name: str) -> Optional[str]:
    """"dockerfile", "compose", "yaml" / "json" (kind decided by content), or None (not ours).

    Dockerfiles: `Dockerfile`, `Containerfile`, and those words joined to others by `.`, `-` or
    `_` (`Dockerfile.prod`, `api.Dockerfile`, `Dockerfile-dev`, `build_dockerfile`), any case.
    """
    low = os.path.basename(name).lower()
    if low.endswith(YAML_SUFFIXES):
        stem = low.rsplit(".", 1)[0]
        if stem == "compose" or stem.startswith(("compose.", "docker-compose")):
            return "compose"
        return "yaml"
    if low.endswith(JSON_SUFFIX):
        return "json"
    if _DOCKERFILE.match(low):
        return "dockerfile"
    return None


def kind_for_explicit(path: str) -> str:
    """A file named on the command line is linted whatever its name: its kind by name when the
    name says it, else "auto" (decided from the content by `kind_by_content`)."""
    return kind_by_name(path) or AUTO


_DOCKERFILE_LINE = lazyre.compile(
    r"(?i)[ \t]*(?:FROM|RUN|CMD|LABEL|MAINTAINER|EXPOSE|ENV|ADD|COPY|ENTRYPOINT|VOLUME|USER|WORKDIR|ARG|"
    r"ONBUILD|STOPSIGNAL|HEALTHCHECK|SHELL)(?:[ \t]|\r?$)")
_YAML_LINE = lazyre.compile(
    r"""(?:---|\.\.\.|%YAML|%TAG|-(?:[ \t]|\r?$)|"[^"]*"[ \t]*:|'[^']*'[ \t]*:|[^\s#:'"\[{][^#]*?:(?:[ \t]|\r?$))""")


def kind_by_content(text: str) -> str:
    """The kind of a text whose name says nothing: "json" when it opens with `{` or `[`,
    "dockerfile" when its first line that is neither blank nor a comment starts with a Dockerfile
    instruction, "yaml" when that line is a YAML key, list item or document marker (the YAML
    parser then decides compose, Kubernetes or not ours), else "dockerfile" (its parser reports
    what is wrong, as HL001)."""
    for line in text.lstrip("\ufeff").splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped[0] in "{[":
            return "json"
        if _DOCKERFILE_LINE.match(line):
            return "dockerfile"
        return "yaml" if _YAML_LINE.match(stripped) else "dockerfile"
    return "dockerfile"


def _is_venv(path: str) -> bool:
    return os.path.isfile(os.path.join(path, "pyvenv.cfg"))


def matches(rel_path: str, patterns: Sequence[str]) -> bool:
    """gitignore-style match: a pattern without `/` matches any path component; with `/`, the
    path (or a leading part of it) from the config root; a trailing `/` or `/**` means a folder."""
    rel = rel_path.replace(os.sep, "/")
    while rel.startswith("./"):
        rel = rel[2:]
    parts = rel.split("/")
    for pat in patterns:
        p = pat.strip().rstrip("/")
        if p.endswith("/**"):
            p = p[:-3]
        if not p:
            continue
        if "/" not in p:
            if any(fnmatch.fnmatchcase(part, p) for part in parts):
                return True
            continue
        p = p.lstrip("/")
        for i in range(1, len(parts) + 1):
            if fnmatch.fnmatchcase("/".join(parts[:i]), p):
                return True
    return False


def walk(paths: Iterable[str], excludes: Sequence[str] = (), root: str = ".",
         force_exclude: bool = False) -> Iterator[Tuple[str, str]]:
    """Yield (path, kind) for every file to lint, in a stable order.

    Directories are walked (skipping VCS folders, virtualenvs, node_modules and excludes); files
    named explicitly are always linted unless `force_exclude` applies the excludes to them too.
    A path that does not exist raises FileNotFoundError. A file reached twice (a folder given
    twice or spelled differently, a file inside a folder also given, a symlink to a file already
    listed) is yielded once, the first time: reported once, and never fixed twice. A folder walk
    does not follow symlinks to folders, and skips a symlinked file whose target lies outside the
    folder given (`inside`).
    """
    seen = set()

    def first_time(path: str) -> bool:
        key = os.path.normcase(os.path.realpath(path))
        if key in seen:
            return False
        seen.add(key)
        return True

    for path in paths:
        if os.path.isdir(path):
            yield from ((p, k) for p, k in _walk_dir(path, excludes, root) if first_time(p))
        elif os.path.exists(path):
            if force_exclude and excludes and matches(_rel(path, root), excludes):
                continue
            if force_exclude and kind_by_name(path) is None:
                continue
            if first_time(path):
                yield path, kind_for_explicit(path)
        else:
            raise FileNotFoundError(path)


def _rel(path: str, root: str) -> str:
    try:
        return os.path.relpath(path, root)
    except ValueError:
        return path


def inside(path: str, folders: Iterable[str]) -> bool:
    """Whether the file `path` leads (through symlinks) to a file in one of `folders` (real paths)."""
    real = os.path.normcase(os.path.realpath(path))
    return any(real == f or real.startswith(f.rstrip(os.sep) + os.sep) for f in folders)


def _walk_dir(top: str, excludes: Sequence[str], root: str) -> Iterator[Tuple[str, str]]:
    real_top = (os.path.normcase(os.path.realpath(top)),)
    for dirpath, dirnames, filenames in os.walk(top):
        keep: List[str] = []
        for d in sorted(dirnames):
            full = os.path.join(dirpath, d)
            if d in SKIP_DIRS or _is_venv(full) or (excludes and matches(_rel(full, root), excludes)):
                continue
            keep.append(d)
        dirnames[:] = keep
        for name in sorted(filenames):
            kind = kind_by_name(name)
            if kind is None:
                continue
            full = os.path.join(dirpath, name)
            if excludes and matches(_rel(full, root), excludes):
                continue
            if not os.path.exists(full):
                continue  # a dangling symlink met on a walk is nothing to lint (named explicitly, it is an error)
            if os.path.islink(full) and not inside(full, real_top):
                continue  # a symlink out of the folder given: not ours to lint (nor to fix)
            yield full, kind
