"""HL107 knowledge: command lines and environment settings that turn off TLS or signature checks.

`insecure_command(argv)` reads one simple command (words already unquoted); `insecure_env(name,
value)` judges one environment variable, for ENV/ARG, compose `environment` and K8s `env`.
"""
from __future__ import annotations

import re

from .. import lazyre
from ..model.record import record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import List, Optional, Sequence, Tuple


@record(frozen=True)
class Insecure:
    """argv[start:end] turns verification off. `replacement` are the words that turn it back on
    (`()` = delete them), or None when there is no mechanical fix."""

    start: int
    end: int
    message: str
    replacement: Optional[Tuple[str, ...]] = ()
    title: str = ""  # what the fix does, when not just "remove" / "turn verification back on"


_FALSE = {"false", "0", "no", "off"}
_TRUE = {"true", "1", "yes", "on"}
# Commands that run another command, with their short options that take an argument.
_WRAPPERS = {"sudo": "ugpCDhrtUT", "doas": "uC", "env": "uCS", "command": "", "exec": "a",
             "nohup": "", "time": "fo", "nice": "n", "xargs": "aEeIiLlnPsd", "su-exec": "", "gosu": ""}
_ASSIGNMENT = lazyre.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
_CURL_ARG_LETTERS = set("AbcCdDeEFHKmoPQrtTuUwxXyYz")
_APT = {"apt-get", "apt", "aptitude"}
_PIP = lazyre.compile(r"pip(?:\d+(?:\.\d+)?)?")
_PYTHON_VERSION = lazyre.compile(r"python\d\.\d+")
_RPM_FAMILY = {"yum", "dnf", "dnf5", "microdnf", "tdnf"}
_CONFIG_MANAGERS = {"yum-config-manager", "dnf-config-manager"}
_APT_BAD_TRUE = lazyre.compile(
    r"(acquire::allowinsecurerepositories|acquire::allowdowngradetoinsecurerepositories"
    r"|apt::get::allowunauthenticated)\s*=\s*[\"']?(true|1|yes)[\"']?", re.I)
_APT_BAD_FALSE = lazyre.compile(r"acquire::https::(?:[^=]*::)?verify-(?:peer|host)\s*=\s*[\"']?(false|0|no)[\"']?", re.I)
# `[repo.|*.]gpgcheck|repo_gpgcheck|sslverify=0|false|no|off`, the value of a setopt option
_SETOPT_BAD = lazyre.compile(r"(?:[\w.*:-]+\.)?(?:gpgcheck|repo_gpgcheck|sslverify)=(?:0|false|no|off)", re.I)
_GIT_SSLVERIFY = lazyre.compile(r"http\.(?:.+\.)?sslverify", re.I)
_APT_TRUSTED = lazyre.compile(r"\[[^\]]*\btrusted=yes\b[^\]]*\]")


def command_start(argv: Sequence[str]) -> int:
    """Index of the command name, past env assignments and wrappers (`sudo -u app`, `env X=1`)."""
    i = 0
    while i < len(argv):
        w = argv[i]
        if _ASSIGNMENT.match(w):
            i += 1
            continue
        takes_arg = _WRAPPERS.get(w.rsplit("/", 1)[-1])
        if takes_arg is None:
            break
        i += 1
        while i < len(argv) and argv[i].startswith("-") and argv[i] != "-":
            opt = argv[i]
            i += 1
            if opt == "--":
                break
            if len(opt) == 2 and opt[1] in takes_arg:
                i += 1  # the option's argument
        if w.rsplit("/", 1)[-1] in ("gosu", "su-exec"):
            i += 1  # `gosu USER command`
    return min(i, len(argv))


def _curl(argv: Sequence[str], i0: int) -> List[Insecure]:
    out: List[Insecure] = []
    i = i0 + 1
    while i < len(argv):
        w = argv[i]
        if w in ("--insecure", "--proxy-insecure", "--doh-insecure"):
            out.append(Insecure(i, i + 1, f"`curl {w}` turns off TLS certificate verification"))
        elif w.startswith("-") and not w.startswith("--") and len(w) > 1:
            letters = ""
            for ch in w[1:]:
                letters += ch
                if ch in _CURL_ARG_LETTERS:
                    break
            if "k" in letters:
                rest = w.replace("k", "", 1)
                what = "" if w == "-k" else " (`-k`)"
                out.append(Insecure(i, i + 1, f"`curl {w}` turns off TLS certificate verification{what}",
                                    () if rest == "-" else (rest,), "remove `-k`"))
            if letters[-1:] in _CURL_ARG_LETTERS and len(letters) == len(w) - 1:
                i += 1  # the option's argument is the next word
        i += 1
    return out


