"""`--fix` and `--diff`: apply the findings' fixes, re-parse, re-lint, repeat.

One pass takes every fix the mode allows (safe; unsafe too with `--unsafe-fixes`; display-only
never), in finding order, and keeps the ones whose edits do not overlap an edit already taken (a
fix is all or nothing; two fixes with identical edits are applied and counted once); they are
applied together, then the new text is parsed and linted. Two insertions at one point overlap
too (each was written for the text as it was), except in YAML the `set_key` insertions that
`fixmerge` writes together as one pass each would have written them (a container's missing
settings: `securityContext:` once, each key after the last); a merged pass that fails the checks
below is made again without merging. A pass that makes the file unparsable
(new HL001 errors, a parser crash, a YAML document that no longer loads, a mapping key written
twice) or no longer a valid file of its kind (a Compose schema error or a Kubernetes shape change
the original did not have: `fixvalidity`) is not kept: its fixes are retried one at a time and only those that keep the file
parsable stay. Passes repeat until no fixable finding is left or nothing changes, at most
MAX_PASSES times; if a text comes back that was already seen (two rules undoing each other) the
loop stops on the same member of that cycle every time, so a second `--fix` changes nothing.

A multi-document Kubernetes manifest is fixed one document at a time (`_fix_by_document`): each
pass re-parses and re-lints only that document, with its objects swapped into the object index
(`ObjectIndex.splice`, not a rebuild), and the joined text is linted once and checked for the
documents that changed. Its result is the whole-text loop's (tests/test_fix_documents.py). What
`--fix --unsafe-fixes` costs on a generated 3 MB manifest (benchmarks/bench.py): the first and
the last lint of the whole text, each changed document's own lints (its first, one pass for a
container's missing settings, one that finds nothing left) and checks; under 3 lints' time in all,
with the collector's young generation enlarged while fixing (`collector.py`).

Edits are written by the rules with "\\n"; in a CRLF file every inserted "\\n" becomes "\\r\\n",
and an edit that ends a file without a final newline adds none (`normalise_edit`, which the
SARIF reporter uses too). A BOM stays, and the file is replaced atomically (temp file in the
same folder, fsync, original mode, `os.replace`).
"""
from __future__ import annotations

import bisect
import difflib
import errno
import functools
import hashlib
import itertools
import os
import sys
from collections import Counter
from typing import Dict, List, Optional, Sequence, Set, Tuple

from .atomic import replace_file
from .collector import young_generation
from .engine import FileResult, Linter, display_path
from .model.findings import Edit, Finding, Fix
from .model.record import field, record
from .source import DecodeError, SourceError, SourceFile, read_source

MAX_PASSES = 30
MERGE_INSERTIONS = True  # `set_key` insertions at one point in one pass (fixmerge); False: a pass each
YAML_KINDS = ("compose", "kubernetes", "yaml")
BY_DOCUMENT_FROM = 3  # insertions at one point (passes) from which a manifest is fixed by document


@record
class FixOutcome:
    """What fixing one file gave.

    - `result`: the lint result of the final text (the findings that remain);
    - `text`: the final text (None when the file could not be read or decoded);
    - `fixed`: how many fixes were applied; `applied`: the same, per rule id;
    - `diff`: unified diff from the original to the final text ("" when nothing changed), with
      the secret values of both texts masked where they are written (`FileResult.secret_spans`),
      computed when first asked for (only `--diff` needs it, and on a large file it costs more
      than the fixing).
    """

    result: FileResult
    text: Optional[str]
    fixed: int = 0
    applied: Counter = field(default_factory=Counter)
    original: Optional[str] = None  # the text before fixing, for `diff`
    original_secrets: Tuple[Tuple[int, int], ...] = ()  # secret spans of `original`

    @functools.cached_property
    def diff(self) -> str:
        if self.original is None or self.text is None:
            return ""
        return unified_diff(self.result.path, self.original, self.text,
                            self.original_secrets, self.result.secret_spans)


# --- choosing and applying edits -------------------------------------------------------------

