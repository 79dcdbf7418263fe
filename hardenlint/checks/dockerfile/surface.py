"""Dockerfile attack surface: HL201-HL207 (small images, less to scan and patch)."""
from __future__ import annotations

import re

from ... import lazyre
from ...knowledge import images
from ...knowledge.eol import eol_status
from ...model.dockerfile import Dockerfile, Instruction, Stage
from ...model.findings import Edit, Fix, Violation
from ...registry import RuleContext, check
from ._shell import Command, Word, pipeline_before, program
from ._util import (Script, cache_mounted, commands, descendants, image_fix_ok, runs,
                    stage_chain)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, Iterable, Iterator, List, Optional, Tuple

# -- package managers ----------------------------------------------------------------------------

_APT = {"apt-get", "apt"}
_RPM = {"yum", "dnf", "microdnf", "tdnf"}
_PIP = lazyre.compile(r"pip(?:\d+(?:\.\d+)?)?")
_PYTHON = lazyre.compile(r"python[0-9.]*")
_OPT_WITH_ARG = {"apt-get": "octe", "apt": "octe", "aptitude": "otFwSO", "yum": "c", "dnf": "c", "pip": "",
                 "zypper": "RcDC"}
# Long options that take the next word as their value (`zypper --root /x install`).
_LONG_WITH_ARG = {"zypper": {"--root", "--config", "--reposd-dir", "--cache-dir", "--raw-cache-dir",
                             "--solv-cache-dir", "--pkg-cache-dir", "--installroot", "--releasever",
                             "--userdata", "--plus-repo", "--plus-content"},
                  "apt-get": {"--option", "--config-file", "--target-release", "--default-release"},
                  "apt": {"--option", "--config-file", "--target-release", "--default-release"}}


def tool_and_subcommand(cmd: Command) -> Tuple[str, int]:
    """(tool, index of its subcommand word or -1): `apt-get -y install` -> ("apt-get", 2);
    `python3 -m pip install` -> ("pip", 3)."""
    return cmd.derived(_tool_and_subcommand)


def _tool_and_subcommand(cmd: Command) -> Tuple[str, int]:
    i = cmd.name_index()
    words = cmd.words
    if i >= len(words):
        return "", -1
    tool = cmd.name
    if _PYTHON.fullmatch(tool) and [w.value for w in words[i + 1:i + 3]] == ["-m", "pip"]:
        tool, i = "pip", i + 2
    elif _PIP.fullmatch(tool):
        tool = "pip"
    takes_arg = _OPT_WITH_ARG.get(tool, "")
    j = i + 1
    while j < len(words):
        v = words[j].value
        if v.startswith("-"):
            j += 2 if (len(v) == 2 and v[1] in takes_arg) or v in _LONG_WITH_ARG.get(tool, ()) else 1
            continue
        return tool, j
    return tool, -1


def _sub(cmd: Command) -> Tuple[str, str, Optional[Word]]:
    """(tool, subcommand, subcommand word) of a command: `apt-get -y install x` -> ("apt-get", "install", ...)."""
    return cmd.derived(_tool_sub_word)


def _tool_sub_word(cmd: Command) -> Tuple[str, str, Optional[Word]]:
    tool, j = tool_and_subcommand(cmd)
    return tool, (cmd.words[j].value if j >= 0 else ""), (cmd.words[j] if j >= 0 else None)


def _has(cmd: Command, *flags: str) -> bool:
    return any(w.value in flags or any(w.value.startswith(f + "=") for f in flags if f.startswith("--"))
               for w in cmd.words)


def _packages(cmd: Command) -> List[Word]:
    """Package words of an install command (after the subcommand, options left out)."""
    tool, j = tool_and_subcommand(cmd)
    return [w for w in cmd.words[j + 1:] if not w.value.startswith("-")] if j >= 0 else []


# -- HL201 ---------------------------------------------------------------------------------------

