"""What a run lints when it meets kustomizations, and how rendered findings reach the files.

Roots: every kustomization found in the run that no other kustomization of the run includes
(as a resource or a component). Each root is rendered (`build`); the files it reaches (its
kustomizations, resources, patches, generator inputs) are not linted on their own.

Origin tracking. A rendered object mixes nodes of several files, each node's marks giving the
offset in its own file and (`mark.name`) the file. To lint it with the checks unchanged, the
object is copied with every offset moved into one run-wide *composite text*: every file the run
read, placed one after another at a fixed base. The checks see an ordinary `YamlFile` over that
text, compute spans and edits as usual, and every span and edit is then mapped back (base →
file, offset → line/column in that file). So:
- a finding points at the text that produced the value: the base resource, the patch, or the
  kustomization entry (`images:`, `namespace:`, a label); a finding about a missing setting points
  at the container's `name:` or the pod's `spec:` key, which the defining file holds;
- suppressions are those of the file holding the text (comments, `ignore-file`), plus the
  `hardenlint.io/ignore` annotation of the rendered object;
- a fix is kept only when all its edits land in one resource or patch file, touch no value a
  transformer made (`Synthetic`, whose text differs from its value), the file is inside a path
  the run was given, and every root reaching that file has the same finding (else editing a
  shared base would change overlays that do not need it).
A finding that several roots share (same rule, file, text, message) is reported once; its
message names the overlays (roots) it comes from when the file is reached by more than one root.
"""
from __future__ import annotations

import os
from bisect import bisect_right
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Set, Tuple

from yaml.error import Mark

from ..catalogue import RULES
from ..model.container import YamlFile
from ..model.findings import Edit, Finding, Fix, Span
from ..model.parsed import Parsed
from ..model.positions import LineIndex
from ..model.yamlnodes import MappingNode, Node, ScalarNode, SequenceNode, YamlLimitError
from ..source import SourceFile
from .build import Build, Note, build
from .load import KUSTOMIZATION_NAMES, LoadError, Workspace, is_remote, kustomization_file
from .nodes import Synthetic, items, lookup, text

SKIP_KINDS = frozenset(("CustomResourceDefinition",))


def is_kustomization(path: str) -> bool:
    return os.path.basename(path) in KUSTOMIZATION_NAMES


@dataclass
class _Hit:
    finding: Finding
    file: str  # absolute path of the file holding the text
    roots: List[str] = field(default_factory=list)
    fixes: List[Optional[Tuple[str, Fix]]] = field(default_factory=list)  # per root: (file, fix)


