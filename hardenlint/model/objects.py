"""The run-wide object index: every Kubernetes object of a run, by (kind, namespace, name).

Checks see one file; a few rules need facts from other files of the same run (HL316: the pod's
ServiceAccount; HL410: the bindings and roles its token reaches). They get them through this index.

The pieces
- `KubeObject`: one object as the index holds it: kind, API group, namespace, name, where it is
  written (display path and the span of its `metadata.name`, else its first line), and `facts`, a
  small kind-specific summary (`hardenlint.model.rbac`: ServiceAccount, Role/ClusterRole,
  RoleBinding/ClusterRoleBinding, Namespace, and the pod spec of every workload). Records are plain
  frozen values: they pickle cheaply, so worker processes send them back with their results.
- `object_records(yaml_file)`: the records of one parsed Kubernetes file (every object with a kind
  and a name; `List` items expanded). The engine stores them in `FileResult.objects`. Anything that
  produces Kubernetes objects (a kustomize renderer, a language server's open documents) calls
  this on its `YamlFile` and feeds the records in.
- `ObjectIndex`: built once per run from every file's records (`ObjectIndex.build(records)`), in
  the run's file order, so lookups are reproducible; when two records have the same key, the first
  one in that order wins. `replace(path, records)` gives an index in which one file's records are
  swapped for fresh ones (the fixer re-lints a file it changed; an editor lints an unsaved buffer
  against its workspace); `splice(start, stop, records)` swaps a run of records at the cost of
  those (the fixer's passes over one document of a large manifest).

Namespaces: a namespaced object without `metadata.namespace` is in `default` (what `kubectl apply`
without `-n` does, and what the API server assumes for bindings); cluster-scoped kinds (Namespace,
ClusterRole, ClusterRoleBinding, Node, PersistentVolume, ...) have namespace "".

How checks use it (see `hardenlint.registry.cross_object`): a per-file check yields a `Violation`
with `deferred=Deferred(rule, args)`. The engine applies suppressions, per-file ignores and levels
as for any finding, then holds the finding until the index is complete; the rule's resolver,
`resolver(index, args, message) -> Optional[str]`, then keeps it (returning its message) or drops
it (None). A single file linted alone (stdin, an editor buffer) is resolved against its own
objects, or against `Linter.index` when one is given. The finding stays attached to the file and
span the check chose.
"""
from __future__ import annotations

import bisect

from .record import record
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from .findings import Span

__all__ = ["KubeObject", "ObjectIndex", "Deferred", "CLUSTER_SCOPED", "api_group", "effective_namespace",
           "object_records"]

# Built-in kinds that have no namespace (an object of another kind without one is in `default`).
CLUSTER_SCOPED = frozenset((
    "Namespace", "Node", "PersistentVolume", "ClusterRole", "ClusterRoleBinding", "StorageClass",
    "CustomResourceDefinition", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
    "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "PriorityClass", "IngressClass",
    "RuntimeClass", "CSIDriver", "CSINode", "VolumeAttachment", "APIService", "PodSecurityPolicy",
    "CertificateSigningRequest", "ComponentStatus", "FlowSchema", "PriorityLevelConfiguration",
))


@record(frozen=True)
class Deferred:
    """A finding that needs the run-wide index: `rule`'s resolver decides it with `args`."""

    rule: str
    args: Tuple[Any, ...]


@record(frozen=True)
class KubeObject:
    """One Kubernetes object of the run (see the module docstring)."""

    kind: str
    group: str  # API group: "" for the core group (`apiVersion: v1`)
    namespace: str  # "" for cluster-scoped kinds, "default" when a namespaced object names none
    name: str
    path: str
    span: Span
    facts: Any = None
    namespace_written: bool = False

    @property
    def key(self) -> Tuple[str, str, str]:
        return (self.kind, self.namespace, self.name)

    @property
    def where(self) -> str:
        """`path:line`, how messages name the place of an object of another file."""
        return f"{self.path}:{self.span.line}"


def api_group(api_version: Optional[str]) -> str:
    """`rbac.authorization.k8s.io/v1` -> `rbac.authorization.k8s.io`; `v1` -> "" (core)."""
    if not api_version:
        return ""
    return api_version.rsplit("/", 1)[0] if "/" in api_version else ""


def effective_namespace(kind: str, written: Optional[str]) -> str:
    """The namespace an object lands in: "" for cluster-scoped kinds, else as written or `default`."""
    if kind in CLUSTER_SCOPED:
        return ""
    return written or "default"


