"""The Dockerfile model: instructions with exact positions, heredocs, stages and ARG/ENV resolution.

Built by `hardenlint.parsers.dockerfile.parse`. Every offset indexes `source.text` (BOM removed);
every Span is built with `Span.of(source.index, start, end)`.

Logical lines follow BuildKit: an instruction's text is its first line (leading whitespace removed)
followed by its continuation lines, each with its trailing escape character (and any spaces or
tabs after it) removed; comment lines and blank lines inside a continuation are dropped. `args` is
that text after the keyword and the leading `--flags`, stripped. Positions inside `args` map back
to the file exactly with `Instruction.span_of`, even across continuation lines.
"""
from __future__ import annotations

import re
from bisect import bisect_right

from .. import lazyre
from ..source import SourceFile
from .findings import Span
from .image import ImageRef
from .positions import LineIndex
from .record import field, record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, Dict, List, Optional, Tuple

KEYWORDS = frozenset((
    "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL",
    "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
))

# ARGs BuildKit defines in the global scope without a declaration; their values depend on the build.
AUTOMATIC_ARGS = frozenset((
    "TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT",
    "BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT",
))

# Variable states used by resolution.
KNOWN, UNSET, UNKNOWN = 0, 1, 2


@record
class Flag:
    """A leading `--name[=value]` of an instruction (`--mount=type=cache,target=/x`)."""

    name: str              # without dashes, lowercased: "mount"
    value: Optional[str]   # quotes and escapes removed as BuildKit does; None for a bare `--flag`
    span: Span             # the whole `--name=value` text as written
    raw: str = ""          # the flag as written (continuations joined)


@record
class Heredoc:
    """A here-document attached to RUN / COPY / ADD (`<<EOF`, `<<-EOF`, `<<"EOF"`, `2<<EOF`).

    `body` is the file text of the body lines (line endings as written, so a CRLF file keeps its
    `\\r`), joined with "\\n", without the terminator line; leading tabs are removed from each line
    for `<<-`. When `strip_tabs` is False, `body[i]` is `source.text[body_offset + i]`; use
    `offset_of(i)` / `span_of(start, end)` to map body positions in either case.
    """

    name: str
    body: str
    span: Span             # first body line start to the end of the last body line (line ending excluded)
    strip_tabs: bool
    quoted: bool
    body_offset: int
    marker_span: Optional[Span] = None   # the `<<EOF` word on the instruction line
    fd: int = 0                          # `2<<EOF` -> 2
    terminated: bool = True              # False when the file ended before the terminator (HL001)
    _index: Optional[LineIndex] = field(default=None, repr=False, compare=False)
    _map_body: List[int] = field(default_factory=list, repr=False, compare=False)
    _map_file: List[int] = field(default_factory=list, repr=False, compare=False)
    _nlines: int = field(default=0, repr=False, compare=False)

    def offset_of(self, i: int) -> int:
        """File offset of `body[i]` (exact with `<<-` tab stripping too)."""
        i = max(0, min(i, len(self.body)))
        if not self._map_body:
            return self.body_offset + i
        k = bisect_right(self._map_body, i) - 1
        return self._map_file[k] + i - self._map_body[k]

    def span_of(self, start: int, end: int) -> Span:
        """File Span of `body[start:end]`."""
        lo = self.offset_of(start)
        hi = self.offset_of(end - 1) + 1 if end > start else lo
        return Span.of(self._index, lo, hi)

    @property
    def lines(self) -> List[str]:
        """Body lines without line endings."""
        if not self._nlines:
            return []
        return [ln[:-1] if ln.endswith("\r") else ln for ln in self.body.split("\n")]