def allowed(fix: Optional[Fix], unsafe: bool) -> bool:
    """Whether `--fix` (with `unsafe` for `--unsafe-fixes`) may apply this fix."""
    if fix is None or not fix.edits:
        return False
    return fix.applicability == "safe" or (unsafe and fix.applicability == "unsafe")


def _overlaps(a: Edit, b: Edit) -> bool:
    """Two edits conflict when their ranges overlap, or when an insertion point lies inside or on
    the boundary of the other edit. Two insertions at one point conflict too: each rule computed
    its text for the file as it was (two rules adding `resources:` under one container would
    write the key twice, and the order of a pod-level and a container-level insertion decides
    where each lands), so the second waits for the next pass and is recomputed."""
    if a.start < b.end and b.start < a.end:
        return True
    if a.start == a.end and b.start <= a.start <= b.end:
        return True
    if b.start == b.end and a.start <= b.start <= a.end:
        return True
    return False


def _valid(fix: Fix, length: int) -> bool:
    edits = sorted(fix.edits, key=lambda e: (e.start, e.end))
    if any(not (0 <= e.start <= e.end <= length) for e in edits):
        return False
    return not any(_overlaps(x, y) for x, y in zip(edits, edits[1:]))


def choose(findings: Sequence[Finding], unsafe: bool, text: str,
           refused: Optional[Set] = None, merge: bool = False) -> List[Tuple[str, Fix]]:
    """The (rule id, fix) pairs of one pass over `text`: allowed, valid, not refused earlier, not
    overlapping an edit already chosen, in finding order; a fix whose edits equal those of a fix
    already chosen is left out (applied and counted once).

    With `merge`, `set_key` insertions at one point are taken together, written as one after the
    other would be (`fixmerge`), where no other fix touches that point; they come in the order
    of their text."""
    chosen: List[Tuple[str, Fix]] = []
    taken = _Taken()
    seen: Set[Tuple[Edit, ...]] = set()
    groups: Dict[int, object] = {}  # point -> fixmerge.Group
    mergeable = _mergeable(findings, unsafe, text) if merge else {}
    for f in findings:
        fix = f.fix
        if not allowed(fix, unsafe) or not _valid(fix, len(text)):
            continue
        key = tuple(sorted(fix.edits, key=lambda e: (e.start, e.end, e.content)))
        if key in seen or (refused and refusal_key(text, f.rule, fix) in refused):
            continue
        block = mergeable.get(id(fix))
        if any(taken.conflicts(e) for e in fix.edits):
            group = groups.get(block[0]) if block is not None else None
            if group is not None and group.add(f.rule, fix, block[1]):
                seen.add(key)
                chosen.append((f.rule, fix))
            continue
        seen.add(key)
        for e in fix.edits:
            taken.add(e)
        chosen.append((f.rule, fix))
        if block is not None:
            from .fixmerge import Group

            groups[block[0]] = group = Group()
            group.add(f.rule, fix, block[1])
    return _merged(chosen, groups)


def _mergeable(findings: Sequence[Finding], unsafe: bool, text: str) -> Dict[int, tuple]:
    """id(fix) -> (point, fixmerge.Block) for the allowed `set_key` insertions at points no other
    allowed fix touches."""
    from .fixmerge import block

    blocks: Dict[int, tuple] = {}
    others: List[Tuple[int, int]] = []
    for f in findings:
        if not allowed(f.fix, unsafe):
            continue
        b = block(f.fix)
        if b is None:
            others.extend((e.start, e.end) for e in f.fix.edits)
        else:
            blocks[id(f.fix)] = b
    if not blocks or not others:
        return blocks
    others.sort()
    starts = [a for a, _ in others]
    reach = list(itertools.accumulate((b for _, b in others), max))  # furthest end so far

    def touched(point: int) -> bool:
        i = bisect.bisect_right(starts, point)
        return i > 0 and reach[i - 1] >= point

    return {k: v for k, v in blocks.items() if not touched(v[0])}