class ObjectIndex:
    """Every Kubernetes object of a run by (kind, namespace, name), plus lookups by kind."""

    def __init__(self, records: Iterable[KubeObject] = ()) -> None:
        self._records: List[KubeObject] = list(records)
        self._by_key: Dict[Tuple[str, str, str], KubeObject] = {}
        self._by_kind: Dict[str, List[KubeObject]] = {}
        for r in self._records:
            self._by_key.setdefault(r.key, r)
            self._by_kind.setdefault(r.kind, []).append(r)
        self.cache: Dict[str, Any] = {}  # derived tables resolvers build once per index
        self._positions: Optional[Dict[int, int]] = None  # id(record) -> place, built when needed
        self._by_place: Optional[Tuple[Dict, Dict]] = None  # kind / key -> places, for `splice`
        self._spliced: Optional[tuple] = None  # (index, start, stop, places of the new records)

    @classmethod
    def build(cls, records: Iterable[KubeObject]) -> "ObjectIndex":
        """The index of these records, in the order given (the run's file order)."""
        return cls(records)

    def get(self, kind: str, namespace: str, name: str) -> Optional[KubeObject]:
        """The object of this kind, namespace ("" for cluster-scoped kinds) and name, or None."""
        return self._by_key.get((kind, namespace, name))

    def of_kind(self, *kinds: str) -> List[KubeObject]:
        """Every object of these kinds, in run order (duplicates included)."""
        lists = [self._by_kind[k] for k in dict.fromkeys(kinds) if k in self._by_kind]
        if len(lists) < 2:
            return list(lists[0]) if lists else []
        return sorted((r for rs in lists for r in rs), key=self._position)

    def _position(self, record: KubeObject) -> int:
        """Where `record` (one of this index's records) is in the run order."""
        if self._spliced is not None:  # from the index it was spliced from: no table to build
            base, start, stop, placed = self._spliced
            if id(record) in placed:
                return placed[id(record)]
            at = base._position(record)
            return at if at < start else at + len(placed) - (stop - start)
        if self._positions is None:
            self._positions = {id(r): i for i, r in enumerate(self._records)}
        return self._positions[id(record)]

    def replace(self, path: str, records: Sequence[KubeObject]) -> "ObjectIndex":
        """An index where the records of `path` are `records` (same place in the order)."""
        out: List[KubeObject] = []
        placed = False
        for r in self._records:
            if r.path == path:
                if not placed:
                    out.extend(records)
                    placed = True
                continue
            out.append(r)
        if not placed:
            out.extend(records)
        return ObjectIndex(out)

    def splice(self, start: int, stop: int, records: Sequence[KubeObject]) -> "ObjectIndex":
        """The index with the records at places [start, stop) swapped for `records`: what
        `replace` would build, at the cost of the records swapped rather than of the whole run
        (the fixer swaps one document's records on every pass over it). Tables of this index
        are shared, not copied: indexes are never changed once built."""
        records = list(records)
        old = self._records[start:stop]
        out = ObjectIndex.__new__(ObjectIndex)
        out._records = self._records[:start] + records + self._records[stop:]
        out.cache, out._positions, out._by_place, out._spliced = {}, None, None, None
        if self._by_place is None:
            kinds: Dict[str, List[int]] = {}
            keys: Dict[Tuple[str, str, str], List[int]] = {}
            for i, r in enumerate(self._records):
                kinds.setdefault(r.kind, []).append(i)
                keys.setdefault(r.key, []).append(i)
            self._by_place = kinds, keys
        kind_places, key_places = self._by_place
        out._by_kind = dict(self._by_kind)
        for kind in {r.kind for r in old} | {r.kind for r in records}:
            places = kind_places.get(kind, [])
            a, b = bisect.bisect_left(places, start), bisect.bisect_left(places, stop)
            same = self._by_kind.get(kind, [])
            merged = same[:a] + [r for r in records if r.kind == kind] + same[b:]
            if merged:
                out._by_kind[kind] = merged
            else:
                out._by_kind.pop(kind, None)
        out._by_key = dict(self._by_key)
        for key in {r.key for r in old} | {r.key for r in records}:
            places = key_places.get(key, [])
            first = next((r for r in records if r.key == key), None)
            if places and places[0] < start:
                continue  # an earlier record still wins
            if first is None:
                later = places[bisect.bisect_left(places, stop):]
                first = self._records[later[0]] if later else None
            if first is None:
                out._by_key.pop(key, None)
            else:
                out._by_key[key] = first
        out._spliced = (self, start, stop, {id(r): start + i for i, r in enumerate(records)})
        return out

    def __iter__(self) -> Iterator[KubeObject]:
        return iter(self._records)

    def __len__(self) -> int:
        return len(self._records)


def object_records(f: Any) -> Tuple[KubeObject, ...]:
    """The records of a parsed Kubernetes file (`YamlFile`), facts included (see `rbac.facts_of`)."""
    from .rbac import facts_of
    from .yamlnodes import mapping_entries, text_value

    source = f.source
    out: List[KubeObject] = []
    pods = {id(p.object): p for p in f.pods} if f.pods else {}
    for obj in f.objects:
        ents = mapping_entries(obj)
        kind_e, meta_e = ents.get("kind"), ents.get("metadata")
        if kind_e is None or meta_e is None:
            continue
        meta = mapping_entries(meta_e.value_node)
        kind, name_e = text_value(kind_e.value_node), meta.get("name")
        name = text_value(name_e.value_node) if name_e is not None else None
        if not kind or not name:
            continue
        ns_e = meta.get("namespace")
        ns_written = (text_value(ns_e.value_node) or None) if ns_e is not None else None
        av = ents.get("apiVersion")
        group = api_group(text_value(av.value_node) if av is not None else None)
        span = Span.of(source.index, name_e.value_node.start_mark.index, name_e.value_node.end_mark.index)
        facts = facts_of(kind, group, obj, pods.get(id(obj)))
        out.append(KubeObject(kind, group, effective_namespace(kind, ns_written), name, source.path, span, facts,
                              ns_written is not None))
    return tuple(out)
