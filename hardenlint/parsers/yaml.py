"""Parse a Compose file or Kubernetes manifest into a `YamlFile` (or decide it is not ours).

`parse(source) -> Parsed`:
- `source.kind` "compose" (named like compose), "kubernetes", "yaml" (decide from content) or
  "json" (JSON is YAML to this parser, so positions are exact; only a Kubernetes manifest, an
  object with top-level `apiVersion` and `kind` or a `List` of them, is ours).
- Plain YAML without a `services` / `apiVersion` substring (JSON without `apiVersion`) is skipped
  before composing.
- Helm templates (`{{` in a file under a `templates/` folder, or `{{ ... }}` / `{% ... %}` template
  syntax in a file that does not parse) -> `Parsed(kind=None, skipped="Helm template")`.
- Compose files: every value is interpolated first (`model.interpolation`), so rules judge what
  Compose would run; spans stay on the text written.
- Kind: "compose" when a document's root has a `services` mapping (or, for a file named like
  compose, a v1 file whose top-level values are services with `image`/`build`); "kubernetes" when
  a document has `apiVersion` and `kind`; otherwise None, silently (a compose-named file stays
  "compose" unless its content is Kubernetes).
- A broken document gives HL001 at the error mark; the other documents are still viewed.
  A document too large once aliases are expanded, or recursive, gives HL001
  "document too large or too deeply aliased" on its first line.
- `extra_suppressions` from the Kubernetes annotation `hardenlint.io/ignore: "HL307,HL308"` on an
  object's metadata or its pod template's metadata, over the whole object's lines (ids, aliases,
  `HL3` prefixes and `all` accepted; unknown tokens are listed in `YamlFile.unknown_suppressions`).
"""
from __future__ import annotations

import re
from typing import Callable, List, Mapping, Optional, Tuple

from ..catalogue import expand_selector
from ..model.compose_view import compose_views, is_compose_root
from ..model.container import PodView, YamlFile
from ..model.findings import Span, Violation
from ..model.interpolation import Variable, interpolate
from ..model.kubernetes_view import (
    kubernetes_objects, kubernetes_pods, object_lines, persistent_volume, pod_template,
)
from ..model.parsed import Parsed
from ..model.yamlnodes import (
    MappingNode, Node, YamlError, YamlLimitError, check_expansion, compose_stream, get, get_entry,
    is_null, node_end, text_value,
)
from ..source import SourceFile

HELM = "Helm template"
IGNORE_ANNOTATION = "hardenlint.io/ignore"

_TEMPLATE = re.compile(r"\{\{-?.*?-?\}\}|\{%-?.*?-?%\}", re.S)


def _has_node_property(text: str, ch: str) -> bool:
    """Whether `text` holds an anchor (`&x`, ch="&") or alias (`*x`, ch="*") token, roughly:
    the character after a blank, `[`, `{` or `,` (or at the start) and followed by a name."""
    i = text.find(ch)
    n = len(text)
    while i != -1:
        if (i == 0 or text[i - 1] in " \t\r\n[{,") and i + 1 < n and text[i + 1] not in " \t\r\n,[]{}'\"*&":
            return True
        i = text.find(ch, i + 1)
    return False

_SERVICES_LINE = re.compile(r"^services\s*:", re.M)
_API_LINE = re.compile(r"^apiVersion\s*:", re.M)
_KIND_LINE = re.compile(r"^kind\s*:", re.M)
_JSON_API = re.compile(r'"apiVersion"\s*:\s*"')
_JSON_KIND = re.compile(r'"kind"\s*:\s*"')


def _in_templates_dir(path: str) -> bool:
    parts = path.replace("\\", "/").split("/")
    return "templates" in parts[:-1]


def _error(source: SourceFile, message: str, offset: int) -> Violation:
    text = source.text
    offset = max(0, min(offset, len(text)))
    end = offset + 1 if offset < len(text) and text[offset] not in "\r\n" else offset
    return Violation(Span.of(source.index, offset, end), message)


def _line_error(source: SourceFile, message: str, offset: int) -> Violation:
    idx = source.index
    line, _ = idx.position(offset)
    return Violation(Span.of(idx, idx.offset(line), idx.line_end(line)), message)


def _is_k8s_root(root: Optional[Node]) -> bool:
    return isinstance(root, MappingNode) and get_entry(root, "apiVersion") is not None \
        and get_entry(root, "kind") is not None


def _decide(source: SourceFile, roots: List[Node], errors: List[YamlError]) -> Optional[str]:
    hint = source.kind
    if hint == "json":
        if any(_is_k8s_root(r) for r in roots):
            return "kubernetes"
        text = source.text
        return "kubernetes" if errors and _JSON_API.search(text) and _JSON_KIND.search(text) else None
    named_compose = hint == "compose"
    has_compose = any(is_compose_root(r, named_compose) for r in roots)
    has_k8s = any(_is_k8s_root(r) for r in roots)
    if hint == "kubernetes":
        return "kubernetes"
    if has_compose:
        return "compose"
    if has_k8s:
        return "kubernetes"
    if named_compose:
        return "compose"
    if errors:
        text = source.text
        if _SERVICES_LINE.search(text):
            return "compose"
        if _API_LINE.search(text) and _KIND_LINE.search(text):
            return "kubernetes"
    return None