def _merged(chosen: List[Tuple[str, Fix]], groups: Dict[int, object]) -> List[Tuple[str, Fix]]:
    """`chosen` with the fixes of each merge group replaced by the pieces of its text, in order."""
    members = {id(fix): point for point, g in groups.items() if len(g.fixes) > 1 for fix in g.fixes}
    if not members:
        return chosen
    out: List[Tuple[str, Fix]] = []
    done: Set[int] = set()
    for rule, fix in chosen:
        point = members.get(id(fix))
        if point is None:
            out.append((rule, fix))
        elif point not in done:
            done.add(point)
            out.extend(groups[point].pieces(point))
    return out


class _Taken:
    """The edits chosen so far, sorted by (start, end), so that a new edit is compared with its
    neighbours only (a pass over a large manifest chooses tens of thousands of fixes).

    Chosen edits never conflict (`_overlaps`), so sorted by start their ends are sorted too: the
    edits that can conflict with [start, end] are those starting at or before `end`, walking back
    while they end at or after `start`."""

    def __init__(self) -> None:
        self.keys: List[Tuple[int, int]] = []
        self.edits: List[Edit] = []

    def conflicts(self, edit: Edit) -> bool:
        i = bisect.bisect_right(self.keys, (edit.end, sys.maxsize))  # every edit starting at or before end
        while i > 0:
            i -= 1
            t = self.edits[i]
            if t.end < edit.start:
                return False
            if _overlaps(edit, t):
                return True
        return False

    def add(self, edit: Edit) -> None:
        i = bisect.bisect_right(self.keys, (edit.start, edit.end))
        self.keys.insert(i, (edit.start, edit.end))
        self.edits.insert(i, edit)


def refusal_key(text: str, rule: str, fix: Fix) -> tuple:
    """Identifies a fix across passes, where other fixes may have shifted its offsets: the rule,
    the title, what each edit replaces and with what, and the line the first edit starts on."""
    edits = sorted(fix.edits, key=lambda e: (e.start, e.end))
    first = edits[0].start
    end = text.find("\n", first)
    line = text[text.rfind("\n", 0, first) + 1:len(text) if end == -1 else end]
    return rule, fix.title, line, tuple((text[e.start:e.end], e.content) for e in edits)


def uses_crlf(text: str) -> bool:
    """True when most line endings of `text` are CRLF."""
    crlf = text.count("\r\n")
    return crlf > 0 and crlf >= text.count("\n") - crlf


def normalise_edit(text: str, edit: Edit, crlf: Optional[bool] = None) -> Edit:
    """The edit as it is written to `text`: "\\n" becomes "\\r\\n" in a CRLF file, and an edit
    that reaches the end of a text without a final newline adds none.

    The SARIF reporter uses this too, so its `fixes` give the same bytes as `--fix`.
    """
    content = edit.content
    if crlf is None:
        crlf = uses_crlf(text)
    if crlf and "\n" in content:
        out: List[str] = []
        prev = text[edit.start - 1] if edit.start > 0 else ""
        for ch in content:
            if ch == "\n" and prev != "\r":
                out.append("\r")
            out.append(ch)
            prev = ch
        content = "".join(out)
    if edit.end == len(text) and text and not text.endswith("\n") and content.endswith("\n"):
        content = content[:-2] if content.endswith("\r\n") else content[:-1]
    return edit if content == edit.content else Edit(edit.start, edit.end, content)


def apply_fixes(text: str, fixes: Sequence[Fix]) -> str:
    """Apply the (non-overlapping) edits of `fixes` to `text`, normalised to its line endings."""
    crlf = uses_crlf(text)
    edits = sorted((normalise_edit(text, e, crlf) for fx in fixes for e in fx.edits),
                   key=lambda e: (e.start, e.end))
    out: List[str] = []
    pos = 0
    for e in edits:
        out.append(text[pos:e.start])
        out.append(e.content)
        pos = e.end
    out.append(text[pos:])
    return "".join(out)


# --- the loop --------------------------------------------------------------------------------

@record
class _State:
    text: str
    result: FileResult
    parsed: object
    applied: Counter