@check("HL201", "D", needs_stages=True)
def large_base_image(df: Dockerfile, ctx: RuleContext) -> Iterable[Violation]:
    """The final stage (through `FROM <stage>` chains) is built on a full image."""
    final = df.final_stage
    if final is None:
        return
    root = stage_chain(final)[-1]
    if root.image is None:
        return
    found = images.large_base(root.image)
    if not found:
        return
    message, replacement = found
    via = "" if root is final else f" (through stage `{final.base_stage.name}`)"
    fix = None
    if replacement and image_fix_ok(df, root):
        sp = root.image_span
        fix = Fix(f"use `{replacement}`", (Edit(sp.start, sp.end, replacement),), "unsafe")
    yield Violation(root.image_span, f"final stage{via}: {message}", fix)


# -- HL202 ---------------------------------------------------------------------------------------

_NO_RECOMMENDS = lazyre.compile(r"APT::Install-Recommends=[\"']?(?:0|false)\b", re.I)  # -o option
_NO_RECOMMENDS_CONF = lazyre.compile(r"APT::Install-Recommends\s+\\?[\"']?(?:0|false)\b", re.I)  # apt.conf


def _recommends_off_in_config(df: Dockerfile, stage: Stage, before: Instruction) -> bool:
    """An earlier RUN of the stage chain writes `APT::Install-Recommends "0"` to apt's config."""
    for s in stage_chain(stage):
        for ins in s.instructions:
            if ins.keyword == "RUN" and ins.span.start < before.span.start and (
                    _NO_RECOMMENDS_CONF.search(ins.args)
                    or any(_NO_RECOMMENDS_CONF.search(h.body) for h in ins.heredocs)):
                return True
    return False


@check("HL202", "D")
def apt_install_recommends(df: Dockerfile, ctx: RuleContext) -> Iterable[Violation]:
    """`apt-get install` without `--no-install-recommends`, in stages whose layers ship."""
    for stage, ins, sc, cmd in commands(df, shipping=True):
        tool, sub, word = _sub(cmd)
        if tool not in _APT or sub != "install":
            continue
        if _has(cmd, "--no-install-recommends") or any(_NO_RECOMMENDS.search(w.value) for w in cmd.words):
            continue
        if _recommends_off_in_config(df, stage, ins):
            continue
        fix = Fix("add `--no-install-recommends`", (sc.insert_word(word, "--no-install-recommends"),),
                  "unsafe") if sc.editable else None
        start = cmd.words[cmd.name_index()]
        yield Violation(sc.word_span(start, word),
                        f"`{tool} install` without `--no-install-recommends` also installs "
                        "recommended packages nobody asked for", fix)


# -- HL203 ---------------------------------------------------------------------------------------

_APT_FAMILY = _APT | {"aptitude"}  # tools that read and write the apt lists


def _removes(cmds: List[Command], *prefixes: str) -> bool:
    """Some `rm` in `cmds` deletes a path under one of `prefixes` (`~` = any home)."""
    for c in cmds:
        if c.name != "rm":
            continue
        for w in c.words[c.name_index() + 1:]:
            v = w.value.replace("$HOME", "~").replace("${HOME}", "~").replace("/root", "~")
            if any(v.rstrip("/*") == p.rstrip("/") or v.startswith(p.rstrip("/") + "/") for p in prefixes):
                return True
    return False


def _runs(cmds: List[Command], tool: str, *subs: str) -> bool:
    return any(_sub(c)[0] == tool and _sub(c)[1] in subs for c in cmds)


def _cache_cleared(cmds: List[Command], tool: str, *actions: str) -> bool:
    """`pip cache purge`, `npm cache clean --force`, `yarn cache clean` in `cmds`."""
    for c in cmds:
        t, j = tool_and_subcommand(c)
        if t == tool and j >= 0 and c.words[j].value == "cache" and any(
                w.value in actions for w in c.words[j + 1:j + 2]):
            return True
    return False


def _can_append(sc: Script, cmd: Command) -> bool:
    return sc.editable and not sc.exec_form and cmd.op in ("&&", ";", "\n", "")


def _append(sc: Script, cmd: Command, text: str) -> Edit:
    return sc.insert(cmd.end, f" && {text}")


