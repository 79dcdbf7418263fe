"""Dockerfile parser: a line scanner that follows BuildKit's parser, with exact positions.

What it reproduces from BuildKit (moby/buildkit frontend/dockerfile/parser), checked against the
BuildKit parser itself by tests/test_buildkit_oracle.py:

- parser directives (`# syntax=`, `# escape=`, `# check=`) only in the leading block of directive
  lines; the first other line (even a blank one or another comment) ends that block;
- line continuation: the escape character (`\\`, or `` ` `` after `# escape=``), optionally
  followed by spaces/tabs, at the end of a line, unless it is itself escaped; comment lines and
  blank lines inside a continuation are dropped; leading whitespace is kept on continuation lines;
- CRLF line endings (trailing `\\r` characters are not part of the logical line);
- heredocs on RUN / COPY / ADD (and `ONBUILD RUN` ...) in shell form: every word of the logical
  line that reads `[n]<<[-]WORD` opens one, in order; bodies follow the instruction's last line,
  each up to a line equal to WORD (after removing leading tabs for `<<-`);
- leading `--flags` (quote and backslash handling of BuildKit's extractBuilderFlags, `--` ends them);
- the errors BuildKit's parser raises (unterminated heredoc, bad `# escape=`, repeated directive,
  ENV / LABEL syntax, a JSON array of non-strings), reported as HL001, plus errors a build would
  raise right after parsing (unknown instruction, no FROM, instruction before FROM other than
  ARG, FROM without image or with a bad argument count / stage name, duplicate stage names,
  forbidden ONBUILD triggers).

`dockerfile-parse` is not used here: its WordSplitter has no offsets, treats only `\\` as the
escape character, and importing the package costs more than parsing a typical file.
"""
from __future__ import annotations

import re

from .. import lazyre
from ..model.dockerfile import (
    AUTOMATIC_ARGS, KEYWORDS, KNOWN, UNKNOWN, UNSET, Dockerfile, Flag, Heredoc, Instruction, Stage,
    arg_pairs, brace_close, expand, parse_json_array, parse_words, split_words,
)
from ..model.findings import Span, Violation
from ..model.image import parse_image
from ..model.parsed import Parsed
from ..source import SourceFile

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, List, Optional, Tuple

_DIRECTIVE = lazyre.compile(r"#[\t\n\f\r ]*([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*\Z")
_DIRECTIVE_KEYS = ("syntax", "escape", "check")
_KEYWORD = lazyre.compile(r"[^\t\v\f\r ]+")
_SEP = lazyre.compile(r"[\t\v\f\r ]*")
_HEREDOC_WORD = lazyre.compile(r"([0-9]*)<<(-?)([^<]*)\Z")
_STAGE_NAME = lazyre.compile(r"[a-z][a-z0-9\-_.]*\Z")
_HEREDOC_KEYWORDS = ("RUN", "COPY", "ADD")
_JSON_KEYWORDS = frozenset(("RUN", "CMD", "ENTRYPOINT", "SHELL", "COPY", "ADD", "VOLUME"))


def parse(source: SourceFile) -> Parsed:
    """Parse a Dockerfile into a `Dockerfile` model; HL001 problems go to `Parsed.errors`."""
    return _Parser(source).run()


def _trim_continuation(line: str, escape: str) -> Tuple[str, bool]:
    """BuildKit's trimContinuationCharacter: (line without the continuation, continues?)."""
    t = line.rstrip(" \t")
    if t.endswith(escape) and (len(t) == 1 or t[-2] != escape):
        return t[:-1], True
    return line, False