class Composite:
    """Every file of a workspace at a fixed base in one text (see the module docstring)."""

    def __init__(self, ws: Workspace) -> None:
        self.bases: Dict[str, int] = {}
        parts: List[str] = []
        pos = 0
        self.order: List[Tuple[int, str]] = []
        for path, t in ws.texts.items():
            docs = ws.docs.get(path)
            if docs and all(d.__dict__.get("_hl_stub") for d in docs):
                continue  # only CRDs composed without their spec: never linted, never pointed at
            self.bases[path] = pos
            self.order.append((pos, path))
            parts.append(t)
            parts.append("\n")
            pos += len(t) + 1
        self.text = "".join(parts)
        self.starts = [b for b, _ in self.order]
        self.source = SourceFile("<kustomize>", self.text, "kubernetes")
        self.synthetic: List[Tuple[int, int]] = []
        self.mixed: List[Tuple[int, int]] = []
        self.ws = ws
        self._indexes: Dict[str, LineIndex] = {}
        self._memo: Dict[int, Tuple[Node, Node]] = {}  # id(node) -> (node, relocated copy)
        self._sorted = False

    def locate(self, offset: int) -> Tuple[str, int]:
        i = bisect_right(self.starts, offset) - 1
        base, path = self.order[max(i, 0)]
        return path, offset - base

    def index(self, path: str) -> LineIndex:
        idx = self._indexes.get(path)
        if idx is None:
            idx = self._indexes[path] = LineIndex(self.ws.texts[path])
        return idx

    def relocate(self, node: Node) -> Node:
        """A copy of a rendered object with composite offsets; records synthetic ranges. Nodes
        shared by several roots (bases) are copied once per run."""
        memo = self._memo
        bases = self.bases
        self._sorted = False

        def mark(m: Optional[Mark]) -> Optional[Mark]:
            if m is None:
                return None
            return Mark(m.name, m.index + bases.get(m.name, 0), m.line, m.column, None, None)

        def copy(n: Node, depth: int) -> Node:
            got = memo.get(id(n))
            if got is not None:
                return got[1]
            if depth > 300:
                raise YamlLimitError("nested too deeply", n)
            sm, em = mark(n.start_mark), mark(n.end_mark)
            if isinstance(n, ScalarNode):
                new: Node = type(n)(n.tag, n.value, sm, em, style=n.style)
                if (isinstance(n, Synthetic) or n.__dict__.get("_hl_synthetic")) and sm is not None:
                    self.synthetic.append((sm.index, em.index if em is not None else sm.index))
            elif isinstance(n, MappingNode):
                new = MappingNode(n.tag, [], sm, em, flow_style=n.flow_style)
                memo[id(n)] = (n, new)
                new.value = [(copy(k, depth + 1), copy(v, depth + 1)) for k, v in n.value]
                if len({k.start_mark.name for k, _v in n.value if k.start_mark is not None}) > 1:
                    # merged from several files: its entries may only be added to, not removed
                    for k, v in new.value:
                        if k.start_mark is not None and v.end_mark is not None:
                            self.mixed.append((k.start_mark.index, max(k.start_mark.index, v.end_mark.index)))
            else:
                new = SequenceNode(n.tag, [], sm, em, flow_style=n.flow_style)
                memo[id(n)] = (n, new)
                new.value = [copy(i, depth + 1) for i in n.value]
            memo[id(n)] = (n, new)
            return new

        return copy(node, 0)

    def span(self, span: Span) -> Tuple[str, Span]:
        """(file, span in that file) of a composite span (clamped to the file of its start)."""
        path, start = self.locate(span.start)
        length = len(self.ws.texts[path])
        end = min(span.end - (span.start - start), length)
        return path, Span.of(self.index(path), min(start, length), max(min(start, length), end))

    def fix(self, fix: Optional[Fix]) -> Tuple[Optional[str], Optional[Fix]]:
        """(file, fix in that file), or (None, None) when the fix cannot be kept (module doc)."""
        if fix is None or not fix.edits:
            return None, None
        if not self._sorted:
            self.synthetic.sort()
            self.mixed.sort()
            self._longest = (max((t - s for s, t in self.synthetic), default=0),
                             max((t - s for s, t in self.mixed), default=0))
            self._sorted = True
        paths = set()
        edits = []
        for e in fix.edits:
            if _touches(self.synthetic, self._longest[0], e.start, e.end, inclusive=True):
                return None, None
            if e.start != e.end and _touches(self.mixed, self._longest[1], e.start, e.end, inclusive=False):
                return None, None
            path, start = self.locate(e.start)
            paths.add(path)
            edits.append(Edit(start, start + (e.end - e.start), e.content))
        if len(paths) != 1:
            return None, None
        path = paths.pop()
        if is_kustomization(path) or any(e.end > len(self.ws.texts[path]) for e in edits):
            return None, None
        return path, Fix(fix.title, tuple(edits), fix.applicability)


def _touches(ranges: List[Tuple[int, int]], longest: int, start: int, end: int, inclusive: bool) -> bool:
    """Whether [start, end] meets one of the sorted (s, t) ranges (touching counts when
    `inclusive`); `longest` is the longest range, so only those starting after
    `start - longest` are looked at."""
    i = bisect_right(ranges, (end, end + longest + 1))
    while i > 0:
        i -= 1
        s, t = ranges[i]
        if s < start - longest:
            break
        if inclusive and s <= end and start <= t:
            return True
        if not inclusive and s < end and start < t:
            return True
    return False


def _includes(ws: Workspace, directory: str, notes: List[Note]) -> Set[str]:
    """Kustomization folders that `directory` includes (resources, bases, components)."""
    out: Set[str] = set()
    try:
        kpath, k = ws.kustomization(directory)
    except LoadError as e:
        notes.append(Note(directory, str(e)))
        return out
    for ref_node in items(lookup(k, "resources")) + items(lookup(k, "bases")) + items(lookup(k, "components")):
        ref = text(ref_node)
        if not ref or is_remote(ref):
            continue
        p = os.path.normpath(os.path.join(directory, ref))
        if os.path.isdir(p) and kustomization_file(p):
            out.add(p)
    return out