def _later_apt_needs_lists(df: Dockerfile, stage: Stage, ins: Instruction) -> bool:
    """A later RUN in this stage or a stage built on it installs with apt without updating first."""
    for s in descendants(df, stage):
        for _st, other, scripts in runs(df):
            if _st is not s or other.span.start <= ins.span.start:
                continue
            cmds = [c for sc in scripts for c in sc.commands]
            if any(_runs(cmds, t, "install") for t in _APT_FAMILY):
                if not any(_runs(cmds, t, "update") for t in _APT_FAMILY):
                    return True
    return False


def _env_set(df: Dockerfile, stage: Stage, ins: Instruction, name: str, cmd: Command,
             earlier: List[Command]) -> bool:
    """`name` is set to a non-empty value for `cmd`: a `NAME=v cmd` prefix, an `export NAME=v`
    earlier in the same RUN, or ENV / ARG."""
    if any(w.value.startswith(name + "=") and w.value != name + "=" for w in cmd.words[:cmd.name_index()]):
        return True
    if any(c.name == "export" and any(w.value.startswith(name + "=") and w.value != name + "="
                                      for w in c.words[c.name_index() + 1:]) for c in earlier):
        return True
    value, ok = df.resolve_word("${%s}" % name, stage, ins)
    return ok and value != ""


# Tools whose cache a cleanup command appended after the (last) install removes: the installing
# subcommands, the cleanup, and the cache directories a removal or a cache mount may cover.
_RPM_DIRS = ("/var/cache/yum", "/var/cache/dnf", "/var/cache/libdnf5")
_CLEANUPS = {
    **{t: (("install", "upgrade", "update", "reinstall", "groupinstall"), f"{t} clean all", _RPM_DIRS)
       for t in _RPM},
    "zypper": (("install", "in", "update", "up", "dist-upgrade", "dup", "patch", "source-install", "si",
                "install-new-recommends", "inr"), "zypper clean --all", ("/var/cache/zypp",)),
    "npm": (("install", "i", "ci", "add"), "npm cache clean --force", ("~/.npm",)),
    "yarn": (("install", "add", "global"), "yarn cache clean",
             ("~/.cache/yarn", "/usr/local/share/.cache/yarn", "~/.yarn")),
}


_CACHE_TOOLS = _APT_FAMILY | {"apk", "pip"} | set(_CLEANUPS)  # what HL203 judges


def _cleaned(cmds: List[Command], tool: str) -> bool:
    if tool in _RPM:
        return any(_sub(c)[0] in _RPM and _sub(c)[1] == "clean" for c in cmds)
    if tool == "zypper":
        return any(_sub(c)[0] == "zypper" and _sub(c)[1] in ("clean", "cc") for c in cmds)
    return _cache_cleared(cmds, tool, "clean")


def _last(cmds: List[Command], match) -> int:
    """Index of the last command for which `match(tool, subcommand, command)` holds, or -1."""
    return max((k for k, c in enumerate(cmds) if match(*_sub(c)[:2], c)), default=-1)