def _extract_flags(line: str, pos: int, end: int) -> Tuple[List[Tuple[str, int, int]], int]:
    """BuildKit's extractBuilderFlags on line[pos:end]: ([(flag, start, end)], where args start)."""
    words: List[Tuple[str, int, int]] = []
    phase = 0  # 0: between words, 1: in a word, 2: in quotes
    word: List[str] = []
    wstart = pos
    quote = ""
    blank_ok = False
    while pos <= end:
        ch = line[pos] if pos < end else ""
        if phase == 0:
            if pos == end:
                break
            if ch.isspace():
                pos += 1
                continue
            if ch != "-" or pos + 1 == end or line[pos + 1] != "-":
                return words, pos
            phase, wstart = 1, pos
        if pos == end:
            w = "".join(word)
            if w != "--" and (blank_ok or w):
                words.append((w, wstart, pos))
            break
        if phase == 1:
            if ch.isspace():
                w = "".join(word)
                if w == "--":
                    return words, pos
                if blank_ok or w:
                    words.append((w, wstart, pos))
                phase, word, blank_ok = 0, [], False
                pos += 1
                continue
            if ch in ("'", '"'):
                quote, blank_ok, phase = ch, True, 2
                pos += 1
                continue
            if ch == "\\":
                if pos + 1 == end:
                    pos += 1
                    continue
                pos += 1
                ch = line[pos]
            word.append(ch)
            pos += 1
            continue
        if ch == quote:
            phase = 1
            pos += 1
            continue
        if ch == "\\":
            if pos + 1 == end:
                phase = 1
                pos += 1
                continue
            pos += 1
            ch = line[pos]
        word.append(ch)
        pos += 1
    return words, end


def _brace_end(s: str, i: int) -> Optional[int]:
    """Index after the `}` closing the `${` at s[i]; None when BuildKit's lexer would fail."""
    if i + 2 >= len(s) or s[i + 2] in "{}:":
        return None
    j = brace_close(s, i)
    return None if j is None else j + 1


def _heredoc_raw_words(s: str) -> Optional[List[Tuple[int, int]]]:
    """Word boundaries as BuildKit's heredoc scan sees them (raw quotes and escapes, `\\` as escape).

    None when the lexer fails (unterminated quote or `${`): BuildKit then finds no heredoc at all.
    """
    words: List[Tuple[int, int]] = []
    i, n = 0, len(s)
    start = -1
    while i < n:
        c = s[i]
        if c.isspace():
            if start >= 0:
                words.append((start, i))
                start = -1
            i += 1
            continue
        if start < 0:
            start = i
        if c == "\\":
            i += 2
        elif c == "'":
            j = s.find("'", i + 1)
            if j < 0:
                return None
            i = j + 1
        elif c == '"':
            i += 1
            while True:
                if i >= n:
                    return None
                ch = s[i]
                if ch == '"':
                    i += 1
                    break
                if ch == "\\":
                    i += 2
                elif ch == "$" and i + 1 < n and s[i + 1] == "{":
                    j = _brace_end(s, i)
                    if j is None:
                        return None
                    i = j
                else:
                    i += 1
        elif c == "$" and i + 1 < n and s[i + 1] == "{":
            j = _brace_end(s, i)
            if j is None:
                return None
            i = j
        else:
            i += 1
    if start >= 0:
        words.append((start, min(i, n)))
    return words


def _quotes(s: str) -> int:
    return s.count("'") + s.count('"')


def _name_val_error(keyword: str, args: str, escape: str) -> Optional[str]:
    """BuildKit's parseNameVal errors for ENV / LABEL."""
    words = parse_words(args, escape)
    if not words:
        return None
    if "=" not in words[0]:
        if len(re.split(r"[\t\v\f\r ]+", args, maxsplit=1)) < 2:
            return f"{keyword} must have two arguments (`{keyword} name=value`)"
        return None
    for w in words:
        if "=" not in w:
            return f"{keyword}: can't find `=` in {w!r}; the form is name=value"
    return None


def _split_command(line: str) -> Tuple[str, str]:
    """(keyword, args) of a sub-line (ONBUILD's trigger), flags removed."""
    line = line.strip()
    m = _KEYWORD.match(line)
    if not m:
        return "", ""
    r0 = _SEP.match(line, m.end()).end()
    p = r0
    if line.startswith("--", r0):
        _, p = _extract_flags(line, r0, len(line))
    return m.group(), line[p:].strip()


