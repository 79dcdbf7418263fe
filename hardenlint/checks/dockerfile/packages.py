"""Package versions in RUN commands: HL108 (one finding per unpinned package, on its word).

Each package manager is one `Manager` row: the programs, the install subcommands, the options
that take a separate argument (so the argument is not read as a package), options that make the
whole command a lock-file install, and how a pinned package is written. Words holding a variable
(`$PKGS`) cannot be judged and are not findings; local files and URLs are not packages of a
mirror and are skipped.
"""
from __future__ import annotations

import re

from ... import lazyre
from ...model.dockerfile import Dockerfile
from ...model.findings import Violation
from ...model.record import record
from ...registry import RuleContext, check
from ._shell import Command, Word
from ._util import Script, commands

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, FrozenSet, Iterable, Iterator, Optional, Tuple


@record(frozen=True)
class Manager:
    programs: FrozenSet[str]
    subcommands: FrozenSet[str]  # empty: no subcommand (none of ours)
    with_arg: FrozenSet[str]  # options whose value is the next word
    pinned: Callable[[str], bool]
    example: str
    lock_options: FrozenSet[str] = frozenset()  # the command installs from a file, not by name
    needs_packages_flag: Optional[FrozenSet[str]] = None


def _fs(*items: str) -> FrozenSet[str]:
    return frozenset(items)


_NPM_RANGE = lazyre.compile(r"^[\^~<>=*]|^(latest|next)$|[xX*]$| ")
_RPM_VERSION = lazyre.compile(r"-\d|[=<>]")

MANAGERS: Tuple[Manager, ...] = (
    Manager(_fs("apt-get", "apt", "aptitude"), _fs("install"), _fs("-o", "-c", "-t", "--target-release", "--option",
                                                                  "--config-file"),
            lambda p: "=" in p, "`curl=7.88.1-10+deb12u5`"),
    Manager(_fs("apk"), _fs("add"), _fs("-X", "--repository", "-t", "--virtual", "-p", "--root", "--arch",
                                        "--keys-dir", "--cache-dir", "--repositories-file"),
            lambda p: any(c in p for c in "=~<>"), "`curl=8.5.0-r0`"),
    Manager(_fs("pip"), _fs("install"), _fs("-i", "--index-url", "--extra-index-url", "-f", "--find-links", "-t",
                                            "--target", "--prefix", "--root", "--platform", "--python-version",
                                            "--implementation", "--abi", "--trusted-host", "--cert", "--client-cert",
                                            "--proxy", "--timeout", "--retries", "--src", "--upgrade-strategy",
                                            "--progress-bar", "--log", "--cache-dir", "--no-binary", "--only-binary",
                                            "-e", "--editable", "--config-settings", "-C"),
            lambda p: "==" in p or " @ " in p or p.startswith("@"), "`flask==3.0.3`",
            lock_options=_fs("-r", "--requirement", "-c", "--constraint", "--require-hashes")),
    Manager(_fs("npm"), _fs("install", "i", "add", "isntall", "in"), _fs("--prefix", "--registry", "--cache",
                                                                      "--userconfig", "-w", "--workspace"),
            lambda p: _npm_pinned(p), "`x@1.2.3`"),
    Manager(_fs("gem"), _fs("install", "i"), _fs("-v", "--version", "-i", "--install-dir", "-n", "--bindir",
                                                 "--source", "-s", "-P", "--trust-policy", "--platform", "-g",
                                                 "--file"),
            lambda p: ":" in p, "`-v 1.2` or `x:1.2`"),
    Manager(_fs("yum", "dnf", "microdnf", "tdnf"), _fs("install"), _fs("-c", "--config", "--installroot",
                                                                       "--releasever", "-x", "--exclude", "--repo",
                                                                       "--repoid", "--enablerepo", "--disablerepo",
                                                                       "--setopt", "-d", "-e", "--downloaddir",
                                                                       "--destdir"),
            lambda p: bool(_RPM_VERSION.search(p)), "`x-1.2`"),
    Manager(_fs("zypper"), _fs("install", "in"), _fs("-R", "--root", "-c", "--config", "-t", "--type", "-r", "--repo",
                                                     "--from", "-D", "--reposd-dir", "-C", "--cache-dir",
                                                     "--installroot"),
            lambda p: bool(_RPM_VERSION.search(p)), "`x=1.2` or `x-1.2`"),
    Manager(_fs("go"), _fs("install"), _fs("-C", "-p", "-o", "-tags", "-ldflags", "-gcflags", "-asmflags",
                                           "-mod", "-modfile", "-overlay", "-pkgdir", "-toolexec"),
            lambda p: "@" in p and p.rsplit("@", 1)[1] not in ("latest", "master", "main", "HEAD", ""),
            "`x@v1.2.3`"),
)
_BY_PROGRAM = {p: m for m in MANAGERS for p in m.programs}
_PIP = lazyre.compile(r"pip(?:\d+(?:\.\d+)?)?")
_PYTHON = lazyre.compile(r"python[0-9.]*")
_LOCAL = lazyre.compile(r"^(?:\.|/|~|[a-z+]+://|git\+|file:|github:)|\.(?:deb|rpm|apk|whl|tar\.gz|tgz|zip|gem|tar\.bz2)$",
                    re.I)


