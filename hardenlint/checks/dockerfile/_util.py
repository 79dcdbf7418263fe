"""Helpers shared by the Dockerfile checks: the shell scripts of RUN instructions, mounts, and
text edits that keep the file valid (continuations, exec form, CRLF)."""
from __future__ import annotations

import json

from ... import lazyre
from ...model.dockerfile import Dockerfile, Heredoc, Instruction, Stage
from ...model.findings import Edit, Span
from ...model.record import record
from . import _shell
from ._shell import Command, Word

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple

_JSON_STRING = lazyre.compile(r'"((?:[^"\\]|\\.)*)"')
_SAFE_WORD = lazyre.compile(r"[A-Za-z0-9_@%+=:,./-]+")


@record
class Script:
    """Shell text run by a RUN: its arguments, a heredoc body, or an exec-form array.

    Word offsets of `commands` index `text`; `to_file` maps them to file offsets.
    """

    ins: Instruction
    text: str
    commands: List[Command]
    to_file: Callable[[int], int]
    span_of: Callable[[int, int], Span]
    exec_form: bool = False
    heredoc: Optional[Heredoc] = None
    editable: bool = True  # False when word offsets are only approximate

    def span(self, start: int, end: int) -> Span:
        return self.span_of(start, end)

    def word_span(self, word: Word, last: Optional[Word] = None) -> Span:
        return self.span_of(word.start, (last or word).end)

    def edit(self, start: int, end: int, content: str) -> Edit:
        """Replace text[start:end] (script offsets) with `content`, as a file edit."""
        lo = self.to_file(start)
        hi = self.to_file(end - 1) + 1 if end > start else lo
        return Edit(lo, hi, content)

    def insert(self, at: int, content: str) -> Edit:
        """Insert right after text[at - 1]."""
        pos = self.to_file(at - 1) + 1 if at > 0 else self.to_file(0)
        return Edit(pos, pos, content)

    def insert_word(self, word: Word, value: str) -> Edit:
        """Insert a new word right after `word`."""
        return self.insert(word.end, (", " if self.exec_form else " ") + self.quote(value))

    def quote(self, value: str) -> str:
        if self.exec_form:
            return json.dumps(value)
        return value if _SAFE_WORD.fullmatch(value) else "'" + value.replace("'", "'\\''") + "'"

    def delete_words(self, cmd: Command, i: int, j: int) -> Edit:
        """Delete cmd.words[i:j] with the separator before them (the command name stays)."""
        words = cmd.words
        start = words[i - 1].end if i > 0 else words[i].start
        end = words[j - 1].end
        if i == 0 and j < len(words):
            end = words[j].start
        return self.edit(start, end, "")

    def replace_words(self, cmd: Command, i: int, j: int, values: Sequence[str]) -> Edit:
        if not values:
            return self.delete_words(cmd, i, j)
        sep = ", " if self.exec_form else " "
        return self.edit(cmd.words[i].start, cmd.words[j - 1].end, sep.join(self.quote(v) for v in values))


def _is_shell_heredoc(ins: Instruction, h: Heredoc) -> bool:
    """Is this RUN heredoc body a shell script? (`RUN <<EOF`, `RUN bash <<EOF`; not `python3 <<EOF`
    or `cat <<EOF > file`)."""
    if h.fd != 0:
        return False
    first = h.body.split("\n", 1)[0].strip()
    if first.startswith("#!"):
        interp = first[2:].split()
        prog = interp[-1] if interp and interp[0].endswith("/env") and len(interp) > 1 else (interp[0] if interp else "")
        return prog.rsplit("/", 1)[-1] in _shell.SHELLS
    marker = h.marker_span.start if h.marker_span is not None else None
    for c in _shell.parse(ins.args):  # the command that reads the heredoc holds its `<<EOF`
        lo, hi = ins.offset_of(c.words[0].start), ins.offset_of(max(c.end - 1, 0)) + 1
        if marker is not None and lo <= marker < hi:
            return c.name in _shell.SHELLS and not any(w.value == "-c" for w in c.words)
    return True  # `RUN <<EOF`: the body is the script