@record
class Instruction:
    """One Dockerfile instruction, continuation lines joined."""

    keyword: str          # upper-case: "RUN"
    span: Span            # keyword to the end of its last line (continuation or heredoc terminator)
    flags: List[Flag]
    args: str
    heredocs: List[Heredoc]
    raw_keyword: str = ""       # the keyword as written ("run")
    logical_text: str = ""      # the whole logical line as BuildKit sees it (its Node.Original)
    _index: Optional[LineIndex] = field(default=None, repr=False, compare=False)
    _seg_logical: List[int] = field(default_factory=list, repr=False, compare=False)
    _seg_file: List[int] = field(default_factory=list, repr=False, compare=False)
    _args_start: int = field(default=0, repr=False, compare=False)
    _keyword_start: int = field(default=0, repr=False, compare=False)
    _escape: str = field(default="\\", repr=False, compare=False)
    _split: Optional[List[Tuple[str, int, int]]] = field(default=None, repr=False, compare=False)
    _words: Optional[List[Tuple[str, Span]]] = field(default=None, repr=False, compare=False)
    _exec: object = field(default=0, repr=False, compare=False)
    _text_end_line: int = field(default=0, repr=False, compare=False)  # last line before heredoc bodies

    # -- positions -------------------------------------------------------------------------------
    @property
    def keyword_span(self) -> Span:
        """The keyword as written."""
        return self._logical_span(self._keyword_start, self._keyword_start + len(self.raw_keyword))

    @property
    def args_span(self) -> Span:
        """`args` in the file (empty at their start when there are none)."""
        return self._logical_span(self._args_start, self._args_start + len(self.args))

    def _file_offset(self, logical: int) -> int:
        k = bisect_right(self._seg_logical, logical) - 1
        if k < 0:
            k = 0
        return self._seg_file[k] + logical - self._seg_logical[k]

    def _logical_span(self, start: int, end: int) -> Span:
        lo = self._file_offset(start)
        hi = self._file_offset(end - 1) + 1 if end > start else lo
        return Span.of(self._index, lo, hi)

    def span_of(self, start: int, end: int) -> Span:
        """File Span of `args[start:end]`, exact across continuation lines."""
        n = len(self.args)
        start = max(0, min(start, n))
        end = max(start, min(end, n))
        return self._logical_span(self._args_start + start, self._args_start + end)

    def offset_of(self, i: int) -> int:
        """File offset of `args[i]`."""
        return self._file_offset(self._args_start + max(0, min(i, len(self.args))))

    # -- views -----------------------------------------------------------------------------------
    def words(self) -> List[Tuple[str, Span]]:
        """Shell-like words of `args`: quotes and escapes removed, span over the raw word."""
        if self._words is None:
            self._words = [(w, self.span_of(s, e)) for w, s, e in self.word_offsets()]
        return list(self._words)

    def word_offsets(self) -> List[Tuple[str, int, int]]:
        """`words()` as (value, start, end) offsets into `args`, without building spans (read only)."""
        if self._split is None:
            self._split = split_words(self.args, self._escape)
        return self._split

    @property
    def exec_form(self) -> Optional[List[str]]:
        """The JSON array form (`["a", "b"]`) as a list, else None (shell form).

        For HEALTHCHECK the array after the type word (`HEALTHCHECK CMD [...]`) is read.
        """
        if self._exec == 0:
            text = self.args
            if self.keyword == "HEALTHCHECK":
                parts = text.split(None, 1)
                text = parts[1] if len(parts) == 2 else ""
            arr = parse_json_array(text)
            self._exec = arr if isinstance(arr, list) else None
        return list(self._exec) if self._exec is not None else None

    @property
    def line(self) -> int:
        return self.span.line

    @property
    def end_line(self) -> int:
        return self.span.end_line

    def flag(self, name: str) -> Optional[Flag]:
        """The last flag called `name` (BuildKit keeps the last of repeated single-value flags)."""
        name = name.lower().lstrip("-")
        found = None
        for f in self.flags:
            if f.name == name:
                found = f
        return found


@record
class Stage:
    """A build stage: its FROM and everything up to the next FROM."""

    index: int
    name: Optional[str]
    from_instruction: Instruction
    image_text: str
    image: Optional[ImageRef]
    image_span: Span
    base_stage: Optional["Stage"] = field(repr=False)
    instructions: List[Instruction] = field(repr=False)
    is_final: bool
    platform: Optional[str]

    @property
    def root_image(self) -> Optional[ImageRef]:
        """The image at the bottom of the `FROM <stage>` chain."""
        stage = self
        while stage.base_stage is not None:
            stage = stage.base_stage
        return stage.image


