"""Compose interpolation, as `docker compose config` does it, over every value of a compose file.

Variables come from the `.env` file beside the compose file, or from the `--env-file` files
instead (later files win), and from the process environment only with `--compose-env` (it wins
over the files, as in Compose), so a run stays reproducible.

`substitute(text, env)` follows Compose's template syntax: `$VAR`, `${VAR}`, `${VAR:-default}`
(unset or empty), `${VAR-default}` (unset), `${VAR:?message}` / `${VAR?message}` (an error in
Compose), `${VAR:+replacement}` / `${VAR+replacement}`, defaults holding further `${...}`, and `$$`
(a literal `$`, kept as `$$` in the result so later readers still see an escaped dollar). A value
that uses a variable with no value and no default, or an error form whose variable is unset, cannot
be judged: `substitute` returns None and the value stays as written (`$` left in it: the views
treat it as variable, so no rule judges it).

`interpolate(root, env)` rewrites the scalar nodes of a composed document in place (values only,
never keys): a plain scalar is re-resolved, so `privileged: ${PRIV:-true}` reads as the boolean
true. Nodes keep their marks, so findings point at the text written in the compose file. It
returns one `Interpolated` record per rewritten scalar: its text range and, for the variables
whose value came from a file or the environment, where (`.env line 3`), which the engine adds to
the messages of findings on that text. A fix never edits an interpolated value (it would replace
the variable).
"""
from __future__ import annotations

import os
import re
from typing import Dict, List, Mapping, NamedTuple, Optional, Sequence, Tuple

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .record import record

__all__ = ["Variable", "Interpolated", "EnvFileError", "read_env_file", "environment_for", "substitute",
           "interpolate", "annotate"]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$")
_RESOLVER = yaml.resolver.Resolver()
_TYPED = frozenset(("tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"))
MAX_NODES = 200_000


@record(frozen=True)
class Variable:
    """A variable: its name, value and where it came from ("compose/.env line 3", "the
    environment")."""

    name: str
    value: str
    origin: str


class Interpolated(NamedTuple):
    """A scalar whose value was interpolated: its text range and where its variables came from."""

    start: int
    end: int
    origins: Tuple[str, ...]


class EnvFileError(Exception):
    """An `--env-file` that cannot be read (one line, exit 2)."""


# --------------------------------------------------------------------------- variables


def read_env_file(path: str, shown: str, known: Optional[Mapping[str, Variable]] = None) -> Dict[str, Variable]:
    """The variables of an env file as Compose reads it: `KEY=VALUE` lines (`export ` allowed),
    `#` comment lines, single-quoted values literal, double-quoted values with `\\n`, `\\t`, `\\"`
    and `\\\\` escapes, unquoted values up to a ` #` comment; `${VAR}` in unquoted and
    double-quoted values refers to variables defined before (or in `known`). A line without `=` is
    skipped. Raises OSError when the file cannot be read."""
    with open(path, encoding="utf-8-sig", errors="replace") as f:
        lines = f.read().splitlines()
    out: Dict[str, Variable] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = _ENV_LINE.match(line)
        if not m:
            continue
        name, raw = m.group(1), m.group(2).strip()
        expand = True
        if raw[:1] == "'":
            end = raw.find("'", 1)
            value, expand = (raw[1:end] if end > 0 else raw[1:]), False
        elif raw[:1] == '"':
            value = _double_quoted(raw)
        else:
            value = re.split(r"\s#", raw, maxsplit=1)[0].rstrip()
        if expand and "$" in value:
            scope = dict(known or {})
            scope.update(out)
            got = substitute(value, scope)
            if got is not None:
                value = got[0].replace("$$", "$")
        out[name] = Variable(name, value, f"{shown} line {number}")
    return out


def _double_quoted(raw: str) -> str:
    buf: List[str] = []
    i = 1
    while i < len(raw):
        c = raw[i]
        if c == "\\" and i + 1 < len(raw):
            buf.append({"n": "\n", "t": "\t", "r": "\r"}.get(raw[i + 1], raw[i + 1]))
            i += 2
            continue
        if c == '"':
            break
        buf.append(c)
        i += 1
    return "".join(buf)


def environment_for(compose_path: str, env_files: Sequence[str], process_env: bool,
                    cache: Optional[Dict[str, Dict[str, Variable]]] = None) -> Dict[str, Variable]:
    """The variables a compose file at `compose_path` is interpolated with: the `--env-file`
    files when given (else the `.env` beside it, when there is one), then, with `process_env`,
    the process environment over them. Raises EnvFileError for an `--env-file` that cannot be read."""
    key = "\0".join(env_files) if env_files else os.path.dirname(compose_path)
    if cache is not None and key in cache:
        files = cache[key]
    else:
        files = {}
        if env_files:
            for path in env_files:
                try:
                    files.update(read_env_file(path, path, files))
                except OSError as e:
                    raise EnvFileError(f"--env-file: cannot read {path}: {e.strerror or e}") from None
        else:
            path = os.path.join(os.path.dirname(compose_path), ".env")
            if os.path.isfile(path):
                try:
                    files = read_env_file(path, os.path.normpath(path))
                except OSError:
                    files = {}
        if cache is not None:
            cache[key] = files
    if not process_env:
        return files
    env = dict(files)
    env.update((k, Variable(k, v, "the environment")) for k, v in os.environ.items())
    return env