def _exec_script(ins: Instruction) -> Optional[Script]:
    argv = ins.exec_form
    if argv is None:
        return None
    tokens = list(_JSON_STRING.finditer(ins.args))
    if len(tokens) != len(argv) or not argv:
        return None
    words = [Word(v, m.start(), m.end(), m.group()) for v, m in zip(argv, tokens)]
    cmd = Command(words, "", words[-1].end)
    commands = [cmd]
    name = argv[0].rsplit("/", 1)[-1]
    if name in _shell.SHELLS and "-c" in argv[1:-1]:
        k = argv.index("-c", 1) + 1
        tok = tokens[k]
        if "\\" not in tok.group(1):  # unescaped JSON string: its text maps 1:1 onto the file
            commands = _shell.parse(tok.group(1), tok.start() + 1)
        else:
            commands = _shell.parse(argv[k])
            for c in commands:  # positions unknown inside: point at the whole string
                for w in c.words:
                    w.start, w.end = tok.start(), tok.end()
                c.end = tok.end()
            return Script(ins, ins.args, commands, ins.offset_of, ins.span_of, True, editable=False)
        return Script(ins, ins.args, commands, ins.offset_of, ins.span_of)  # shell text inside JSON
    return Script(ins, ins.args, commands, ins.offset_of, ins.span_of, True)


def scripts(ins: Instruction) -> List[Script]:
    """The shell scripts a RUN executes (args, shell heredoc bodies, exec form).

    Read once per instruction and shared by every check (checks must not change them).
    """
    if ins.keyword != "RUN":
        return []
    cached = ins.__dict__.get("_scripts")
    if cached is None:
        cached = ins.__dict__["_scripts"] = _read_scripts(ins)
    return cached


def _read_scripts(ins: Instruction) -> List[Script]:
    ex = _exec_script(ins)
    if ex is not None:
        return [ex]
    if ins.exec_form is not None:
        return []
    out = [Script(ins, ins.args, _shell.parse(ins.args), ins.offset_of, ins.span_of)]
    for h in ins.heredocs:
        if _is_shell_heredoc(ins, h):
            out.append(Script(ins, h.body, _shell.parse(h.body), h.offset_of, h.span_of, heredoc=h))
    return out


def runs(df: Dockerfile, shipping: bool = False) -> Iterator[Tuple[Stage, Instruction, List[Script]]]:
    """Every RUN of every stage (and of a fragment's instructions outside any stage) with its
    scripts (`ONBUILD RUN` runs in other builds: left out); with `shipping`, only those of stages
    whose layers ship (`ships`)."""
    for stage in df.every_stage:
        if shipping and not ships(df, stage):
            continue
        for ins in stage.instructions:
            if ins.keyword == "RUN":
                yield stage, ins, scripts(ins)


def commands(df: Dockerfile, shipping: bool = False) -> Iterator[Tuple[Stage, Instruction, Script, Command]]:
    for stage, ins, scs in runs(df, shipping):
        for sc in scs:
            for cmd in sc.commands:
                yield stage, ins, sc, cmd


def mounts(ins: Instruction) -> List[Dict[str, str]]:
    """The `--mount=` options of a RUN as dicts (`type` defaults to bind)."""
    out = []
    for f in ins.flags:
        if f.name != "mount" or not f.value:
            continue
        opts: Dict[str, str] = {"type": "bind"}
        for part in f.value.split(","):
            k, _, v = part.partition("=")
            opts[k.strip().lower()] = v.strip()
        for alias in ("dst", "destination"):
            if alias in opts and "target" not in opts:
                opts["target"] = opts[alias]
        out.append(opts)
    return out