def _npm_pinned(p: str) -> bool:
    at = p.rfind("@")
    if at <= 0:  # no version (`x`, `@scope/x`)
        return False
    return not _NPM_RANGE.search(p[at + 1:])


def _program(cmd: Command) -> Tuple[Optional[Manager], str, int]:
    """(manager, program as named, index of the first word after the program) of a command."""
    i = cmd.name_index()
    if i >= len(cmd.words):
        return None, "", -1
    name = cmd.name
    if _PYTHON.fullmatch(name) and [w.value for w in cmd.words[i + 1:i + 3]] == ["-m", "pip"]:
        return _BY_PROGRAM["pip"], "pip", i + 3
    if _PIP.fullmatch(name):
        return _BY_PROGRAM["pip"], "pip", i + 1
    return _BY_PROGRAM.get(name), name, i + 1


def _option(m: Manager, words, j: int) -> int:
    """Index after the option at words[j] (and its value when it takes the next word)."""
    v = words[j].value
    takes = v in m.with_arg and "=" not in v
    return j + 2 if takes else j + 1


def install_packages(cmd: Command) -> Iterator[Tuple[Manager, str, str, Word]]:
    """(manager, program, subcommand, package word) of every package an install command names."""
    m, name, j = _program(cmd)
    if m is None:
        return
    words = cmd.words
    sub = None
    while j < len(words):  # global options, then the subcommand
        if words[j].value.startswith("-"):
            j = _option(m, words, j)
            continue
        sub = words[j].value
        j += 1
        break
    if sub not in m.subcommands:
        return
    if name == "npm" and not any(not w.value.startswith("-") for w in words[j:]):
        return  # bare `npm install`: the lock file decides
    found = []
    while j < len(words):
        v = words[j].value
        if v.startswith("-") and v != "-":
            if v.split("=", 1)[0] in m.lock_options:
                return
            j = _option(m, words, j)
            continue
        found.append(words[j])
        j += 1
    if name == "gem" and any(w.value in ("-v", "--version") or w.value.startswith("--version=") for w in words):
        return
    for w in found:
        if "$" in w.value or "`" in w.value or not w.value or _LOCAL.search(w.value) or w.value.startswith("@") and \
                name in ("yum", "dnf", "microdnf", "tdnf"):
            continue
        yield m, name, sub, w


@check("HL108", "D")
def package_version_unpinned(df: Dockerfile, ctx: RuleContext) -> Iterable[Violation]:
    """Every package installed by name without a version."""
    for _stage, _ins, sc, cmd in commands(df):
        sc: Script
        for m, name, sub, w in install_packages(cmd):
            if m.pinned(w.value):
                continue
            yield Violation(sc.word_span(w), f"`{name} {sub}` installs `{w.value}` without an exact version, so the image "
                                             f"changes whenever the mirror does; pin it (like {m.example})")
