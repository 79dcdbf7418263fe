"""A small POSIX-shell reader for RUN commands: simple commands, their words and offsets.

Not a shell: enough to find `curl -k`, `apt-get install`, `| sh` and to point at (and edit) the
exact words. Quotes and escapes are removed from word values; `$(...)`, backticks and `<(...)`
stay in the value as written and their contents are read as commands too. Redirections and their
targets are left out of `Command.words`; reserved words (`if`, `then`, `do`, ...) that start a
command are skipped.
"""
from __future__ import annotations

from ... import lazyre
from ...knowledge.verification import command_start
from ...model.record import field, record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, List, Optional

_OPERATORS = frozenset(("&&", "||", ";;", "|&", "|", ";", "&", "(", ")"))
_RESERVED = {"if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "{", "}", "time"}
SHELLS = {"sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "fish"}
_MAX_DEPTH = 4
# Characters that are just part of a word (nothing above treats them specially), read in one go,
# and the blanks after them.
_ORDINARY = lazyre.compile(r"([^ \t\r\n\\'\"$`<>&|;()]*)([ \t\r]*)")
_ORDINARY_IN_DOUBLE_QUOTES = lazyre.compile(r'[^"\\$`]*')
_BLANKS = lazyre.compile(r"[ \t\r]*")
# Characters the reader looks at one by one (`$` and `#` are handled with the ordinary ones).
_SPECIAL = frozenset(" \t\r\n\\'\"`<>&|;()")
# What may follow a plain word (no quotes, escapes or `$(`) for it to end there.
_WORD_ENDS = frozenset(" \t\r\n;|()")


@record
class Word:
    value: str  # quotes and escapes removed
    start: int  # offsets into the text given to `parse` (plus its base)
    end: int
    raw: str = ""


@record
class Command:
    """One simple command. `argv`, `name_index()` and `name` are worked out from `words` when the
    command is made: change no word value afterwards (checks share the commands of a RUN)."""

    words: List[Word]
    op: str = ""  # operator after the command: "|", "&&", "||", ";", "&", "\n" or "" (end)
    end: int = 0  # end offset of the command's last token, redirections included
    group: int = 0  # commands of one list share a group; substitutions get their own
    pipe_prev: Optional["Command"] = field(default=None, repr=False)

    def __post_init__(self) -> None:
        words = self.words
        self.argv = [w.value for w in words]  # the word values (read only)
        i = self._name_index = command_start(self.argv)
        self.name = program(words[i].value) if i < len(words) else ""  # the program it runs
        self._derived: Dict[Callable[["Command"], Any], Any] = {}

    def name_index(self) -> int:
        """Index of the command name, past `NAME=value` assignments and wrappers (`sudo -E`)."""
        return self._name_index

    def derived(self, compute: Callable[["Command"], Any]) -> Any:
        """`compute(self)`, worked out once: many checks ask the same of a command."""
        memo = self._derived
        if compute not in memo:
            memo[compute] = compute(self)
        return memo[compute]


def program(word: str) -> str:
    """A command word as a program name: `/usr/bin/curl` and `curl.exe` are `curl`."""
    name = word.rsplit("/", 1)[-1]
    return name[:-4] if name.lower().endswith(".exe") else name


def _balanced(text: str, i: int) -> int:
    """Index of the `)` closing the `(` at text[i] (quotes respected), or len(text)."""
    depth, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "'":
            j = text.find("'", i + 1)
            i = n if j < 0 else j + 1
            continue
        if c == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
            i += 1
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return n


class _Reader:
    def __init__(self) -> None:
        self.commands: List[Command] = []
        self.groups = 0

    def read(self, text: str, base: int, depth: int) -> None:
        group = self.groups
        self.groups += 1
        words: List[Word] = []
        buf: Optional[List[str]] = None
        wstart = 0
        redirect = False
        last_end = base
        prev: Optional[Command] = None
        i, n = 0, len(text)
        ordinary, blanks = _ORDINARY.match, _BLANKS.match

        def end_word() -> None:
            nonlocal buf, redirect, last_end
            if buf is None:
                return
            if redirect:
                redirect = False
            else:
                words.append(Word("".join(buf), base + wstart, base + i, text[wstart:i]))
            last_end = base + i
            buf = None

        def end_command(op: str) -> None:
            nonlocal words, prev
            end_word()
            while words and words[0].value in _RESERVED:
                words.pop(0)
            if words:
                cmd = Command(words, op, last_end, group, prev)
                self.commands.append(cmd)
                prev = cmd if op in ("|", "|&") else None
            elif op not in ("|", "|&"):
                prev = None
            words = []

        def substitution(open_at: int, close_at: int) -> None:
            if depth < _MAX_DEPTH:
                self.read(text[open_at:close_at], base + open_at, depth + 1)

        while i < n:
            c = text[i]
            if c not in _SPECIAL:
                if c == "$" and text[i + 1:i + 2] == "(":
                    if buf is None:
                        buf, wstart = [], i
                    j = _balanced(text, i + 1)
                    substitution(i + 2, j)
                    buf.append(text[i:j + 1])
                    i = j + 1
                    continue
                if c == "#" and buf is None:
                    j = text.find("\n", i)
                    i = n if j < 0 else j
                    continue
                m = ordinary(text, i + 1)  # c and the ordinary characters after it, then blanks
                j = m.end(1)
                if buf is None:
                    if j == n or text[j] in _WORD_ENDS:  # a plain word: value and raw text are one
                        if redirect:
                            redirect = False
                        else:
                            value = text[i:j]
                            words.append(Word(value, base + i, base + j, value))
                        last_end = base + j
                        i = m.end()
                        continue
                    buf, wstart = [], i
                buf.append(text[i:j])
                i = j
            elif c in " \t\r":
                if buf is not None:
                    end_word()
                i = blanks(text, i + 1).end()
            elif c == "\n":
                end_command("\n")
                i += 1
            elif c == "\\":
                nxt = text[i + 1:i + 2]
                if nxt == "\n" or (nxt == "\r" and text[i + 2:i + 3] == "\n"):
                    i += 2 if nxt == "\n" else 3  # line continuation
                    continue
                if buf is None:
                    buf, wstart = [], i
                buf.append(nxt)
                i += 2
            elif c == "'":
                if buf is None:
                    buf, wstart = [], i
                j = text.find("'", i + 1)
                j = n if j < 0 else j
                buf.append(text[i + 1:j])
                i = j + 1
            elif c == '"':
                if buf is None:
                    buf, wstart = [], i
                i += 1
                while i < n and text[i] != '"':
                    ch = text[i]
                    if ch == "\\" and i + 1 < n and text[i + 1] in '"\\$`\n':
                        if text[i + 1] != "\n":
                            buf.append(text[i + 1])
                        i += 2
                    elif ch == "$" and text[i + 1:i + 2] == "(":
                        j = _balanced(text, i + 1)
                        substitution(i + 2, j)
                        buf.append(text[i:j + 1])
                        i = j + 1
                    elif ch == "`":
                        j = text.find("`", i + 1)
                        j = n if j < 0 else j
                        substitution(i + 1, j)
                        buf.append(text[i:j + 1])
                        i = j + 1
                    else:
                        j = _ORDINARY_IN_DOUBLE_QUOTES.match(text, i + 1).end()
                        buf.append(text[i:j])
                        i = j
                i += 1
            elif c == "`":
                if buf is None:
                    buf, wstart = [], i
                j = text.find("`", i + 1)
                j = n if j < 0 else j
                substitution(i + 1, j)
                buf.append(text[i:j + 1])
                i = j + 1
            elif c in "<>" and buf is None and text[i + 1:i + 2] == "(":
                buf, wstart = [], i  # process substitution: one word
                j = _balanced(text, i + 1)
                substitution(i + 2, j)
                buf.append(text[i:j + 1])
                i = j + 1
            elif c in "<>" or (c == "&" and text[i + 1:i + 2] == ">"):
                if buf is not None and "".join(buf).isdigit():
                    buf = None  # `2>` : the fd number belongs to the redirection
                else:
                    end_word()
                j = i + 1
                while j < n and text[j] in "<>&|":
                    j += 1
                op = text[i:j]
                i = j
                if op.endswith("&") and i < n and (text[i].isdigit() or text[i] == "-"):
                    while i < n and (text[i].isdigit() or text[i] == "-"):
                        i += 1
                    last_end = base + i
                else:
                    redirect = True
                    last_end = base + i
            else:  # an operator
                op = text[i:i + 2]
                if op not in _OPERATORS:
                    op = c
                end_command(";" if op in ("(", ")", ";;") else op)
                i += len(op)
        end_command("")


def parse(text: str, base: int = 0) -> List[Command]:
    """Every simple command in `text` (substitutions included), in reading order."""
    r = _Reader()
    r.read(text, base, 0)
    return r.commands


def pipeline_before(cmd: Command) -> List[Command]:
    """Commands piped into `cmd`, nearest first (`a | b | cmd` -> [b, a])."""
    out = []
    p = cmd.pipe_prev
    while p is not None:
        out.append(p)
        p = p.pipe_prev
    return out