class KustomizeRun:
    """The kustomize part of one run: roots, their builds, and the files they take over."""

    def __init__(self, linter, paths: List[str], files: List[Tuple[str, str]],
                 overrides: Optional[Dict[str, str]] = None, roots: Optional[List[str]] = None,
                 progress=None) -> None:
        """`roots`: render these kustomization folders instead of finding the roots among
        `files` (benchmarks render every kustomization on its own). `progress`
        (`hardenlint.progress.Progress`) counts the roots rendered and linted."""
        self.linter = linter
        self.progress = progress
        self._given_folders = [os.path.normcase(os.path.realpath(p)) for p in paths if os.path.isdir(p)]
        self._given_files = {os.path.normcase(os.path.realpath(p)) for p in paths
                             if os.path.isfile(p) and not os.path.islink(p)}
        self.notes: List[Note] = []
        self.overrides = overrides or {}
        dirs = OrderedDict()
        for p, _k in files:
            if is_kustomization(p):
                d = os.path.dirname(os.path.abspath(p))
                if kustomization_file(d) == os.path.join(d, os.path.basename(p)):
                    dirs[d] = True
        self.files = files
        ws = self._workspace()
        included: Set[str] = set()
        for d in dirs:
            included |= _includes(ws, d, self.notes)
        self.roots = [d for d in dirs if d not in included] if roots is None else \
            [os.path.normpath(os.path.abspath(r)) for r in roots]
        self.builds: List[Build] = []
        self.ws = ws
        self._render()
        reached: Set[str] = set()
        for b in self.builds:
            reached |= b.files
        self.reached = reached
        self.remaining = [(p, k) for p, k in files if os.path.abspath(p) not in reached
                          and not is_kustomization(p)]

    def images(self) -> List:
        """The image references of every rendered container (for `--resolve`)."""
        from ..model.image import parse_image
        from .transformers import container_images

        out = []
        seen = set()
        for b in self.builds:
            for r in b.resources:
                if r.stub:
                    continue
                for raw in container_images(r.node):
                    if raw not in seen:
                        seen.add(raw)
                        ref = parse_image(raw)
                        if ref is not None:
                            out.append(ref)
        return out

    def all_notes(self) -> List[Note]:
        out: List[Note] = []
        for n in self.notes + [n for b in self.builds for n in b.notes]:
            if n not in out:
                out.append(n)
        return out

    def _workspace(self) -> Workspace:
        ws = Workspace(stub_crds=True)
        ws.texts.update(self.overrides)
        return ws

    def _render(self) -> None:
        self.builds = []
        roots = self.progress.iterate(self.roots, "rendering kustomize roots") if self.progress else self.roots
        for d in roots:
            self.builds.append(build(d, self.ws))

    # ---------------------------------------------------------------- linting

    def lint(self) -> Tuple[Dict[str, List[Finding]], List[str]]:
        """Findings per file (absolute path), and internal errors."""
        linter = self.linter
        comp = Composite(self.ws)
        self.secret_parts: Dict[str, Tuple[set, list]] = {}
        errors: List[str] = []
        hits: Dict[tuple, _Hit] = {}
        roots_of_file: Dict[str, Set[str]] = {}
        for b in self.builds:
            for f in b.files:
                roots_of_file.setdefault(f, set()).add(b.root)
        sup_cache: Dict[str, object] = {}
        checked = []  # (root, violations): every object checked before any fix is mapped
        records: Dict[str, list] = {}  # root -> its rendered objects, for cross-object rules
        for b in (self.progress.iterate(self.builds, "linting kustomize roots") if self.progress else self.builds):
            for r in b.resources:
                if r.kind in SKIP_KINDS or r.stub:
                    continue
                try:
                    obj = comp.relocate(r.node)
                    violations, ann = self._check(comp, obj, errors)
                    records.setdefault(b.root, []).extend(self._records(errors))
                except (YamlLimitError, RecursionError):
                    continue
                self._note_secrets(comp)
                checked.append((b.root, [(rule, v) for rule, v in violations if rule not in ann]))
        indexes: Dict[str, object] = {}
        for root, violations in checked:
            for rule, v in violations:
                if v.deferred is not None:  # cross-object rules: decided on the root's rendered objects
                    v = self._decide(v, root, records, indexes, errors)
                    if v is None:
                        continue
                path, span = comp.span(v.span)
                if not self._keep(rule, path, span, sup_cache, comp):
                    continue
                fpath, fix = comp.fix(v.fix)
                info = RULES[rule]
                level = linter.config.severity.get(rule) or v.level or info.level
                key = (rule, path, span.start, span.end, v.message)
                hit = hits.get(key)
                if hit is None:
                    f = Finding(rule, info.name, level, _display(path), span, v.message, None, "kubernetes")
                    hit = hits[key] = _Hit(f, path)
                if root not in hit.roots:
                    hit.roots.append(root)
                    hit.fixes.append((fpath, fix) if fpath is not None and fix is not None else None)
        out: Dict[str, List[Finding]] = {}
        self._file_findings(out)
        for hit in hits.values():
            f = hit.finding
            first = hit.fixes[0] if hit.fixes else None
            fix = None
            if first is not None and all(x == first for x in hit.fixes):
                target, fix = first
                # a shared base is only edited when every root reaching it has the finding
                if target != hit.file or not roots_of_file.get(target, set()) <= set(hit.roots) \
                        or not self._inside_given(target):
                    fix = None
            f.fix = fix
            if len(roots_of_file.get(hit.file, ())) > 1:
                names = [_display(r) for r in hit.roots]
                shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
                f.message = f"{f.message} (kustomize: {shown})"
            f.extra["kustomize_roots"] = [_display(r) for r in hit.roots]
            out.setdefault(hit.file, []).append(f)
        for fs in out.values():
            fs.sort(key=lambda x: x.sort_key)
        return out, errors

    def _file_findings(self, out: Dict[str, List[Finding]]) -> None:
        """HL001 for reached files that do not parse, HL002 for unknown ids in their suppression
        comments (they are not linted on their own, so nothing else reports these)."""
        from ..parsers import yaml as yaml_parser
        from ..suppress import collect

        linter = self.linter
        for path in sorted(self.reached):
            t = self.ws.texts.get(path)
            if t is None:
                continue
            found = []
            err = self.ws.errors.get(path)
            if err is not None:
                idx = LineIndex(t)
                off = max(0, min(err[1], len(t)))
                found.append(("HL001", Span.of(idx, off, min(len(t), off + 1)), err[0]))
            if "hardenlint" in t:
                try:
                    sup = collect(yaml_parser.parse(SourceFile(_display(path), t, "kubernetes")))
                except Exception:
                    sup = None
                for v in (sup.unknown if sup is not None else ()):
                    found.append(("HL002", v.span, v.message))
            for rule, span, message in found:
                if rule in linter.enabled:
                    info = RULES[rule]
                    level = linter.config.severity.get(rule) or info.level
                    out.setdefault(path, []).append(
                        Finding(rule, info.name, level, _display(path), span, message, None, "kubernetes"))

    def _inside_given(self, path: str) -> bool:
        """Whether a fix may edit `path`: a file given, or (through symlinks) in a folder given."""
        from ..discover import inside

        real = os.path.normcase(os.path.realpath(path))
        return inside(path, self._given_folders) or real in self._given_files

    def _note_secrets(self, comp: Composite) -> None:
        """Literal secret values of the object just checked, by the file holding their text."""
        from ..checks.container.secrets import literal_secrets

        for _c, env in literal_secrets(self._model):
            if env.value_span is None:
                continue
            path, span = comp.span(env.value_span)
            read, written = self.secret_parts.setdefault(path, (set(), []))
            read.add(env.value)
            written.append((span.start, span.end))

    def secrets(self, path: str):
        """(values, spans) of the secrets written in `path`, as `engine.find_secrets` gives them."""
        from ..engine import credential_spans
        from ..masking import secret_spans

        text = self.ws.texts.get(path, "")
        read, written = self.secret_parts.get(path, (set(), []))
        written = list(written) + credential_spans(text)
        spans = secret_spans(text, written, read)
        values = set(read) | {text[s:e] for s, e in written}
        return tuple(sorted((v for v in values if v), key=len, reverse=True)), spans

    def _check(self, comp: Composite, obj: MappingNode, errors: List[str]):
        from ..engine import FileResult
        from ..model.kubernetes_view import kubernetes_pods
        from ..parsers.yaml import _annotation_suppressions

        source = comp.source
        model = YamlFile(source, "kubernetes")
        model.documents.append(obj)
        model.objects.append(obj)
        pod = kubernetes_pods(source, obj)
        if pod is not None:
            model.pods.append(pod)
            model.containers.extend(pod.containers)
        ann_ids: Set[str] = set()
        for ids, _first, _last in _annotation_suppressions(source, model, [obj], model.pods):
            ann_ids |= ids
        parsed = Parsed(source, "kubernetes", model)
        self._model = model
        sink = FileResult("kustomize", "kubernetes")
        out = list(self.linter._run_checks(parsed, sink))  # the engine's own check loop
        errors.extend(sink.internal_errors)
        return out, ann_ids

    def _records(self, errors: List[str]) -> tuple:
        """The object-index records of the object `_check` just viewed."""
        from ..model.objects import object_records

        try:
            return object_records(self._model)
        except Exception as e:  # reported, never a traceback
            errors.append(f"kustomize: internal error while indexing objects: {type(e).__name__}: {e}")
            return ()

    @staticmethod
    def _decide(v, root: str, records: Dict[str, list], indexes: Dict[str, object], errors: List[str]):
        """A deferred violation decided against the ObjectIndex of its root's rendered objects
        (its message set), or None when the rule's resolver drops it."""
        from .. import registry
        from ..model.objects import ObjectIndex
        from ..model.record import replace

        index = indexes.get(root)
        if index is None:
            index = indexes[root] = ObjectIndex.build(records.get(root, ()))
        resolver = registry.resolver_for(v.deferred.rule)
        try:
            message = resolver(index, v.deferred.args, v.message) if resolver is not None else None
        except Exception as e:  # reported, never a traceback
            errors.append(f"kustomize: internal error in {v.deferred.rule}: {type(e).__name__}: {e}")
            return None
        return replace(v, message=message, deferred=None) if message else None

    def _keep(self, rule: str, path: str, span: Span, cache: Dict[str, object], comp: Composite) -> bool:
        linter = self.linter
        shown = _display(path)
        if rule not in linter.enabled or rule in linter._per_file_ignores(shown) \
                or rule in linter._profile_ignores(shown, "kubernetes"):
            return False
        t = self.ws.texts.get(path, "")
        if "hardenlint" not in t:
            return True
        sup = cache.get(path)
        if sup is None:
            from ..parsers import yaml as yaml_parser
            from ..suppress import collect

            src = SourceFile(_display(path), t, "kubernetes")
            try:
                sup = collect(yaml_parser.parse(src))
            except Exception:
                from ..suppress import Suppressions
                sup = Suppressions()
            cache[path] = sup
        return not sup.covers(rule, span.line)  # type: ignore[attr-defined]


    # ---------------------------------------------------------------- fixing

    def fix(self, unsafe: bool, max_rounds: int = 8):
        """Apply fixes to the files holding the text, re-render and re-lint until nothing
        changes. Returns (findings per file, internal errors, fixes applied per rule, original
        texts of the files changed). The new texts are in `self.ws.texts`; nothing is written."""
        from collections import Counter

        from .. import fixer
        from ..model.yamlnodes import compose_stream

        applied: Counter = Counter()
        originals: Dict[str, str] = {}
        seen_states = set()
        out, errors = self.lint()
        prev_overrides, prev_applied = dict(self.overrides), applied.copy()
        for _ in range(max_rounds):
            changed = False
            for path, fs in out.items():
                t = self.ws.texts[path]
                chosen = fixer.choose(fs, unsafe, t)
                if not chosen:
                    continue
                new = fixer.apply_fixes(t, [fx for _r, fx in chosen])
                if new == t or compose_stream(new)[1]:
                    continue
                originals.setdefault(path, t)
                self.overrides[path] = new
                applied.update(rule for rule, _fx in chosen)
                changed = True
            state = tuple(sorted((p, hash(t)) for p, t in self.overrides.items()))
            if not changed or state in seen_states:
                break
            seen_states.add(state)
            before = (dict(self.overrides), out, errors, applied.copy())
            self.ws = self._workspace()
            self._render()
            out, errors = self.lint()
            if sum(map(len, out.values())) >= sum(map(len, before[1].values())):
                # the round did not help (a patch changed meaning): undo it and stop
                self.overrides, out, errors, applied = prev_overrides, before[1], before[2], prev_applied
                self.ws = self._workspace()
                self._render()
                originals = {p: t for p, t in originals.items() if p in self.overrides}
                break
            prev_overrides, prev_applied = dict(self.overrides), applied.copy()
        return out, errors, applied, originals


def _display(path: str) -> str:
    from ..engine import display_path
    return display_path(path)