def _apt(argv: Sequence[str], i0: int, name: str) -> List[Insecure]:
    out: List[Insecure] = []
    flags = {
        "--allow-unauthenticated": "installs packages without checking their signatures",
        "--allow-insecure-repositories": "accepts unsigned repositories",
        "--force-yes": "also accepts unauthenticated packages",
    }
    i = i0 + 1
    while i < len(argv):
        w = argv[i]
        if w in flags:
            out.append(Insecure(i, i + 1, f"`{name} {w}` {flags[w]}"))
        elif w in ("-o", "--option") and i + 1 < len(argv):
            if _APT_BAD_TRUE.search(argv[i + 1]) or _APT_BAD_FALSE.search(argv[i + 1]):
                out.append(Insecure(i, i + 2, f"`{name} -o {argv[i + 1]}` turns off repository verification"))
            i += 1
        elif (w.startswith("-o") or w.startswith("--option=")) and (
                _APT_BAD_TRUE.search(w) or _APT_BAD_FALSE.search(w)):
            out.append(Insecure(i, i + 1, f"`{name} {w}` turns off repository verification"))
        i += 1
    return out


def _with_value(argv: Sequence[str], i0: int, flag: str, message: str) -> List[Insecure]:
    """`--flag VALUE` or `--flag=VALUE` anywhere after the command name."""
    out: List[Insecure] = []
    for i in range(i0 + 1, len(argv)):
        w = argv[i]
        if w == flag:
            out.append(Insecure(i, min(i + 2, len(argv)), message))
        elif w.startswith(flag + "="):
            out.append(Insecure(i, i + 1, message))
    return out


def _flags(argv: Sequence[str], i0: int, flags: dict, name: str) -> List[Insecure]:
    return [Insecure(i, i + 1, f"`{name} {argv[i]}` {flags[argv[i]]}")
            for i in range(i0 + 1, len(argv)) if argv[i] in flags]


def _config_set(argv: Sequence[str], i0: int, key: re.Pattern, name: str, what: str) -> List[Insecure]:
    """`<tool> [config] set KEY false` / `set KEY=false`: fix flips the value to true."""
    words = list(argv[i0 + 1:])
    if "set" not in words[:2]:
        return []
    j = i0 + 1 + words.index("set") + 1
    while j < len(argv) and argv[j].startswith("-"):
        j += 1  # --global, -g, --location=user
    if j >= len(argv):
        return []
    k, sep, v = argv[j].partition("=")
    if sep and key.fullmatch(k) and v.lower() in _FALSE:
        return [Insecure(j, j + 1, f"`{name} config set {argv[j]}` {what}", (f"{k}=true",))]
    if not sep and key.fullmatch(k) and j + 1 < len(argv) and argv[j + 1].lower() in _FALSE:
        return [Insecure(j + 1, j + 2, f"`{name} config set {k} {argv[j + 1]}` {what}", ("true",))]
    return []


def _setopt(argv: Sequence[str], i0: int, cmd: str) -> List[Insecure]:
    """`--setopt=[repo.|*.]sslverify|gpgcheck|repo_gpgcheck=0` (also `--setopt KEY=V`), anywhere
    among the options of yum/dnf and their config managers; dnf5's `config-manager setopt K=V`
    (fix: the value 1, since the subcommand needs an argument)."""
    out: List[Insecure] = []
    i = i0 + 1
    while i < len(argv):
        w = argv[i]
        if w.startswith("--setopt=") and _SETOPT_BAD.fullmatch(w[len("--setopt="):]):
            out.append(Insecure(i, i + 1, f"`{cmd} {w}` turns off signature or TLS checks"))
        elif w == "--setopt" and i + 1 < len(argv):
            if _SETOPT_BAD.fullmatch(argv[i + 1]):
                out.append(Insecure(i, i + 2, f"`{cmd} --setopt {argv[i + 1]}` turns off signature or TLS checks"))
            i += 1
        i += 1
    words = list(argv[i0 + 1:])
    if cmd in ("dnf", "dnf5") and words[:2] == ["config-manager", "setopt"]:
        for i in range(i0 + 3, len(argv)):
            if _SETOPT_BAD.fullmatch(argv[i]):
                on = argv[i].rsplit("=", 1)[0] + "=1"
                out.append(Insecure(i, i + 1, f"`{cmd} config-manager setopt {argv[i]}` turns off signature "
                                              "or TLS checks", (on,), f"set `{on}`"))
    return out