@check("HL203", "D")
def package_cache_kept(df: Dockerfile, ctx: RuleContext) -> Iterable[Violation]:
    """Package manager caches left in the layer (apt lists, apk, pip, yum/dnf/microdnf, zypper,
    npm, yarn). A cleanup counts only after the tool's last install in the RUN; only stages whose
    layers ship are judged."""
    for stage, ins, scripts in runs(df, shipping=True):
        placed = [(sc, c) for sc in scripts for c in sc.commands]  # reading order
        cmds = [c for _sc, c in placed]
        if not any(tool_and_subcommand(c)[0] in _CACHE_TOOLS for c in cmds):
            continue
        yield from _apt_lists(df, stage, ins, cmds, placed)
        last_apk = _last(cmds, lambda t, sub, c: t == "apk" and sub == "add")
        last_pip = _last(cmds, lambda t, sub, c: t == "pip" and sub == "install")
        apk_cleaned = _removes(cmds[last_apk + 1:], "/var/cache/apk") \
            or cache_mounted(ins, ["/var/cache/apk", "/etc/apk/cache"])
        pip_cleaned = _removes(cmds[last_pip + 1:], "~/.cache/pip", "~/.cache") \
            or _cache_cleared(cmds[last_pip + 1:], "pip", "purge", "remove") \
            or cache_mounted(ins, ["~/.cache/pip"])
        last: Dict[str, Tuple[int, Script, Command]] = {}  # append-style cleanups: once per RUN
        for k, (sc, cmd) in enumerate(placed):
            tool, sub, word = _sub(cmd)
            if tool == "apk" and sub == "add" and not _has(cmd, "--no-cache", "--no-network") \
                    and not apk_cleaned:
                yield _flag_fix(sc, cmd, word, "--no-cache",
                                "`apk add` without `--no-cache` keeps the package index in the layer")
            elif tool == "pip" and sub == "install" and not _has(cmd, "--no-cache-dir") \
                    and not _env_set(df, stage, ins, "PIP_NO_CACHE_DIR", cmd, cmds[:k]) and not pip_cleaned:
                yield _flag_fix(sc, cmd, word, "--no-cache-dir",
                                "`pip install` without `--no-cache-dir` keeps pip's download cache in the layer")
            elif tool in _CLEANUPS and sub in _CLEANUPS[tool][0]:
                last[tool] = (k, sc, cmd)
        for tool, (k, sc, cmd) in last.items():
            _subs, clean, dirs = _CLEANUPS[tool]
            after = cmds[k + 1:]
            if _cleaned(after, tool) or _removes(after, *dirs) or cache_mounted(ins, list(dirs)):
                continue
            _t, sub, word = _sub(cmd)
            fix = Fix(f"add `&& {clean}`", (_append(sc, cmd, clean),), "safe") if _can_append(sc, cmd) else None
            yield Violation(sc.word_span(cmd.words[cmd.name_index()], word),
                            f"`{tool} {sub}` without `{clean}` after it in the same RUN keeps its cache "
                            "in the layer", fix)


def _flag_fix(sc: Script, cmd: Command, word: Word, flag: str, message: str) -> Violation:
    fix = Fix(f"add `{flag}`", (sc.insert_word(word, flag),), "safe") if sc.editable else None
    return Violation(sc.word_span(cmd.words[cmd.name_index()], word), message, fix)


def _apt_lists(df, stage, ins, all_cmds, placed) -> Iterator[Violation]:
    """apt lists fetched by `update` and not removed after the last update/install of the RUN."""
    def apt(subs):
        return [(k, sc, c) for k, (sc, c) in enumerate(placed) if _sub(c)[0] in _APT_FAMILY and _sub(c)[1] in subs]

    updates = apt(("update",))
    if not updates or cache_mounted(ins, ["/var/lib/apt/lists"]):
        return
    installs = apt(("install", "upgrade", "dist-upgrade", "full-upgrade", "safe-upgrade", "reinstall"))
    after = all_cmds[max(updates[-1][0], installs[-1][0] if installs else -1) + 1:]
    if _removes(after, "/var/lib/apt/lists") or any(_runs(after, t, "dist-clean") for t in _APT_FAMILY):
        return
    if installs:
        _k, sc, cmd = installs[-1]
        tool, _s, word = _sub(cmd)
        fix = None
        if _can_append(sc, cmd) and not _later_apt_needs_lists(df, stage, ins):
            fix = Fix("add `&& rm -rf /var/lib/apt/lists/*`", (_append(sc, cmd, "rm -rf /var/lib/apt/lists/*"),), "safe")
        yield Violation(sc.word_span(cmd.words[cmd.name_index()], word),
                        f"apt package lists from `{tool} update` stay in the layer; end this RUN with "
                        "`rm -rf /var/lib/apt/lists/*`", fix)
    else:
        _k, sc, cmd = updates[-1]
        tool, _s, word = _sub(cmd)
        yield Violation(sc.word_span(cmd.words[cmd.name_index()], word),
                        f"`{tool} update` in a RUN of its own leaves the package lists in that layer; "
                        "update, install and `rm -rf /var/lib/apt/lists/*` in one RUN")


# -- HL204 ---------------------------------------------------------------------------------------

@check("HL204", "D")
def sudo_in_build(df: Dockerfile, ctx: RuleContext) -> Iterable[Violation]:
    """`sudo` used in a RUN command."""
    for _stage, _ins, sc, cmd in commands(df):
        for w in cmd.words[:cmd.name_index()]:
            if w.value.rsplit("/", 1)[-1] == "sudo":
                yield Violation(sc.word_span(w), "`sudo` in a build step: RUN already runs as the "
                                "current USER; switch with `USER` around the steps that need root")
                break


