"""Build one kustomization the way kustomize does, into rendered `Resource`s.

Order (kustomize v5): resources (files, and directories built recursively with their own
transformers), generators, components (accumulated into the same set), then this
kustomization's transformers: strategic merge patches, `patches`, namespace, prefix/suffix,
labels, annotations, JSON 6902 patches, replicas, images, replacements. At the top level only: content-hash
suffixes of generated ConfigMaps/Secrets, name references, vars.

`configurations:` files add field specs (nameReference, varReference, commonLabels, namespace).
Unsupported features (remote bases, Helm charts, generator/transformer/validator plugins) are
skipped with a `Note`; a file that cannot be read or a patch that does not
apply is a note too, and the rest is still rendered.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import List, Optional, Set, Tuple

from yaml.error import Mark

from ..model.positions import LineIndex
from ..model.yamlnodes import MappingNode, Node, ScalarNode, SequenceNode, is_null, map_marks
from . import fieldspecs, json6902, merge, replacements, transformers as tf
from .load import LoadError, Workspace, compose_named, is_remote, kustomization_file
from .nodes import items, lookup, lookup_path, mapping, pairs, text, with_key
from .resources import Resource, same_object, selects

BUILTIN_GROUPS = frozenset(("", "apps", "batch", "autoscaling", "policy", "networking.k8s.io",
                            "rbac.authorization.k8s.io", "storage.k8s.io", "scheduling.k8s.io",
                            "admissionregistration.k8s.io", "apiextensions.k8s.io", "apiregistration.k8s.io",
                            "coordination.k8s.io", "discovery.k8s.io", "node.k8s.io", "certificates.k8s.io"))
UNSUPPORTED = {
    "helmCharts": "Helm chart inflation", "helmChartInflationGenerator": "Helm chart inflation",
    "generators": "generator plugins", "transformers": "transformer plugins",
    "validators": "validator plugins",
}


@dataclass(frozen=True)
class Note:
    """Something the renderer skipped: the kustomization file and a one-line reason."""

    path: str
    message: str


@dataclass
class Build:
    """A rendered kustomization: its objects, the files it read, and what it skipped."""

    root: str
    resources: List[Resource] = field(default_factory=list)
    files: Set[str] = field(default_factory=set)
    kustomizations: Set[str] = field(default_factory=set)  # directories included
    notes: List[Note] = field(default_factory=list)


class _Builder:
    def __init__(self, ws: Workspace, build: Build) -> None:
        self.ws = ws
        self.b = build
        self.vars: List[Node] = []
        self.config = fieldspecs.Config()

    def note(self, path: str, message: str) -> None:
        n = Note(path, message)
        if n not in self.b.notes:
            self.b.notes.append(n)

    # ---------------------------------------------------------------- accumulation

    def accumulate(self, directory: str, ra: List[Resource], stack: Tuple[str, ...]) -> None:
        if directory in stack:
            self.note(directory, "kustomization includes itself (cycle); skipped")
            return
        stack = stack + (directory,)
        found = kustomization_file(directory)
        if found is not None:
            self.b.files.add(found)  # reached, even when it does not parse (HL001 then)
        kpath, k = self.ws.kustomization(directory)
        self.b.files.add(kpath)
        self.b.kustomizations.add(directory)
        for cref in items(lookup(k, "configurations")):
            c = text(cref)
            if c and not is_remote(c):
                for doc in self._docs(os.path.normpath(os.path.join(directory, c)), kpath):
                    self.config.read(doc)
        for key, what in UNSUPPORTED.items():
            if lookup(k, key) is not None and not is_null(lookup(k, key)):
                self.note(kpath, f"{what} (`{key}`) not supported: skipped")
        for ref_node in items(lookup(k, "resources")) + items(lookup(k, "bases")):
            ref = text(ref_node)
            if not ref:
                continue
            if is_remote(ref):
                self.note(kpath, f"remote resource {ref} not fetched (no network): skipped")
                continue
            p = os.path.normpath(os.path.join(directory, ref))
            if os.path.isdir(p):
                if kustomization_file(p) is None:
                    self.note(kpath, f"resource {ref}: folder without a kustomization: skipped")
                    continue
                sub: List[Resource] = []
                try:
                    self.accumulate(p, sub, stack)
                except LoadError as e:
                    self.note(kpath, str(e))
                ra.extend(sub)
            elif os.path.isfile(p):
                self._load_resources(p, ra, kpath)
            else:
                self.note(kpath, f"resource {ref} not found: skipped")
        self._generators(directory, k, kpath, ra)
        for ref_node in items(lookup(k, "components")):
            ref = text(ref_node)
            if not ref:
                continue
            if is_remote(ref):
                self.note(kpath, f"remote component {ref} not fetched (no network): skipped")
                continue
            p = os.path.normpath(os.path.join(directory, ref))
            if kustomization_file(p) is None:
                self.note(kpath, f"component {ref} not found: skipped")
                continue
            try:
                self.accumulate(p, ra, stack)
            except LoadError as e:
                self.note(kpath, str(e))
        self._transform(directory, k, kpath, ra)
        self.vars.extend(items(lookup(k, "vars")))

    def _load_resources(self, path: str, ra: List[Resource], kpath: str) -> None:
        self.b.files.add(path)
        try:
            docs = self.ws.documents(path)
        except LoadError as e:
            self.note(kpath, str(e))
            return
        for d in docs:
            for obj in _objects(d):
                ra.append(Resource(obj, path))

    # ---------------------------------------------------------------- generators

    def _generators(self, directory: str, k: MappingNode, kpath: str, ra: List[Resource]) -> None:
        options = lookup(k, "generatorOptions")
        for key, kind in (("configMapGenerator", "ConfigMap"), ("secretGenerator", "Secret")):
            for entry in items(lookup(k, key)):
                try:
                    res, kvs = tf.generate(kind, entry, directory, self._read, options, kpath)
                except LoadError as e:
                    self.note(kpath, str(e))
                    continue
                if res.behavior in ("merge", "replace"):
                    ns = text(lookup_path(res.node, "metadata", "namespace"))
                    existing = next((r for r in ra if r.kind == kind and res.name in r.names
                                     and (ns is None or ns in r.namespaces)), None)
                    if existing is not None:
                        tf.merge_generated(existing, res, kvs)
                        continue
                    self.note(kpath, f"{key} {res.name}: behavior {res.behavior} but no such {kind} in the bases")
                ra.append(res)

    def _read(self, path: str) -> str:
        self.b.files.add(path)
        return self.ws.text(path)

    # ---------------------------------------------------------------- transformers

    def _patch_docs(self, directory: str, kpath: str, entry: Node) -> List[Node]:
        """The documents of a patch given by `path` or inline (`patch`, or a string item)."""
        if isinstance(entry, ScalarNode):
            t = entry.value
            if "\n" in t or t.lstrip().startswith(("{", "[", "apiVersion", "kind")):
                return _inline(t, entry, kpath, self.ws)
            p = os.path.normpath(os.path.join(directory, t))
            return self._docs(p, kpath)
        path = text(lookup(entry, "path"))
        if path:
            return self._docs(os.path.normpath(os.path.join(directory, path)), kpath)
        inline = lookup(entry, "patch")
        if isinstance(inline, ScalarNode):
            return _inline(inline.value, inline, kpath, self.ws)
        return []

    def _docs(self, path: str, kpath: str) -> List[Node]:
        if os.path.isfile(path):
            self.b.files.add(path)  # reached, even when it does not parse (HL001 then)
        try:
            return self.ws.documents(path)
        except LoadError as e:
            self.note(kpath, str(e))
            return []

    def _apply_smp(self, patch: Node, ra: List[Resource], target: Optional[Node], kpath: str) -> None:
        if not isinstance(patch, MappingNode):
            return
        hit = False
        for r in list(ra):
            if (target is not None and selects(target, r)) or (target is None and same_object(patch, r)):
                hit = True
                p = _without_identity(patch)
                new = merge.merge(r.node, p, r.group in BUILTIN_GROUPS)
                if new is None:
                    ra.remove(r)
                else:
                    r.set_node(merge.strip_nulls(new))
        if not hit:
            what = text(lookup(patch, "kind")), text(lookup_path(patch, "metadata", "name"))
            if target is None:
                self.note(kpath, f"patch for {what[0]} {what[1]} matches no object: skipped")

    def _apply_json(self, ops: Node, ra: List[Resource], target: Optional[Node], kpath: str) -> None:
        if target is None:
            self.note(kpath, "JSON patch without a target: skipped")
            return
        for r in ra:
            if selects(target, r) and not r.stub:
                try:
                    r.set_node(json6902.apply_ops(r.node, list(ops.value)))
                except json6902.PatchError as e:
                    self.note(kpath, f"JSON patch on {r.kind} {r.name}: {e}")

    def _transform(self, directory: str, k: MappingNode, kpath: str, ra: List[Resource]) -> None:
        for entry in items(lookup(k, "patchesStrategicMerge")):
            for doc in self._patch_docs(directory, kpath, entry):
                self._apply_smp(doc, ra, None, kpath)
        for entry in items(lookup(k, "patches")):
            target = lookup(entry, "target") if isinstance(entry, MappingNode) else None
            for doc in self._patch_docs(directory, kpath, entry):
                if json6902.is_json6902(doc):
                    self._apply_json(doc, ra, target, kpath)
                else:
                    self._apply_smp(doc, ra, target, kpath)
        ns = lookup(k, "namespace")
        if text(ns):
            tf.namespace(ra, ns, self.config)
        tf.prefix_suffix(ra, lookup(k, "namePrefix"), lookup(k, "nameSuffix"))
        common = [(kn, v) for _k, kn, v in pairs(lookup(k, "commonLabels"))]
        if common:
            tf.labels(ra, common, selectors=True, templates=True, config=self.config)
        for entry in items(lookup(k, "labels")):
            kvs = [(kn, v) for _k, kn, v in pairs(lookup(entry, "pairs"))]
            sel = text(lookup(entry, "includeSelectors")) == "true"
            tmpl = text(lookup(entry, "includeTemplates")) == "true"
            tf.labels(ra, kvs, selectors=sel, templates=tmpl, config=self.config)
        ann = [(kn, v) for _k, kn, v in pairs(lookup(k, "commonAnnotations"))]
        if ann:
            tf.annotations(ra, ann)
        for entry in items(lookup(k, "patchesJson6902")):
            target = lookup(entry, "target")
            for doc in self._patch_docs(directory, kpath, entry):
                if json6902.is_json6902(doc):
                    self._apply_json(doc, ra, target, kpath)
                elif isinstance(doc, MappingNode):
                    self._apply_smp(doc, ra, target, kpath)
        tf.replicas(ra, items(lookup(k, "replicas")))
        tf.images(ra, items(lookup(k, "images")))
        reps: List[Node] = []
        for entry in items(lookup(k, "replacements")):
            path = text(lookup(entry, "path"))
            if path:
                for doc in self._docs(os.path.normpath(os.path.join(directory, path)), kpath):
                    reps.extend(items(doc) if isinstance(doc, SequenceNode) else [doc])
            else:
                reps.append(entry)
        if reps:
            for problem in replacements.apply(ra, reps):
                self.note(kpath, problem)


def _without_identity(patch: MappingNode) -> MappingNode:
    """A targeted patch takes its target's name and namespace (its own are placeholders)."""
    meta = lookup(patch, "metadata")
    if not isinstance(meta, MappingNode):
        return patch
    kept = [(k, v) for k, v in meta.value if not (isinstance(k, ScalarNode) and k.value in ("name", "namespace"))]
    return with_key(patch, "metadata", mapping(kept, like=meta))