def _git(argv: Sequence[str], i0: int) -> List[Insecure]:
    """`git [-c k=v] ...`, `git clone -c/--config k=v`, `git config [--global] k false`."""
    out: List[Insecure] = []
    i = i0 + 1
    while i < len(argv):
        w = argv[i]
        kv, width = None, 1
        if w in ("-c", "--config") and i + 1 < len(argv):
            kv, width = argv[i + 1], 2
        elif w.startswith("--config="):
            kv = w[len("--config="):]
        if kv is not None:
            k, _, v = kv.partition("=")
            if _GIT_SSLVERIFY.fullmatch(k) and v.lower() in _FALSE:
                out.append(Insecure(i, i + width, f"`git {' '.join(argv[i:i + width])}` turns off "
                                    "TLS certificate verification"))
            i += width
            continue
        if w == "config":
            j = i + 1
            while j < len(argv) and argv[j].startswith("-"):
                j += 1
            if (j + 1 < len(argv) and _GIT_SSLVERIFY.fullmatch(argv[j])
                    and argv[j + 1].lower() in _FALSE):
                out.append(Insecure(j + 1, j + 2, f"`git config {argv[j]} {argv[j + 1]}` turns off "
                                    "TLS certificate verification", ("true",)))
            break
        i += 1
    return out


def _trusted_yes(argv: Sequence[str], i0: int) -> List[Insecure]:
    """`deb [trusted=yes] URI ...` written somewhere; a local `file:`/`copy:` repository of
    packages built in the same build is not a download and is left alone."""
    out = []
    for i in range(i0, len(argv)):
        m = _APT_TRUSTED.search(argv[i])
        if not m:
            continue
        rest = argv[i][m.end():].split() or argv[i + 1:i + 2]
        if rest and rest[0].startswith(("file:", "copy:")):
            continue
        out.append(Insecure(i, i + 1, "an APT source marked `[trusted=yes]` is used without "
                                      "checking its signature", None))
    return out


def insecure_command(argv: Sequence[str], start: Optional[int] = None) -> List[Insecure]:
    """Every place in one simple command that turns off TLS or signature verification; `start`
    is `command_start(argv)` when the caller knows it already."""
    out: List[Insecure] = []
    i0 = command_start(argv) if start is None else start
    for i in range(i0):
        name, _, value = argv[i].partition("=")
        if _ASSIGNMENT.match(argv[i]):
            msg = insecure_env(name, value)
            if msg:
                out.append(Insecure(i, i + 1, msg))
    if i0 >= len(argv):
        return out
    cmd = argv[i0].rsplit("/", 1)[-1]
    cmd = cmd[:-4] if cmd.lower().endswith(".exe") else cmd  # Windows images: curl.exe
    if cmd in ("python", "python3") or _PYTHON_VERSION.fullmatch(cmd):
        if argv[i0 + 1:i0 + 3] == ["-m", "pip"]:
            i0, cmd = i0 + 2, "pip"
    elif cmd == "uv" and argv[i0 + 1:i0 + 2] == ["pip"]:
        i0 = i0 + 1
    if cmd == "curl":
        out += _curl(argv, i0)
    elif cmd in ("wget", "wget2"):
        out += _flags(argv, i0, {"--no-check-certificate": "turns off TLS certificate verification"}, cmd)
    elif cmd in _APT:
        out += _apt(argv, i0, cmd)
    elif cmd == "apk":
        out += _flags(argv, i0, {"--allow-untrusted": "installs packages without checking their signatures"}, cmd)
    elif _PIP.fullmatch(cmd) or cmd == "uv":
        if cmd != "uv" and argv[i0 + 1:i0 + 3] == ["config", "set"] and any(
                w.endswith("trusted-host") for w in argv[i0 + 3:i0 + 5]):
            out.append(Insecure(i0, len(argv), "`pip config set ...trusted-host` lets pip use a "
                                "host without valid HTTPS", None))
        flag = "--allow-insecure-host" if cmd == "uv" else "--trusted-host"
        out += _with_value(argv, i0, flag, f"`{cmd} {flag}` lets it download from that host "
                           "without valid HTTPS")
    elif cmd in _RPM_FAMILY or cmd in _CONFIG_MANAGERS:
        out += _flags(argv, i0, {"--nogpgcheck": "installs packages without checking their signatures"}, cmd)
        out += _setopt(argv, i0, cmd)
    elif cmd == "zypper":
        out += _flags(argv, i0, {"--no-gpg-checks": "installs packages without checking their signatures"}, cmd)
    elif cmd == "rpm":
        out += _flags(argv, i0, {"--nosignature": "skips package signature checks",
                                 "--nodigest": "skips package digest checks",
                                 "--nofiledigest": "skips the digest checks of the files it installs",
                                 "--nomd5": "skips the digest checks of the files it installs",
                                 "--noverify": "skips package verification"}, cmd)
    elif cmd in ("npm", "yarn", "pnpm"):
        out += _config_set(argv, i0 if argv[i0 + 1:i0 + 2] != ["config"] else i0 + 1,
                           re.compile(r"strict-ssl"), cmd, "turns off TLS certificate verification")
        out += [Insecure(i, i + 1, f"`{cmd} {argv[i]}` turns off TLS certificate verification")
                for i in range(i0 + 1, len(argv))
                if argv[i] == "--no-strict-ssl" or re.fullmatch(r"--strict-ssl=(false|0)", argv[i])]
    elif cmd == "git":
        out += _git(argv, i0)
    elif cmd == "conda":
        if argv[i0 + 1:i0 + 3] == ["config", "--set"] and len(argv) > i0 + 4 \
                and argv[i0 + 3] == "ssl_verify" and argv[i0 + 4].lower() in _FALSE:
            out.append(Insecure(i0 + 4, i0 + 5, "`conda config --set ssl_verify false` turns off TLS "
                                "certificate verification", ("true",)))
    elif cmd == "export":
        for i in range(i0 + 1, len(argv)):
            name, sep, value = argv[i].partition("=")
            msg = insecure_env(name, value) if sep else None
            if msg:
                out.append(Insecure(i, i + 1, msg, None))
    out += _trusted_yes(argv, i0)
    return out