# -- HL205 ---------------------------------------------------------------------------------------

_SSH_SERVERS = {"openssh-server", "dropbear", "dropbear-bin"}
_APT_OR_RPM = _APT | _RPM
_VERSION_SEP = lazyre.compile(r"[=<>~]")  # `openssh-server=1:9.2p1-2`


def _port_covers_22(text: str) -> bool:
    port, _, proto = text.partition("/")
    if proto and proto.lower() != "tcp":
        return False
    lo, _, hi = port.partition("-")
    if not lo.isdigit() or (hi and not hi.isdigit()):
        return False
    return int(lo) <= 22 <= int(hi or lo)


@check("HL205", "D")
def ssh_exposed(df: Dockerfile, ctx: RuleContext) -> Iterable[Violation]:
    """`EXPOSE 22` and SSH servers installed by apt, apk, yum/dnf or zypper."""
    for stage in df.every_stage:
        for ins in stage.instructions:
            if ins.keyword != "EXPOSE":
                continue
            for word, span in ins.words():
                value, ok = df.resolve_word(word, stage, ins)
                if ok and _port_covers_22(value):
                    yield Violation(span, f"`EXPOSE {word}` advertises the SSH port; containers should "
                                    "not run an SSH server (use `docker exec` / `kubectl exec`)")
    for _stage, _ins, sc, cmd in commands(df):
        tool, sub, _w = _sub(cmd)
        installs = (tool in _APT_OR_RPM and sub == "install") or (tool == "apk" and sub == "add") \
            or (tool == "zypper" and sub in ("install", "in"))
        if not installs:
            continue
        servers = _SSH_SERVERS | ({"openssh"} if tool == "apk" else set())
        for w in _packages(cmd):
            name = _VERSION_SEP.split(w.value, maxsplit=1)[0]
            if name in servers:
                yield Violation(sc.word_span(w), f"`{name}` installs an SSH server in the image; use "
                                "`docker exec` / `kubectl exec` instead of SSH into containers")


# -- HL206 ---------------------------------------------------------------------------------------

@check("HL206", "D")
def end_of_life_base_image(df: Dockerfile, ctx: RuleContext) -> Iterable[Violation]:
    """FROM images whose release cycle is past its end of life on the run date."""
    for stage in df.stages:
        ref = stage.image
        if stage.base_stage is not None or ref is None:
            continue
        status = eol_status(ref, ctx.today)
        if status is None:
            continue
        message = f"base image `{ref.raw}`: {status.message}"
        fix = None
        if status.replacement:
            message += f"; move to a supported release such as `{status.replacement}`"
            if image_fix_ok(df, stage):
                sp = stage.image_span
                fix = Fix(f"use `{status.replacement}`", (Edit(sp.start, sp.end, status.replacement),), "unsafe")
        yield Violation(stage.image_span, message, fix)


# -- HL207 ---------------------------------------------------------------------------------------

_SYMBOLIC = lazyre.compile(r"([ugoa]*)((?:[-+=][rwxXstugo]*)+)")