def _yaml_shape(text: str) -> Optional[Tuple[int, int]]:
    """(documents, mapping keys written twice) of a YAML text, or None when it does not load."""
    import yaml

    from .model.yamlnodes import compose_documents

    try:
        docs = compose_documents(text)
        for doc in docs:  # composing does not construct; make sure every document loads too
            loader_obj = yaml.SafeLoader("")
            loader_obj.construct_document(doc)
    except (yaml.YAMLError, RecursionError, ValueError, TypeError):
        return None
    dups = 0
    stack = [d for d in docs if d is not None]
    seen_nodes = set()
    while stack:
        node = stack.pop()
        if id(node) in seen_nodes:
            continue
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            keys = [k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode) and k.value != "<<"]
            dups += len(keys) - len(set(keys))
            for k, v in node.value:
                stack.extend((k, v))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return len(docs), dups


class _Judge:
    """Decides whether a new text is still as parsable, and as valid, as the original.

    The parser's verdict (HL001 errors, the kind) is checked on every pass. The independent YAML
    check (documents load, as many of them, no key written twice) and the check that the file is
    still valid of its kind (`fixvalidity`: the Compose schema, Kubernetes shapes) cost a second
    parse, so they are made on the final text; only when that fails is the loop run again checking
    every pass.
    """

    def __init__(self, source: SourceFile, parsed) -> None:
        self.source = source
        self.errors = len(parsed.errors) if parsed is not None else None
        self.parsed_kind = parsed.kind if parsed is not None else None
        self.each_pass = False
        self._yaml: object = ...  # the original's shape, computed when first needed
        self._facts: object = ...  # the original's kind facts (fixvalidity), idem
        self._documents = _documents(parsed)

    def keeps_parsing(self, text: str, parsed) -> bool:
        return self.parses(parsed) and (not self.each_pass or (self.keeps_yaml(text) and self.keeps_kind(text, parsed)))

    def parses(self, parsed) -> bool:
        """The parser's verdict: no more HL001 errors than the original, the same kind."""
        if self.errors is not None:
            if parsed is None or len(parsed.errors) > self.errors or parsed.kind != self.parsed_kind:
                return False
        return True

    def keeps_yaml(self, text: str) -> bool:
        if self.source.kind not in YAML_KINDS:
            return True
        if self._yaml is ...:
            self._yaml = _yaml_shape(self.source.text)
        if self._yaml is None:  # did not load before: the parser's verdict is all we have
            return True
        new = _yaml_shape(text)
        return new is not None and new[0] == self._yaml[0] and new[1] <= self._yaml[1]

    def keeps_kind(self, text: str, parsed, numbers: Optional[List[int]] = None) -> bool:
        """The fixed text (parsed as `parsed`) is still a valid file of its kind: no Compose
        schema error and no Kubernetes shape change the original did not have (see fixvalidity).
        `numbers`: the places of the only documents that changed (each keeps its place)."""
        from . import fixvalidity

        if numbers is not None:
            new = _documents(parsed)
            before = fixvalidity.facts(self.parsed_kind, self.source.text, [self._documents[n] for n in numbers], numbers)
            return fixvalidity.still_valid(self.parsed_kind, before, text, [new[n] for n in numbers], numbers)
        if self._facts is ...:
            self._facts = fixvalidity.facts(self.parsed_kind, self.source.text, self._documents)
        return fixvalidity.still_valid(self.parsed_kind, self._facts, text, _documents(parsed))


def _documents(parsed) -> Optional[list]:
    """The document root nodes of a parsed YAML file (None when there is no model)."""
    return getattr(getattr(parsed, "model", None), "documents", None)


def _fixable(result: FileResult, unsafe: bool) -> int:
    return sum(1 for f in result.findings if allowed(f.fix, unsafe))


def fix_source(linter: Linter, source: SourceFile, unsafe: bool) -> FixOutcome:
    """Fix one in-memory source; nothing is written."""
    with young_generation():
        result, parsed = linter.lint_source(source)
        judge = _Judge(source, parsed)
        by_document = _fix_by_document(linter, source, unsafe, result, parsed, judge)
        if by_document is not None:
            return by_document
        return _fix_whole(linter, source, unsafe, result, parsed, judge)