_JUDGED_ENV = frozenset({"PYTHONHTTPSVERIFY", "NODE_TLS_REJECT_UNAUTHORIZED", "GIT_SSL_NO_VERIFY", "PIP_TRUSTED_HOST",
                         "UV_INSECURE_HOST", "GOINSECURE", "GOSUMDB", "GOFLAGS"})


def judges_env(name: str) -> bool:
    """Whether `insecure_env` can flag `name` at all (callers skip working out other values)."""
    return name in _JUDGED_ENV or name.lower() == "npm_config_strict_ssl"


def insecure_env(name: str, value: Optional[str]) -> Optional[str]:
    """A message when setting `name` to `value` turns verification off, else None.

    - `PYTHONHTTPSVERIFY=0`, `NODE_TLS_REJECT_UNAUTHORIZED=0` (only `0` disables);
    - `GIT_SSL_NO_VERIFY` set to anything, even `0`, `false` or empty: git only tests presence;
    - `PIP_TRUSTED_HOST`, `UV_INSECURE_HOST`, `GOINSECURE` with a non-empty value;
    - `NPM_CONFIG_STRICT_SSL` (any case) false/0, `GOSUMDB=off`, `GOFLAGS` containing `-insecure`.
    `value` None means "passed through from outside" (compose `- NAME`): not judged.
    `value` is what the program reads: the caller removes exactly one round of quoting (shell or
    YAML), so `NODE_TLS_REJECT_UNAUTHORIZED="0\""` arrives as `0"`, which Node does not treat as 0.
    """
    if value is None:
        return None
    v = value
    low = v.lower()
    if name == "PYTHONHTTPSVERIFY" and v == "0":
        return "`PYTHONHTTPSVERIFY=0` turns off TLS certificate verification in Python's HTTPS clients"
    if name == "NODE_TLS_REJECT_UNAUTHORIZED" and v == "0":
        return "`NODE_TLS_REJECT_UNAUTHORIZED=0` turns off TLS certificate verification in Node.js"
    if name == "GIT_SSL_NO_VERIFY":
        return "`GIT_SSL_NO_VERIFY` turns off TLS certificate verification in git (any value, even 0)"
    if name in ("PIP_TRUSTED_HOST", "UV_INSECURE_HOST", "GOINSECURE") and v.strip():
        return f"`{name}` lets downloads from those hosts skip HTTPS certificate checks"
    if name.lower() == "npm_config_strict_ssl" and low in ("false", "0"):
        return f"`{name}={v}` turns off TLS certificate verification in npm"
    if name == "GOSUMDB" and low == "off":
        return "`GOSUMDB=off` turns off checksum verification of Go modules"
    if name == "GOFLAGS" and re.search(r"(^|\s)-insecure\b", v):
        return "`GOFLAGS=-insecure` lets go fetch modules over insecure connections"
    return None