def judge_mode(mode: str) -> Tuple[List[str], Optional[str]]:
    """(problems, safer mode or None) for a chmod-style mode: world-writable (without the sticky
    bit, so `1777` tmp dirs pass), setuid, setgid."""
    if re.fullmatch(r"[0-7]{1,4}", mode):
        n = int(mode, 8)
        problems, clear = [], 0
        if n & 0o002 and not n & 0o1000:
            problems.append("world-writable")
            clear |= 0o002
        if n & 0o4000:
            problems.append("setuid")
            clear |= 0o4000
        if n & 0o2000:
            problems.append("setgid")
            clear |= 0o2000
        if not problems:
            return [], None
        new = format(n & ~clear, "o").zfill(len(mode))
        if len(mode) == 4 and mode[0] != "0" and new[0] == "0":
            new = new[1:]
        return problems, new
    problems: List[str] = []
    out: List[str] = []
    append_o_minus_w = False
    sticky = adds_sticky(mode)
    for clause in mode.split(","):
        m = _SYMBOLIC.fullmatch(clause)
        if not m:
            return [], None
        who, kept = m.group(1), []
        for op in re.findall(r"[-+=][rwxXstugo]*", m.group(2)):
            sign, perms = op[0], op[1:]
            if sign in "+=" and "s" in perms:
                if not who or "u" in who or "a" in who:
                    problems.append("setuid")
                if not who or "g" in who or "a" in who:
                    problems.append("setgid")
                perms = perms.replace("s", "")
            if sign in "+=" and "w" in perms and ("o" in who or "a" in who) and not sticky:
                problems.append("world-writable")
                if sign == "=":
                    append_o_minus_w = True
                else:  # a+w -> ug+w, o+w -> (dropped), go+w -> g+w
                    rest = who.replace("a", "ug").replace("o", "")
                    if rest:
                        out.append(rest + sign + perms)
                    if perms.replace("w", ""):
                        out.append("o" + sign + perms.replace("w", ""))
                    continue
            if perms or sign == "=":
                kept.append(sign + perms)
        if kept:
            out.append(who + "".join(kept))
    if not problems:
        return [], None
    problems = list(dict.fromkeys(problems))
    if append_o_minus_w:
        out.append("o-w")
    new = ",".join(out)
    return problems, new or None


def adds_sticky(mode: str) -> bool:
    """The mode sets the sticky bit (`1777`, `+t`, `a+rwxt`, `=rwxt`)."""
    if re.fullmatch(r"[0-7]{1,4}", mode):
        return bool(int(mode, 8) & 0o1000)
    return any(re.search(r"[+=][rwxXsugo]*t", clause) for clause in mode.split(","))


def _clear_others_write(mode: str) -> str:
    """A numeric mode without the others-write bit, same width: `3777` -> `3775`."""
    return format(int(mode, 8) & ~0o002, "o").zfill(len(mode))


def _describe(problems: List[str]) -> str:
    words = {"world-writable": "makes files world-writable (any process in the container can change them)",
             "setuid": "adds the setuid bit (the file runs with its owner's privileges)",
             "setgid": "adds the setgid bit (the file runs with its group's privileges)"}
    return "; ".join(words[p] for p in problems)


def _find_dirs_only(cmd: Command) -> bool:
    """`find ... -type d ...` without alternatives (`-o`): it only ever lists directories."""
    words = [w.value for w in cmd.words[cmd.name_index() + 1:]]
    types = [words[k + 1] for k in range(len(words) - 1) if words[k] in ("-type", "-xtype")]
    return bool(types) and all(t == "d" for t in types) and not any(w in ("-o", "-or") for w in words)


def _chmod_args(cmd: Command) -> Optional[Tuple[List[Word], bool]]:
    """(the words after `chmod`, whether its targets are provably directories) for `chmod ...`,
    `find ... -exec chmod ... {} +` and `find ... | xargs chmod ...` (directories with `-type d`)."""
    i = cmd.name_index()
    words = cmd.words
    if cmd.name == "chmod":
        fed = any(w.value == "xargs" for w in words[:i]) and any(
            c.name == "find" and _find_dirs_only(c) for c in pipeline_before(cmd))
        return words[i + 1:], fed
    if cmd.name == "find":
        for k in range(i + 1, len(words) - 1):
            if words[k].value in ("-exec", "-execdir") and program(words[k + 1].value) == "chmod":
                end = next((m for m in range(k + 2, len(words)) if words[m].value in (";", "+")), len(words))
                return words[k + 2:end], _find_dirs_only(cmd)
    return None


def _made_dirs(cmds: List[Command]) -> set:
    """Paths created as directories by `mkdir` / `install -d` in `cmds`."""
    out = set()
    for c in cmds:
        words = c.words[c.name_index() + 1:]
        if c.name == "install" and not any(w.value == "--directory" or re.fullmatch(r"-[a-zA-Z]*d[a-zA-Z]*", w.value)
                                           for w in words):
            continue
        if c.name not in ("mkdir", "install"):
            continue
        skip = False
        for w in words:
            if skip:
                skip = False
            elif w.value in ("-m", "--mode", "-o", "--owner", "-g", "--group"):
                skip = True
            elif not w.value.startswith("-"):
                out.add(w.value.rstrip("/") or "/")
    return out