def _fix_whole(linter: Linter, source: SourceFile, unsafe: bool, result: FileResult, parsed,
               judge: _Judge) -> FixOutcome:
    """The loop over the whole text (and again checking every pass when the final text fails the
    YAML or kind-validity check)."""
    state = _loop(linter, source, unsafe, _State(source.text, result, parsed, Counter()), judge)
    if state.text != source.text and not (judge.keeps_yaml(state.text) and judge.keeps_kind(state.text, state.parsed)):
        judge.each_pass = True
        state = _loop(linter, source, unsafe, _State(source.text, result, parsed, Counter()), judge)
    final = state.result
    fixed = sum(state.applied.values())
    final.fixed = fixed
    return FixOutcome(final, state.text, fixed, state.applied, source.text, result.secret_spans)


def _fix_by_document(linter: Linter, source: SourceFile, unsafe: bool, result: FileResult, parsed,
                     judge: _Judge) -> Optional[FixOutcome]:
    """A multi-document Kubernetes manifest fixed one document at a time, or None when the file
    is not one (or the result does not pass the checks: the caller then fixes the whole text).

    The per-file rules read one object at a time and the documents are independent, so each
    document with a fixable finding is fixed alone (its passes re-parse and re-lint that document
    only), with the other documents' objects in the object index for the cross-object rules. The
    joined text is then linted once, checked like any fixed text (parser verdict, YAML shape,
    kind validity) and, should a fixable finding remain, the whole-text loop goes on from it."""
    from .model.yamlnodes import split_documents

    text = source.text
    if (parsed is None or parsed.kind != "kubernetes" or source.is_json or "ignore-file" in text
            or text.count("\r\n") not in (0, text.count("\n"))):
        return None
    ranges = split_documents(text)
    if len(ranges) < 2:
        return None
    starts = [a for a, _ in ranges]
    fixable = [f.fix for f in result.findings if allowed(f.fix, unsafe)]
    at_one_point = Counter(e.start for fx in fixable for e in fx.edits if e.start == e.end)
    if max(at_one_point.values(), default=0) < BY_DOCUMENT_FROM:
        return None  # a pass or two: the whole text costs less than the documents one by one
    wanted = {bisect.bisect_right(starts, fx.edits[0].start) - 1 for fx in fixable}
    base_index = linter.index
    file_index = _FileIndex(base_index, source.path, result.objects)
    pieces: List[str] = []
    applied: Counter = Counter()
    try:
        for i, (a, b) in enumerate(ranges):
            piece = text[a:b]
            if i in wanted:
                linter.index = file_index.document(a, b)
                done = fix_source(linter, SourceFile(source.path, piece, source.kind), unsafe)
                if done.text is None or done.result.kind != "kubernetes":
                    return None
                piece = done.text
                applied.update(done.applied)
            pieces.append(piece)
    finally:
        linter.index = base_index
    joined = "".join(pieces)
    new_result, new_parsed = linter.lint_source(SourceFile(source.path, joined, source.kind, source.bom))
    if joined != text:
        numbers = _changed_documents(text, parsed, new_parsed, ranges, pieces)
        if not (judge.parses(new_parsed) and judge.keeps_yaml(joined) and judge.keeps_kind(joined, new_parsed, numbers)):
            return None
    state = _loop(linter, source, unsafe, _State(joined, new_result, new_parsed, applied), judge)
    if state.text != joined and not (judge.keeps_yaml(state.text) and judge.keeps_kind(state.text, state.parsed)):
        return None
    final = state.result
    fixed = sum(state.applied.values())
    final.fixed = fixed
    return FixOutcome(final, state.text, fixed, state.applied, source.text, result.secret_spans)