class _Parser:
    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.text = source.text
        self.index = source.index
        self.errors: List[Violation] = []
        self.escape = "\\"
        self.directives: Dict[str, str] = {}

    def error(self, start: int, end: int, message: str) -> None:
        self.errors.append(Violation(Span.of(self.index, start, end), message))

    # -- lines -----------------------------------------------------------------------------------
    def run(self) -> Parsed:
        text = self.text
        starts = self.starts = self.index.starts
        lines = self.lines = text.split("\n")  # lines[k] is text[starts[k]:] up to its "\n"
        nl = self.nl = len(starts) - 1 if (not text or text.endswith("\n")) else len(starts)
        instructions: List[Instruction] = []
        directives_done = False
        i = 0
        while i < nl:
            ls = starts[i]
            content = lines[i].rstrip("\r")
            token = content.lstrip()
            if i == 0 and token.startswith("\ufeff"):  # normally removed when the file is read
                token = token[1:].lstrip()
            if not directives_done:
                m = _DIRECTIVE.match(token)
                if m and m.group(1).lower() in _DIRECTIVE_KEYS:
                    self._directive(m, ls + len(content) - len(token), ls + len(content))
                    i += 1
                    continue
                directives_done = True
            if not token or token[0] == "#":
                i += 1
                continue
            ins, i = self._instruction(i, ls, content, token)
            instructions.append(ins)
        model = self._build(instructions)
        return Parsed(self.source, "dockerfile", model, self.errors)

    def _directive(self, m: "re.Match", start: int, end: int) -> None:
        key, value = m.group(1).lower(), m.group(2)
        if key in self.directives:
            self.error(start, end, f"only one `{key}` parser directive can be used")
            return
        self.directives[key] = value
        if key == "escape":
            if value in ("\\", "`"):
                self.escape = value
            else:
                self.error(start, end, f"invalid escape character {value!r}: use ` or \\")

    def _instruction(self, i: int, ls: int, content: str, token: str) -> Tuple[Instruction, int]:
        escape, nl, starts, lines = self.escape, self.nl, self.starts, self.lines
        first_start = ls + len(content) - len(token)
        seg_l = [0]
        seg_f = [first_start]
        piece, cont = _trim_continuation(token, escape)
        pieces = [piece]
        total = len(piece)
        j = i
        last_end = ls + len(content)
        while cont and j + 1 < nl:
            j += 1
            s2 = starts[j]
            c2 = lines[j].rstrip("\r")
            last_end = s2 + len(c2)
            t2 = c2.lstrip()
            if not t2 or t2[0] == "#":
                continue
            piece, cont = _trim_continuation(c2, escape)
            seg_l.append(total)
            seg_f.append(s2)
            pieces.append(piece)
            total += len(piece)
        logical = pieces[0] if len(pieces) == 1 else "".join(pieces)

        ins = Instruction("", None, [], "", [], "", logical)  # type: ignore[arg-type]
        ins._index = self.index
        ins._seg_logical = seg_l
        ins._seg_file = seg_f
        ins._escape = escape
        lspan = ins._logical_span

        # splitCommand
        lend = len(logical.rstrip())
        kw_start = len(logical) - len(logical.lstrip())
        m = _KEYWORD.match(logical, kw_start, lend) if kw_start < lend else None
        kw_end = m.end() if m else kw_start
        raw_kw = logical[kw_start:kw_end]
        keyword = raw_kw.upper()
        r0 = _SEP.match(logical, kw_end, lend).end() if m else lend
        p = r0
        flags: List[Flag] = []
        if logical.startswith("--", r0):
            found, p = _extract_flags(logical, r0, lend)
            for w, fs, fe in found:
                name, eq, value = w[2:].partition("=")
                flags.append(Flag(name.lower(), value if eq else None, lspan(fs, fe), logical[fs:fe]))
        while p < lend and logical[p].isspace():
            p += 1
        a0, a1 = p, max(p, lend)
        args = logical[a0:a1]
        ins.keyword = keyword
        ins.raw_keyword = raw_kw
        ins._keyword_start = kw_start
        ins.flags = flags
        ins.args = args
        ins._args_start = a0

        # heredocs
        next_line = j + 1
        end = last_end
        if "<<" in logical and self._can_contain_heredoc(keyword, args):
            specs = self._heredoc_specs(logical)
            for name, strip, quoted, fd, ws, we in specs:
                hd, next_line, term_end = self._read_heredoc(name, strip, quoted, fd, next_line)
                hd.marker_span = lspan(ws, we)
                ins.heredocs.append(hd)
                end = term_end
                if not hd.terminated:
                    self.error(hd.marker_span.start, hd.marker_span.end,
                               f"unterminated heredoc: no line `{name}` ends the `{logical[ws:we]}` body")
                    break
        ins.span = Span.of(self.index, first_start, max(end, first_start))
        ins._text_end_line = j + 1
        self._check(ins)
        return ins, next_line

    def _can_contain_heredoc(self, keyword: str, args: str) -> bool:
        if keyword == "ONBUILD":
            keyword, args = _split_command(args)
            keyword = keyword.upper()
        return keyword in _HEREDOC_KEYWORDS and parse_json_array(args) is None

    def _heredoc_specs(self, logical: str) -> List[Tuple[str, bool, bool, int, int, int]]:
        words = _heredoc_raw_words(logical)
        out = []
        for ws, we in words or ():
            m = _HEREDOC_WORD.match(logical, ws, we)
            if m is None or not m.group(3):
                continue
            rest = m.group(3)
            parts = split_words(rest, "\\")
            if len(parts) != 1 or not parts[0][0]:
                continue
            name = parts[0][0]
            quoted = _quotes(rest) > _quotes(name)
            out.append((name, m.group(2) == "-", quoted, int(m.group(1) or 0), ws, we))
        return out

    def _read_heredoc(self, name: str, strip: bool, quoted: bool, fd: int, k: int) -> Tuple[Heredoc, int, int]:
        text, nl, starts, lines = self.text, self.nl, self.starts, self.lines
        first = k
        terminated = False
        term_end = 0
        while k < nl:
            pt = lines[k].rstrip("\r")
            if strip:
                pt = pt.lstrip("\t")
            if pt == name:
                terminated = True
                term_end = starts[k] + len(lines[k].rstrip("\r"))
                break
            k += 1
        index = self.index
        if k > first:
            b0 = starts[first]
            ls_last = starts[k - 1]
            body = text[b0:ls_last + len(lines[k - 1])]
            span_end = ls_last + len(lines[k - 1].rstrip("\r"))
        else:
            b0 = starts[k] if k < nl else len(text)
            body = ""
            span_end = b0
        hd = Heredoc(name, body, Span.of(index, b0, span_end), strip, quoted, b0, None, fd, terminated)
        hd._index = index
        hd._nlines = k - first
        if strip and body:
            lines = body.split("\n")
            map_b, map_f, out = [], [], []
            bpos, fpos = 0, b0
            for ln in lines:
                cut = len(ln) - len(ln.lstrip("\t"))
                map_b.append(bpos)
                map_f.append(fpos + cut)
                out.append(ln[cut:])
                bpos += len(ln) - cut + 1
                fpos += len(ln) + 1
            hd.body = "\n".join(out)
            hd._map_body, hd._map_file = map_b, map_f
            hd.body_offset = map_f[0]
        if not terminated:
            term_end = len(text.rstrip("\r\n"))
            return hd, nl, max(term_end, span_end)
        return hd, k + 1, term_end

    # -- checks on one instruction ---------------------------------------------------------------
    def _check(self, ins: Instruction) -> None:
        kw = ins.keyword
        if kw not in KEYWORDS:
            ks = ins.keyword_span
            if not kw:
                self.error(ins.span.start, ins.span.end, "line continuation without an instruction")
                return
            hint = ""
            import difflib

            close = difflib.get_close_matches(kw, KEYWORDS, n=1, cutoff=0.7)
            if close:
                hint = f" (did you mean {close[0]}?)"
            self.error(ks.start, ks.end, f"unknown instruction `{ins.raw_keyword}`{hint}")
            return
        self._check_args(ins, kw, ins.args)

    def _check_args(self, ins: Instruction, kw: str, args: str) -> None:
        if kw in ("ENV", "LABEL"):
            msg = _name_val_error(kw, args, self.escape)
            if msg:
                self._args_error(ins, args, msg)
        elif kw in _JSON_KEYWORDS or kw == "HEALTHCHECK":
            text = args
            if kw == "HEALTHCHECK":
                parts = args.split(None, 1)
                text = parts[1] if len(parts) == 2 else ""
            if "[" in text and parse_json_array(text) == "bad":
                self._args_error(ins, args, f"{kw}: a JSON array form must hold only strings")
        elif kw == "ONBUILD":
            sub, sub_args = _split_command(args)
            sub = sub.upper()
            if not sub:
                self._args_error(ins, args, "ONBUILD requires an instruction to run later")
            elif sub == "ONBUILD":
                self._args_error(ins, args, "ONBUILD ONBUILD is not allowed")
            elif sub in ("FROM", "MAINTAINER"):
                self._args_error(ins, args, f"{sub} is not allowed as an ONBUILD trigger")
            elif sub in KEYWORDS:
                self._check_args(ins, sub, sub_args)

    def _args_error(self, ins: Instruction, args: str, message: str) -> None:
        """An error on the instruction's arguments (on its keyword when `args` is empty)."""
        where = ins.args_span if args else ins.keyword_span
        self.error(where.start, where.end, message)

    # -- model -----------------------------------------------------------------------------------
    def _build(self, instructions: List[Instruction]) -> Dockerfile:
        escape = self.escape
        index = self.index
        scope: Dict[str, Tuple[int, Optional[str]]] = {name: (UNKNOWN, None) for name in AUTOMATIC_ARGS}
        global_args: Dict[str, Optional[str]] = {}

        def lookup(name: str) -> Tuple[int, Optional[str]]:
            return scope.get(name, (UNSET, None))

        stages: List[Stage] = []
        by_name: Dict[str, Stage] = {}
        current: Optional[Stage] = None
        loose: List[Instruction] = []
        for ins in instructions:
            kw = ins.keyword
            if kw == "FROM":
                current = self._stage(ins, len(stages), lookup, by_name)
                if current.name:
                    if current.name in by_name:
                        self.error(ins.span.start, ins.span.end,
                                   f"duplicate stage name `{current.name}`")
                    else:
                        by_name[current.name] = current
                stages.append(current)
                continue
            if current is not None:
                current.instructions.append(ins)
                continue
            if kw == "ARG":
                for name, raw in arg_pairs(ins.args, escape):
                    if raw is None:  # a bare redeclaration keeps an earlier default
                        global_args.setdefault(name, None)
                        scope.setdefault(name, (UNSET, None))
                    else:
                        value, ok = expand(raw, lookup, escape, True)
                        global_args[name] = value
                        scope[name] = (KNOWN, value) if ok else (UNKNOWN, value)
            else:
                loose.append(ins)
                if kw in KEYWORDS:
                    ks = ins.keyword_span
                    self.error(ks.start, ks.end,
                               f"{kw} before the first FROM: only ARG may come before FROM")
        if stages:
            stages[-1].is_final = True
        else:
            first = instructions[0].span if instructions else None
            if first is not None:
                self.error(first.start, first.end, "no FROM instruction: a Dockerfile needs at least one stage")
            else:
                end = index.line_end(1) if self.text else 0
                self.error(0, end, "no FROM instruction: the file has no instructions")
        fragment = None
        if loose:  # a fragment: its instructions still get the rules that judge single instructions
            first = loose[0]
            fragment = Stage(-1, None, first, "", None, first.span, None, loose, False, None)
        return Dockerfile(self.source, instructions, stages, global_args, escape, dict(self.directives),
                          fragment=fragment, _global_scope=scope)

    def _stage(self, ins: Instruction, number: int, lookup, by_name: Dict[str, Stage]) -> Stage:
        words = [(m.group(), m.start(), m.end()) for m in _KEYWORD.finditer(ins.args)]
        name: Optional[str] = None
        if not words:
            ks = ins.keyword_span
            self.error(ks.start, ks.end, "FROM without an image")
            image_span = ins.span_of(0, 0)
            image_text, image, base = "", None, None
        else:
            raw, ws, we = words[0]
            image_span = ins.span_of(ws, we)
            if len(words) == 3 and words[1][0].lower() == "as":
                name = words[2][0].lower()
                if not _STAGE_NAME.match(name):
                    sp = ins.span_of(words[2][1], words[2][2])
                    self.error(sp.start, sp.end,
                               f"invalid stage name {words[2][0]!r}: use a letter, then letters, digits, "
                               "`-`, `_` or `.`")
            elif len(words) != 1:
                self.error(ins.args_span.start, ins.args_span.end,
                           "FROM takes an image and optionally `AS name` (one or three arguments)")
            image_text, _ = expand(raw, lookup, self.escape, True)
            base = by_name.get(image_text.lower())
            image = None if base is not None else parse_image(image_text)
        platform_flag = None
        for f in ins.flags:
            if f.name == "platform":
                platform_flag = f.value
        return Stage(number, name, ins, image_text, image, image_span, base, [ins], False, platform_flag)