# --------------------------------------------------------------------------- substitution


class _CannotJudge(Exception):
    pass


def substitute(text: str, env: Mapping[str, Variable]) -> Optional[Tuple[str, List[Variable]]]:
    """(interpolated text, variables used) or None when the value cannot be judged (see the
    module docstring). `$$` stays `$$`."""
    used: List[Variable] = []
    try:
        out, _ = _expand(text, 0, env, used, False)
    except _CannotJudge:
        return None
    return out, used


def _expand(s: str, i: int, env: Mapping[str, Variable], used: List[Variable], nested: bool) -> Tuple[str, int]:
    """Expand from `i` to the end (or, when `nested`, to the `}` closing a default)."""
    out: List[str] = []
    n = len(s)
    while i < n:
        c = s[i]
        if nested and c == "}":
            return "".join(out), i
        if c != "$":
            out.append(c)
            i += 1
            continue
        nxt = s[i + 1] if i + 1 < n else ""
        if nxt == "$":
            out.append("$$")
            i += 2
        elif nxt == "{":
            value, i = _braced(s, i + 2, env, used)
            out.append(value)
        else:
            m = _NAME.match(s, i + 1)
            if m is None:
                out.append("$")
                i += 1
                continue
            out.append(_value(m.group(), env, used))
            i = m.end()
    if nested:
        raise _CannotJudge()  # an unclosed `${`: Compose rejects the file
    return "".join(out), i


def _braced(s: str, i: int, env: Mapping[str, Variable], used: List[Variable]) -> Tuple[str, int]:
    """`${...}` from just after the brace; returns (value, index after the closing brace)."""
    m = _NAME.match(s, i)
    if m is None:
        raise _CannotJudge()
    name, i = m.group(), m.end()
    if i < len(s) and s[i] == "}":
        return _value(name, env, used), i + 1
    for op in (":-", ":?", ":+", "-", "?", "+"):
        if s.startswith(op, i):
            break
    else:
        raise _CannotJudge()
    word_used: List[Variable] = []
    word, end = _expand(s, i + len(op), env, word_used, True)
    var = env.get(name)
    empty_counts = op.startswith(":")
    unset = var is None or (empty_counts and var.value == "")
    kind = op[-1]
    if kind == "-":
        if unset:
            used.extend(word_used)
            return word, end + 1
        used.append(var)
        return _escaped(var.value), end + 1
    if kind == "?":
        if unset:
            raise _CannotJudge()
        used.append(var)
        return _escaped(var.value), end + 1
    if unset:  # "+"
        return "", end + 1
    used.extend(word_used)
    used.append(var)
    return word, end + 1


def _value(name: str, env: Mapping[str, Variable], used: List[Variable]) -> str:
    var = env.get(name)
    if var is None:
        raise _CannotJudge()
    used.append(var)
    return _escaped(var.value)


def _escaped(value: str) -> str:
    """A variable's value as it reads inside the result: its own `$` are literal."""
    return value.replace("$", "$$")


# --------------------------------------------------------------------------- documents


def interpolate(root: Optional[Node], env: Mapping[str, Variable]) -> List[Interpolated]:
    """Rewrite every interpolated value under `root` in place (see the module docstring)."""
    out: List[Interpolated] = []
    seen = set()
    stack: List[Node] = [root] if root is not None else []
    visits = 0
    while stack and visits < MAX_NODES:
        node = stack.pop()
        visits += 1
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            stack.extend(v for _k, v in node.value)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, ScalarNode) and "$" in node.value and node.tag == "tag:yaml.org,2002:str":
            got = substitute(node.value, env)
            if got is None or got[0] == node.value:
                continue
            value, used = got
            node.value = value
            if node.style is None:
                tag = _RESOLVER.resolve(ScalarNode, value, (True, False))
                if tag in _TYPED:
                    node.tag = tag
            origins = tuple(dict.fromkeys(f"`{v.name}` from {v.origin}" for v in used))
            out.append(Interpolated(node.start_mark.index, node.end_mark.index, origins))
    return out


def annotate(violation, records: Sequence[Interpolated]):
    """The violation with the origins of the interpolated values its span covers added to its
    message, and without its fix when the fix edits an interpolated value."""
    from .record import replace

    span = violation.span
    hit = [r for r in records if r.start < max(span.end, span.start + 1) and span.start < r.end]
    fix = violation.fix
    if fix is not None and any(e.start < r.end and r.start < max(e.end, e.start + 1)
                               for e in fix.edits for r in records):
        fix = None
    origins = tuple(dict.fromkeys(o for r in hit for o in r.origins))
    message = violation.message + (f" ({', '.join(origins)})" if origins else "")
    if fix is violation.fix and message == violation.message:
        return violation
    return replace(violation, message=message, fix=fix)