def cache_mounted(ins: Instruction, dirs: Sequence[str]) -> bool:
    """A cache or tmpfs mount covers one of `dirs`: absolute paths (the mount target is the dir or
    a parent of it) or `~/`-relative ones (matched under any home directory)."""
    for m in mounts(ins):
        if m.get("type") not in ("cache", "tmpfs"):
            continue
        target = m.get("target", "").rstrip("/")
        if not target:
            continue
        for d in dirs:
            if d.startswith("~/"):
                parts = d[2:].split("/")
                if any(target.endswith("/" + "/".join(parts[:k])) for k in range(1, len(parts) + 1)):
                    return True
            elif d == target or d.startswith(target + "/"):
                return True
    return False


def stage_chain(stage: Stage) -> List[Stage]:
    """The stage and the stages it is built FROM, nearest first."""
    out = []
    s: Optional[Stage] = stage
    while s is not None:
        out.append(s)
        s = s.base_stage
    return out


def ships(df: Dockerfile, stage: Optional[Stage]) -> bool:
    """Do the stage's layers end up in the image? True for the final stage and the stages it is
    built FROM (directly or through other stages); False for a builder used only through
    `COPY --from` (its files are copied, its layers are not). Without a final stage, or for a
    fragment's instructions outside any stage (pasted into some image), True."""
    final = df.final_stage
    return stage is None or final is None or stage is df.fragment or stage in stage_chain(final)


def descendants(df: Dockerfile, stage: Stage) -> List[Stage]:
    """The stage and every stage built FROM it (directly or not)."""
    return [s for s in df.stages if stage in stage_chain(s)]


def newline(df: Dockerfile) -> str:
    return "\r\n" if "\r\n" in df.source.text else "\n"


def line_start(df: Dockerfile, offset: int) -> int:
    return df.source.text.rfind("\n", 0, offset) + 1


def delete_instruction(df: Dockerfile, ins: Instruction) -> Edit:
    """Delete an instruction's lines, line ending included."""
    text = df.source.text
    start = line_start(df, ins.span.start)
    end = text.find("\n", ins.span.end)
    end = len(text) if end < 0 else end + 1
    return Edit(start, end, "")


def word_spans(ins: Instruction) -> List[Tuple[str, Span]]:
    """`Instruction.words()` for shell form; JSON strings with their spans for exec form."""
    return [(v, ins.span_of(start, end)) for v, start, end in word_offsets(ins)]


def word_offsets(ins: Instruction) -> List[Tuple[str, int, int]]:
    """`word_spans` as (value, start, end) offsets into `args`, for checks that need few spans."""
    arr = ins.exec_form
    if arr is None:
        return ins.word_offsets()
    tokens = list(_JSON_STRING.finditer(ins.args))
    if len(tokens) != len(arr):
        return []
    return [(v, m.start(), m.end()) for v, m in zip(arr, tokens)]


def image_fix_ok(df: Dockerfile, stage: Stage) -> bool:
    """The FROM image is written literally (no ARG), so its text can be replaced."""
    sp = stage.image_span
    return df.source.text[sp.start:sp.end] == stage.image_text


def env_words(ins: Instruction) -> List[Tuple[str, Optional[str], int, int, int]]:
    """(name, value or None, start, end, word index) for each ENV / ARG pair; `args[start:end]`
    is the assignment (`ins.span_of(start, end)` its span, built only where a check needs it).

    Values have quotes removed; None is an ARG without default. The legacy `ENV NAME value`
    form gives one pair spanning the rest of the line.
    """
    words = ins.word_offsets()
    if ins.keyword == "ENV" and words and "=" not in words[0][0]:
        name, start, _end = words[0]
        rest = ins.args.split(None, 1)
        return [(name, rest[1] if len(rest) > 1 else "", start, len(ins.args), 0)]
    out = []
    for k, (word, start, end) in enumerate(words):
        name, eq, value = word.partition("=")
        out.append((name, value if eq else None, start, end, k))
    return out