@record
class Dockerfile:
    source: SourceFile
    instructions: List[Instruction]
    stages: List[Stage]
    global_args: Dict[str, Optional[str]]
    escape: str
    directives: Dict[str, str]
    fragment: Optional[Stage] = None
    _global_scope: Dict[str, Tuple[int, Optional[str]]] = field(default_factory=dict, repr=False)
    _starts: List[int] = field(default_factory=list, repr=False, compare=False)
    _stage_env: Dict[int, Tuple[Dict[str, Tuple[int, Optional[str]]], int]] = field(
        default_factory=dict, repr=False, compare=False)
    _walk_cache: Dict[tuple, tuple] = field(default_factory=dict, repr=False, compare=False)

    @property
    def final_stage(self) -> Optional[Stage]:
        return self.stages[-1] if self.stages else None

    @property
    def every_stage(self) -> List[Stage]:
        """The stages, after the fragment when there is one: what rules that judge single
        instructions walk (a fragment's instructions, outside any stage, are judged too)."""
        return [self.fragment, *self.stages] if self.fragment is not None else self.stages

    # -- lookups ---------------------------------------------------------------------------------
    def instruction_at(self, line: int) -> Optional[Instruction]:
        """The instruction whose lines include `line`, if any."""
        if not self._starts:
            self._starts = [i.span.line for i in self.instructions]
        k = bisect_right(self._starts, line) - 1
        if k >= 0 and self.instructions[k].span.end_line >= line:
            return self.instructions[k]
        return None

    def stage_of(self, instruction: Instruction) -> Optional[Stage]:
        """The stage an instruction belongs to (None before the first FROM)."""
        for stage in reversed(self.stages):
            if stage.from_instruction.span.start <= instruction.span.start:
                return stage
        return None

    def suppression_scope(self, line: int) -> Optional[Tuple[int, int]]:
        """Lines covered by a suppression comment on `line`.

        When only comment lines separate `line` from the next instruction, that instruction's
        (first, last) lines. A comment line inside an instruction's continuation covers that
        instruction. None otherwise (blank line in between, text inside a heredoc, no next
        instruction, or `line` not a comment).
        """
        index = self.source.index
        if line < 1 or line > index.line_count or not index.line_text(line).lstrip().startswith("#"):
            return None
        inside = self.instruction_at(line)
        if inside is not None:
            if line > inside._text_end_line:
                return None  # a heredoc body line, not a Dockerfile comment
            return inside.span.line, inside.span.end_line
        if not self._starts:
            self._starts = [i.span.line for i in self.instructions]
        k = bisect_right(self._starts, line)
        if k >= len(self.instructions):
            return None
        nxt = self.instructions[k]
        for ln in range(line + 1, nxt.span.line):
            if not index.line_text(ln).lstrip().startswith("#"):
                return None
        return nxt.span.line, nxt.span.end_line

    # -- variables -------------------------------------------------------------------------------
    def _lookup_for(self, stage: Optional[Stage], at: Optional[Instruction]) -> Callable[[str], Tuple[int, Optional[str]]]:
        if stage is None:
            scope = self._global_scope
            return lambda name: scope.get(name, (UNSET, None))
        key = (stage.index, None if at is None else at.span.start)
        walked = self._walk_cache.get(key)
        if walked is None:
            walked = self._walk_cache[key] = self._walk_stage(stage, at)
        env, args, default = walked

        def lookup(name: str) -> Tuple[int, Optional[str]]:
            got = env.get(name)
            if got is None:
                got = args.get(name)
            return got if got is not None else (default, None)

        return lookup

    def _inherited_env(self, stage: Stage) -> Tuple[Dict[str, Tuple[int, Optional[str]]], int]:
        """ENV a stage inherits from its base stage chain, and the state of names not in it."""
        base = stage.base_stage
        if base is None:
            scratch = stage.image is not None and stage.image.is_scratch
            return {}, (UNSET if scratch else UNKNOWN)
        cached = self._stage_env.get(base.index)
        if cached is None:
            env, _, default = self._walk_stage(base, None)
            cached = (env, default)
            self._stage_env[base.index] = cached
        return dict(cached[0]), cached[1]

    def _walk_stage(self, stage: Stage, at: Optional[Instruction]):
        env, default = self._inherited_env(stage)
        args: Dict[str, Tuple[int, Optional[str]]] = {}

        def lookup(name: str) -> Tuple[int, Optional[str]]:
            got = env.get(name)
            if got is None:
                got = args.get(name)
            return got if got is not None else (default, None)

        for ins in stage.instructions[1:]:
            if at is not None and ins.span.start >= at.span.start:
                break
            if ins.keyword == "ARG":
                for name, raw in arg_pairs(ins.args, self.escape):
                    if raw is None:
                        args[name] = self._global_scope.get(name, (UNSET, None))
                    else:
                        value, ok = expand(raw, lookup, self.escape, True)
                        args[name] = (KNOWN, value) if ok else (UNKNOWN, value)
            elif ins.keyword == "ENV":
                for name, raw in env_pairs(ins.args, self.escape):
                    value, ok = expand(raw, lookup, self.escape, True)
                    env[name] = (KNOWN, value) if ok else (UNKNOWN, value)
        return env, args, default

    def resolve(self, text: str, stage: Optional[Stage] = None,
                at: Optional[Instruction] = None) -> Tuple[str, bool]:
        """Substitute `$VAR`, `${VAR}`, `${VAR:-d}`, `${VAR-d}`, `${VAR:+x}`, `${VAR+x}`, `${VAR:?e}`.

        Without a stage: the global ARGs (what a FROM line sees, plus BuildKit's automatic
        platform ARGs, whose values are unknown). With a stage: ARGs declared in the stage (a bare
        `ARG X` takes the global default) and ENV set in the stage and in its base stages (ENV wins
        over ARG, as in Docker); with `at`, only declarations before that instruction count,
        otherwise the whole stage. A variable without a known value is left as written and makes
        the result not fully resolved (`${V:-d}` gives `d` when V is known to be unset: an ARG
        without default, or an undeclared name on a FROM line). Quotes are kept; text in single
        quotes and escaped `$` are not substituted. Returns (text, fully_resolved).
        """
        return expand(text, self._lookup_for(stage, at), self.escape, False)

    def resolve_word(self, text: str, stage: Optional[Stage] = None,
                     at: Optional[Instruction] = None) -> Tuple[str, bool]:
        """Like `resolve`, then remove quotes and escapes as BuildKit does for one word (FROM, USER...)."""
        return expand(text, self._lookup_for(stage, at), self.escape, True)