def _changed_documents(text: str, parsed, new_parsed, ranges: List[Tuple[int, int]],
                       pieces: List[str]) -> Optional[List[int]]:
    """The places of the documents in the pieces that changed, when the joined text has its
    documents in the same pieces as the original (else None: every document is checked)."""
    old_roots, new_roots = _documents(parsed), _documents(new_parsed)
    if old_roots is None or new_roots is None or len(old_roots) != len(new_roots):
        return None
    old_starts = [a for a, _ in ranges]
    new_starts = list(itertools.accumulate((len(p) for p in pieces[:-1]), initial=0))
    old = [bisect.bisect_right(old_starts, r.start_mark.index) - 1 for r in old_roots]
    new = [bisect.bisect_right(new_starts, r.start_mark.index) - 1 for r in new_roots]
    if old != new:
        return None
    changed = {i for i, (a, b) in enumerate(ranges) if pieces[i] != text[a:b]}
    return [n for n, i in enumerate(old) if i in changed]


class _FileIndex:
    """The run's object index with this file's objects (as first linted), from which each
    document being fixed alone gets its view (`document`)."""

    def __init__(self, base, path: str, records) -> None:
        from .model.objects import ObjectIndex

        records = sorted(records, key=lambda r: r.span.start)
        self.path = path
        self.index = base.replace(path, records) if base is not None else ObjectIndex.build(records)
        self.first = next((i for i, r in enumerate(self.index) if r.path == path), len(self.index))
        self.starts = [r.span.start for r in records]

    def document(self, start: int, end: int) -> "_DocumentIndex":
        """The index as the document at [start, end) of the file sees it."""
        lo, hi = (self.first + bisect.bisect_left(self.starts, at) for at in (start, end))
        return _DocumentIndex(self.index, self.path, lo, hi)


class _DocumentIndex:
    """The run's object index as one document of a file sees it while that document is fixed
    alone: its own objects (as just parsed, `replace`) at places [lo, hi) of `index`, between
    those of the file's other documents."""

    def __init__(self, index, path: str, lo: int, hi: int) -> None:
        self.index, self.path, self.lo, self.hi = index, path, lo, hi

    def replace(self, path: str, records):
        if path != self.path:  # pragma: no cover - the fixer lints this file only
            return self.index.replace(path, records)
        return self.index.splice(self.lo, self.hi, records)