def parse(source: SourceFile, environment: Optional[Callable[[], Mapping[str, Variable]]] = None) -> Parsed:
    """Parse a YAML source into `Parsed(kind="compose"|"kubernetes", model=YamlFile)` (see module
    doc); a compose file's values are interpolated with the variables `environment()` gives (none
    when it is None: only defaults apply), as `model.interpolation` says."""
    text = source.text
    if source.kind == "yaml" and "services" not in text and "apiVersion" not in text:
        return Parsed(source, None)
    if source.kind == "json" and "apiVersion" not in text:
        return Parsed(source, None)
    if "{{" in text and _in_templates_dir(source.path):
        return Parsed(source, None, skipped=HELM)
    docs, yerrors = compose_stream(text)
    if yerrors and _TEMPLATE.search(text):
        return Parsed(source, None, skipped=HELM)
    roots = [d.root for d in docs if not is_null(d.root)]
    kind = _decide(source, roots, yerrors)
    if kind is None:
        return Parsed(source, None)
    parsed = Parsed(source, kind)
    if yerrors and source.kind == "json":
        yerrors = _json_errors(text) or yerrors
    parsed.errors.extend(_error(source, e.message, e.offset) for e in yerrors)
    model = YamlFile(source, kind)
    parsed.model = model
    aliased = _has_node_property(text, "&") and _has_node_property(text, "*")
    named_compose = source.kind == "compose"
    env = None
    for root in roots:
        try:
            if aliased:
                check_expansion(root)
            if kind == "compose":
                if "$" in text and is_compose_root(root, named_compose):
                    if env is None:
                        env = environment() if environment is not None else {}
                    model.interpolated.extend(interpolate(root, env))
                if is_compose_root(root, named_compose):
                    model.containers.extend(compose_views(source, root, v1_allowed=named_compose))
                model.documents.append(root)
            else:
                objects = list(kubernetes_objects(root))
                pods = []
                host_volumes = []
                for obj in objects:
                    pod = kubernetes_pods(source, obj)
                    if pod is not None:
                        pods.append(pod)
                        host_volumes.extend(pod.host_volumes)
                    else:
                        pv = persistent_volume(source, obj)
                        if pv is not None:
                            host_volumes.append(pv)
                sups = _annotation_suppressions(source, model, objects, pods)
                model.documents.append(root)
                model.objects.extend(objects)
                model.pods.extend(pods)
                model.host_volumes.extend(host_volumes)
                for pod in pods:
                    model.containers.extend(pod.containers)
                parsed.extra_suppressions.extend(sups)
        except (YamlLimitError, RecursionError) as e:
            msg = YamlLimitError.MESSAGE if isinstance(e, RecursionError) else str(e)
            parsed.errors.append(_line_error(source, f"YAML error: {msg}", root.start_mark.index))
    parsed.errors.sort(key=lambda v: v.span.start)
    return parsed


def _json_errors(text: str) -> List[YamlError]:
    """The JSON decoder's verdict on a JSON text that did not compose (its message and offset say
    more to a JSON author than the YAML one); [] when it decodes."""
    import json

    try:
        json.loads(text)
    except ValueError as e:
        return [YamlError(f"JSON error: {getattr(e, 'msg', e)}", getattr(e, "pos", 0))]
    return []


def _annotation_suppressions(source: SourceFile, model: YamlFile, objects: List[MappingNode],
                             pods: Optional[List[PodView]] = None):
    """(rule ids, first line, last line) of the objects' `hardenlint.io/ignore` annotations, on the
    object's metadata or its pod template's (from `pods` when given, else found again)."""
    out: List[Tuple[frozenset, int, int]] = []
    idx = source.index
    pod_metadata = {id(p.object): p.metadata for p in pods} if pods is not None else None
    for obj in objects:
        metadata = get(obj, "metadata")
        holders = [get(metadata, "annotations")]
        if pod_metadata is not None:
            template_metadata = pod_metadata.get(id(obj))
        else:
            template = pod_template(obj)
            template_metadata = get(template, "metadata") if template is not None else None
        if template_metadata is not None and template_metadata is not metadata:
            holders.append(get(template_metadata, "annotations"))
        ids: set = set()
        for ann in holders:
            e = get_entry(ann, IGNORE_ANNOTATION)
            if e is None:
                continue
            raw = text_value(e.value_node) or ""
            for token in re.split(r"[\s,]+", raw):
                if not token:
                    continue
                found = expand_selector(token)
                if found:
                    ids.update(found)
                else:
                    model.unknown_suppressions.append(
                        (token, Span.of(idx, e.value_node.start_mark.index, node_end(source.text, e.value_node))))
        if ids:
            first, last = object_lines(source, obj)
            out.append((frozenset(ids), first, last))
    return out