# ---------------------------------------------------------------------------------------------
# Word splitting and variable expansion (shared with the parser).

_PLAIN_WORD = lazyre.compile(r"\S+")


def split_words(s: str, escape: str = "\\") -> List[Tuple[str, int, int]]:
    """Shell-like split: [(value, raw_start, raw_end)], quotes and escapes removed from value.

    Single quotes are literal; in double quotes the escape character escapes `"`, `$` and itself
    (as BuildKit's shell lexer does); outside quotes it escapes any character. An unterminated
    quote runs to the end of the text.
    """
    if "'" not in s and '"' not in s and escape not in s:
        return [(m.group(), m.start(), m.end()) for m in _PLAIN_WORD.finditer(s)]
    out: List[Tuple[str, int, int]] = []
    i, n = 0, len(s)
    while i < n:
        if s[i].isspace():
            i += 1
            continue
        start = i
        buf: List[str] = []
        while i < n:
            c = s[i]
            if c.isspace():
                break
            if c == escape:
                if i + 1 < n:
                    buf.append(s[i + 1])
                i += 2
                continue
            if c == "'":
                j = s.find("'", i + 1)
                if j < 0:
                    j = n
                buf.append(s[i + 1:j])
                i = j + 1
                continue
            if c == '"':
                i += 1
                while i < n and s[i] != '"':
                    ch = s[i]
                    if ch == escape and i + 1 < n and s[i + 1] in ('"', "$", escape):
                        buf.append(s[i + 1])
                        i += 2
                        continue
                    buf.append(ch)
                    i += 1
                i += 1
                continue
            buf.append(c)
            i += 1
        i = min(i, n)
        out.append(("".join(buf), start, i))
    return out