def _objects(doc: Node):
    if not isinstance(doc, MappingNode):
        return
    kind = text(lookup(doc, "kind"))
    if kind and kind.endswith("List") and isinstance(lookup(doc, "items"), SequenceNode):
        for i in lookup(doc, "items").value:
            yield from _objects(i)
        return
    yield doc


def _inline(content: str, holder: Node, kpath: str, ws: Workspace) -> List[Node]:
    """Compose an inline patch; its nodes are moved to where the text sits in the kustomization
    (line by line for a `|` block; at the scalar otherwise)."""
    try:
        docs = compose_named(content, kpath)
    except Exception:
        return []
    _relocate_inline(docs, holder, LineIndex(ws.text(kpath)))
    return docs


def _relocate_inline(docs: List[Node], holder: Node, idx: LineIndex) -> None:
    sm = holder.start_mark
    if sm is None:
        return
    block = isinstance(holder, ScalarNode) and holder.style == "|"
    first = sm.line + 2  # 1-based line of the block's first content line
    indent = 0
    if block:
        for ln in range(first, idx.line_count + 1):
            t = idx.line_text(ln)
            if t.strip():
                indent = len(t) - len(t.lstrip(" "))
                break

    def move(m: Mark) -> Mark:
        if not block:
            return Mark(sm.name, sm.index, sm.line, sm.column, None, None)
        line = first + m.line
        return Mark(sm.name, idx.offset(line, indent + m.column + 1), line - 1, indent + m.column, None, None)

    map_marks(docs, move)


def build(directory: str, ws: Optional[Workspace] = None) -> Build:
    """Render the kustomization in `directory` (a folder holding kustomization.yaml)."""
    ws = ws or Workspace()
    directory = os.path.normpath(os.path.abspath(directory))
    b = Build(directory)
    builder = _Builder(ws, b)
    ra: List[Resource] = []
    try:
        builder.accumulate(directory, ra, ())
    except LoadError as e:
        builder.note(directory, str(e))
        return b
    tf.clear_empty_annotations(ra)
    tf.add_hashes(ra)
    tf.fix_references(ra, builder.config)
    if builder.vars:
        missing = tf.resolve_vars(ra, builder.vars, builder.config)
        for m in missing:
            builder.note(directory, f"var {m} cannot be resolved: left as written")
    b.resources = ra
    return b