def _loop(linter: Linter, source: SourceFile, unsafe: bool, state: "_State", judge: _Judge) -> "_State":
    """Passes until nothing fixable is left, nothing changes, a state repeats or the bound."""
    history: List[_State] = [state]
    seen: Dict[str, int] = {_digest(state.text): 0}

    def lint(text: str):
        return linter.lint_source(SourceFile(source.path, text, source.kind, source.bom))

    refused: Set[tuple] = set()
    merge = MERGE_INSERTIONS and source.kind in YAML_KINDS
    for _ in range(MAX_PASSES):
        chosen = choose(state.result.findings, unsafe, state.text, refused, merge)
        if not chosen:
            break
        text = apply_fixes(state.text, [fx for _, fx in chosen])
        new_result, new_parsed = lint(text)
        if merge and not judge.keeps_parsing(text, new_parsed):
            one_each = choose(state.result.findings, unsafe, state.text, refused)
            if [id(fx) for _, fx in one_each] != [id(fx) for _, fx in chosen]:  # merged: the pass as it was
                chosen = one_each
                text = apply_fixes(state.text, [fx for _, fx in chosen])
                new_result, new_parsed = lint(text)
        if not judge.keeps_parsing(text, new_parsed):
            # Find the culprits: keep the fixes that, added one at a time, keep the file parsable.
            kept: List[Tuple[str, Fix]] = []
            best = None
            for rule, fx in chosen:
                trial = kept + [(rule, fx)]
                t = apply_fixes(state.text, [f for _, f in trial])
                r, p = lint(t)
                if judge.keeps_parsing(t, p):
                    kept, best = trial, (t, r, p)
                else:
                    refused.add(refusal_key(state.text, rule, fx))
            if best is None:
                continue  # every fix of this pass was refused; fixes they hid get their turn
            chosen = kept
            text, new_result, new_parsed = best
        if text == state.text:
            break
        applied = state.applied.copy()
        applied.update(rule for rule, _ in chosen)
        new_state = _State(text, new_result, new_parsed, applied)
        key = _digest(text)
        if key in seen:  # a cycle: settle on one member of it, the same one on every run
            cycle = history[seen[key]:]
            return min(cycle, key=lambda s: (_fixable(s.result, unsafe), len(s.result.findings), s.text))
        seen[key] = len(history)
        history.append(new_state)
        state = new_state
    return state


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def unified_diff(path: str, old: str, new: str, old_masked: Sequence[Tuple[int, int]] = (),
                 new_masked: Sequence[Tuple[int, int]] = ()) -> str:
    """`--- a/path` / `+++ b/path` unified diff (as difflib writes it, 3 lines of context), ""
    when the texts are equal. The lines are compared as they are; the spans `old_masked` /
    `new_masked` of each text (secret values) are shown as `*`, every other byte as it is."""
    if old == new:
        return ""
    from .masking import mask

    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    shown_a = mask(old, tuple(old_masked)).splitlines(keepends=True) if old_masked else a
    shown_b = mask(new, tuple(new_masked)).splitlines(keepends=True) if new_masked else b
    name = path.replace(os.sep, "/")
    out: List[str] = [f"--- a/{name}\n", f"+++ b/{name}\n"]

    def emit(sign: str, line: str) -> None:
        out.append(sign + line if line.endswith("\n") else sign + line + "\n\\ No newline at end of file\n")

    for group in difflib.SequenceMatcher(None, a, b).get_grouped_opcodes(3):
        (_, i1, _, j1, _), (_, _, i2, _, j2) = group[0], group[-1]
        out.append(f"@@ -{_hunk_range(i1, i2 - i1)} +{_hunk_range(j1, j2 - j1)} @@\n")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                for line in shown_a[i1:i2]:
                    emit(" ", line)
                continue
            if tag in ("replace", "delete"):
                for line in shown_a[i1:i2]:
                    emit("-", line)
            if tag in ("replace", "insert"):
                for line in shown_b[j1:j2]:
                    emit("+", line)
    return "".join(out)


def _hunk_range(start: int, length: int) -> str:
    """A hunk header's `start,length` (1-based; `start` alone for one line; `start-1,0` for none)."""
    if length == 1:
        return str(start + 1)
    return f"{start if length == 0 else start + 1},{length}"


# --- files -----------------------------------------------------------------------------------

def fix_path(linter: Linter, fs_path: str, kind: str, unsafe: bool, write: bool) -> FixOutcome:
    """Fix one file; with `write`, replace it atomically when the text changed."""
    display = display_path(fs_path)
    try:
        source = read_source(fs_path, display, kind)
    except DecodeError as e:
        return FixOutcome(linter._undecodable(display, kind, str(e)), None)
    except SourceError as e:
        result = FileResult(display, kind, skipped="unreadable")
        result.unreadable = str(e)
        return FixOutcome(result, None)
    outcome = fix_source(linter, source, unsafe)
    if write and outcome.text != source.text:
        data = (b"\xef\xbb\xbf" if source.bom else b"") + outcome.text.encode("utf-8")
        try:
            write_atomic(fs_path, data)
        except OSError as e:
            result, _ = linter.lint_source(source)
            result.internal_errors.append(f"{display}: cannot write fixes: {e.strerror or e}")
            return FixOutcome(result, source.text)
    return outcome


def write_atomic(path: str, data: bytes) -> None:
    """Replace the file at `path` (following a symlink) with `data`: a temp file in the same
    folder, fsync, the original's mode (and owner, where allowed), then `os.replace`. On any
    error the temp file is removed and the original is left as it was.

    A file the user cannot write (read-only) is refused with PermissionError: `os.replace` only
    needs the folder to be writable, so without this check it would replace a read-only file."""
    target = os.path.realpath(path)
    st = os.stat(target)
    if not os.access(target, os.W_OK):
        raise PermissionError(errno.EACCES, "the file is read-only", path)
    replace_file(target, data, like=st)