def parse_words(rest: str, escape: str) -> List[str]:
    """BuildKit's `parseWords`: split on whitespace outside quotes, keeping quotes and escapes."""
    if "'" not in rest and '"' not in rest and escape not in rest:
        return rest.split()
    plain, in_double = _word_runs(escape)
    words: List[str] = []
    word = ""
    in_word = False
    quote = ""
    blank_ok = False
    i, n = 0, len(rest)
    while i < n:
        ch = rest[i]
        if not in_word and not quote:
            if ch.isspace():
                i += 1
                continue
            in_word = True
        if quote:
            if ch == quote:
                quote = ""
            elif ch == escape and quote != "'":
                if i + 1 == n:
                    i += 1
                    continue
                word += ch
                i += 1
                ch = rest[i]
            else:  # up to the closing quote (or an escape in double quotes), in one step
                j = rest.find("'", i) if quote == "'" else in_double(rest, i).end()
                j = n if j < 0 else j
                word += rest[i:j]
                i = j
                continue
            word += ch
            i += 1
            continue
        if ch.isspace():
            if blank_ok or word:
                words.append(word)
            word, in_word, blank_ok = "", False, False
            i += 1
            continue
        if ch in ("'", '"'):
            quote = ch
            blank_ok = True
        elif ch == escape:
            if i + 1 == n:
                i += 1
                continue
            word += ch
            i += 1
            ch = rest[i]
        else:  # a run of ordinary characters
            j = plain(rest, i).end()
            word += rest[i:j]
            i = j
            continue
        word += ch
        i += 1
    if (in_word or quote) and (blank_ok or word):
        words.append(word)
    return words


_WORD_RUNS: Dict[str, Tuple[Callable, Callable]] = {}


def _word_runs(escape: str) -> Tuple[Callable, Callable]:
    """`match` of a run of ordinary characters outside quotes and inside double quotes."""
    runs = _WORD_RUNS.get(escape)
    if runs is None:
        e = re.escape(escape)
        runs = _WORD_RUNS[escape] = (re.compile(rf"[^\s'\"{e}]+").match, re.compile(rf'[^"{e}]+').match)
    return runs


_WS_SPLIT = lazyre.compile(r"[\t\v\f\r ]+")


def arg_pairs(args: str, escape: str) -> List[Tuple[str, Optional[str]]]:
    """(name, raw default or None) for each declaration of an ARG instruction."""
    out: List[Tuple[str, Optional[str]]] = []
    for word in parse_words(args, escape):
        name, eq, value = word.partition("=")
        out.append((name, value if eq else None))
    return out


def env_pairs(args: str, escape: str) -> List[Tuple[str, str]]:
    """(name, raw value) for each assignment of an ENV instruction (both syntaxes)."""
    words = parse_words(args, escape)
    if not words:
        return []
    if "=" not in words[0]:
        parts = _WS_SPLIT.split(args, 1)
        return [(parts[0], parts[1])] if len(parts) == 2 else []
    out = []
    for word in words:
        name, eq, value = word.partition("=")
        if not eq:
            return out
        out.append((name, value))
    return out


def _no_constants(_):
    raise ValueError("not JSON")


_json_decoder = None


def parse_json_array(text: str):
    """BuildKit's JSON form: a list of strings; "bad" when it is an array with non-strings; else None."""
    global _json_decoder
    text = text.lstrip()
    if not text.startswith("["):
        return None
    if _json_decoder is None:
        import json

        _json_decoder = json.JSONDecoder(parse_constant=_no_constants)
    try:
        value, _ = _json_decoder.raw_decode(text)
    except ValueError:
        return None
    if not isinstance(value, list):
        return None
    if not all(isinstance(v, str) for v in value):
        return "bad"
    return value