_MODE_COMMANDS = {"chmod", "find", "mkdir", "install"}  # what _mode_words and _made_dirs read


def _mode_words(cmd: Command, made: set) -> Iterator[Tuple[Word, bool, List[str]]]:
    """(mode word, names only directories, targets) of `chmod MODE` (also run by `find -exec` /
    `xargs`), `mkdir -m MODE`, `install [-d] -m MODE`. chmod targets are directories when `find
    -type d` lists them, they end in `/`, or `mkdir`/`install -d` created them earlier in the RUN."""
    name = cmd.name
    chmod = _chmod_args(cmd)
    if chmod is not None:
        words, directory = chmod
        if any(w.value.startswith("--reference") for w in words):
            return
        for k, w in enumerate(words):
            if not w.value.startswith("-"):
                targets = [t.value for t in words[k + 1:] if not t.value.startswith("-") and t.value != "{}"]
                directory = directory or (bool(targets) and all(
                    t.endswith("/") or t.rstrip("/") in made for t in targets))
                yield w, directory, targets
                return
    elif name in ("mkdir", "install"):
        words = cmd.words[cmd.name_index() + 1:]
        directory = name == "mkdir" or any(
            w.value == "--directory" or re.fullmatch(r"-[a-zA-Z]*d[a-zA-Z]*", w.value) for w in words)
        for k, w in enumerate(words):
            if w.value in ("-m", "--mode") and k + 1 < len(words):
                yield words[k + 1], directory, []
            elif w.value.startswith("--mode="):
                yield w, directory, []  # the caller reads the value after '='


@check("HL207", "D")
def world_writable_permissions(df: Dockerfile, ctx: RuleContext) -> Iterable[Violation]:
    """`chmod 777` / `a+w` / `o+w` / setuid-setgid in RUN; `COPY/ADD --chmod=777`. Not findings:
    setgid on provable directories, world-writable with the sticky bit (also added to the same
    targets by another chmod of the RUN)."""
    for _stage, _ins, scripts in runs(df):
        placed = [(sc, c) for sc in scripts for c in sc.commands]
        found = []
        made: set = set()  # directories made by the commands before this one
        for sc, c in placed:
            if c.name in _MODE_COMMANDS:
                found.extend((sc, c, w, d, t) for w, d, t in _mode_words(c, made))
                made |= _made_dirs([c])
        sticky = {t.rstrip("/") for _sc, _c, w, _d, ts in found if adds_sticky(w.value) for t in ts}
        for sc, cmd, w, directory, targets in found:
            prefix = "--mode=" if w.value.startswith("--mode=") else ""
            mode = w.value[len(prefix):]
            problems, safer = judge_mode(mode)
            if targets and all(t.rstrip("/") in sticky for t in targets):
                problems = [p for p in problems if p != "world-writable"]  # `chmod 777 d && chmod +t d`
            if directory:  # setgid on a directory only sets the group of files created in it
                problems = [p for p in problems if p == "world-writable"]
                if problems and re.fullmatch(r"[0-7]{1,4}", mode):
                    safer = _clear_others_write(mode)
            if not problems:
                continue
            fix = None
            if safer and sc.editable:
                fix = Fix(f"use mode `{safer}`", (sc.edit(w.start, w.end, sc.quote(prefix + safer)),), "unsafe")
            shown = f"chmod {mode}" if cmd.name in ("chmod", "find") else f"{cmd.name} --mode={mode}"
            yield Violation(sc.word_span(w), f"`{shown}` {_describe(problems)}", fix)
    for ins in df.instructions:
        f = ins.flag("chmod") if ins.keyword in ("COPY", "ADD") else None
        if f is None or not f.value:
            continue
        problems, safer = judge_mode(f.value)
        if problems:
            fix = Fix(f"use `--chmod={safer}`", (Edit(f.span.start, f.span.end, f"--chmod={safer}"),),
                      "unsafe") if safer else None
            yield Violation(f.span, f"`{ins.keyword} --chmod={f.value}` {_describe(problems)}", fix)