_NAME = lazyre.compile(r"[A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?\-$!]")
_BRACED = lazyre.compile(r"([A-Za-z_][A-Za-z0-9_]*|[0-9]+)(.*)\Z", re.S)


def expand(text: str, lookup: Callable[[str], Tuple[int, Optional[str]]], escape: str = "\\",
           dequote: bool = False) -> Tuple[str, bool]:
    """Substitute variables in `text` (see `Dockerfile.resolve`); with `dequote`, also remove
    quotes and escapes like BuildKit's ProcessWord. Returns (text, fully_resolved)."""
    if "$" not in text and (not dequote or ("'" not in text and '"' not in text and escape not in text)):
        return text, True
    out: List[str] = []
    ok = True
    i, n = 0, len(text)
    in_dq = False
    while i < n:
        c = text[i]
        if c == escape:
            if i + 1 >= n:
                if not dequote:
                    out.append(c)
                i += 1
                continue
            nxt = text[i + 1]
            if in_dq and nxt not in ('"', "$", escape):
                out.append(c)
                i += 1
                continue
            out.append(nxt if dequote else c + nxt)
            i += 2
            continue
        if c == "'" and not in_dq:
            j = text.find("'", i + 1)
            if j < 0:
                j = n
            out.append(text[i + 1:j] if dequote else text[i:j + 1])
            i = j + 1
            continue
        if c == '"':
            in_dq = not in_dq
            if not dequote:
                out.append(c)
            i += 1
            continue
        if c == "$":
            value, i, good = _expand_ref(text, i, lookup, escape, dequote)
            out.append(value)
            ok = ok and good
            continue
        out.append(c)
        i += 1
    return "".join(out), ok


def brace_close(text: str, i: int, escape: str = "\\") -> Optional[int]:
    """Index of the `}` that closes the `${` at text[i] (nested `${` counted), or None."""
    j, depth, n = i + 2, 1, len(text)
    while j < n:
        c = text[j]
        if c == escape:
            j += 2
            continue
        if c == "$" and j + 1 < n and text[j + 1] == "{":
            depth += 1
            j += 2
            continue
        if c == "}":
            depth -= 1
            if depth == 0:
                return j
        j += 1
    return None


def _expand_ref(text: str, i: int, lookup, escape: str, dequote: bool) -> Tuple[str, int, bool]:
    n = len(text)
    if i + 1 < n and text[i + 1] == "{":
        j = brace_close(text, i, escape)
        if j is None:
            return text[i:], n, False
        raw = text[i:j + 1]
        m = _BRACED.match(text, i + 2, j)
        if m is None:
            return raw, j + 1, False
        name, rest = m.group(1), m.group(2)
        state, value = lookup(name)
        if not rest:
            return (value, j + 1, True) if state == KNOWN else (raw, j + 1, False)
        colon = rest[0] == ":"
        op = rest[1:2] if colon else rest[0]
        word = rest[2:] if colon else rest[1:]
        if op not in ("-", "+", "?") or state == UNKNOWN:
            return raw, j + 1, False
        is_set = state == KNOWN and (value != "" or not colon)
        if op == "-":
            if is_set:
                return value, j + 1, True
            got, good = expand(word, lookup, escape, dequote)
            return (got, j + 1, True) if good else (raw, j + 1, False)
        if op == "+":
            if not is_set:
                return "", j + 1, True
            got, good = expand(word, lookup, escape, dequote)
            return (got, j + 1, True) if good else (raw, j + 1, False)
        return (value, j + 1, True) if is_set else (raw, j + 1, False)
    m = _NAME.match(text, i + 1)
    if m is None:
        return "$", i + 1, True
    state, value = lookup(m.group())
    if state == KNOWN:
        return value, m.end(), True
    return text[i:m.end()], m.end(), False
