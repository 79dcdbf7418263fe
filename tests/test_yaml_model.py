"""Positioned YAML (hardenlint.model.yamlnodes) and the YAML parser (hardenlint.parsers.yaml)."""
from __future__ import annotations

import time

import pytest
import yaml

from hardenlint.discover import kind_by_name
from hardenlint.model import yamlnodes as yn
from hardenlint.model.container import YamlFile
from hardenlint.parsers.yaml import parse
from hardenlint.source import SourceFile, decode

LOADERS = [yaml.SafeLoader] + ([yaml.CSafeLoader] if hasattr(yaml, "CSafeLoader") else [])


@pytest.fixture(params=LOADERS, ids=lambda L: L.__name__)
def loader(request, monkeypatch):
    monkeypatch.setattr(yn, "LOADER", request.param)
    return request.param


def src(text: str, name: str = "x.yaml", kind: str = None) -> SourceFile:
    return SourceFile(name, text, kind or kind_by_name(name) or "yaml")


def root_of(text: str):
    docs, errors = yn.compose_stream(text)
    assert not errors
    return docs[0].root


def at(text: str, sp) -> str:
    return text[sp.start:sp.end]


# --------------------------------------------------------------------------- marks and spans

def test_mark_index_is_code_point_offset(loader):
    data = "\ufeffa: \"é😀x\"\r\nb: [1, \"ü\"]\r\nc: 🎉z\r\n".encode("utf-8")
    text, bom = decode(data, "x.yaml")
    assert bom and not text.startswith("\ufeff")
    root = root_of(text)
    got = [(text[k.start_mark.index:k.end_mark.index], text[v.start_mark.index:v.end_mark.index]) for k, v in root.value]
    assert got == [("a", '"é😀x"'), ("b", '[1, "ü"]'), ("c", "🎉z")]
    s = yn.span(SourceFile("x", text, "yaml").index, root.value[2][1])
    assert (s.line, s.column, s.end_column) == (3, 4, 6)


def test_node_end_excludes_trailing_comments_and_blank_lines(loader):
    text = "a:\n  b: 1   # c\n  d: |\n    hello\n\n  # trailing\ne: 2\n"
    root = root_of(text)
    a = root.value[0][1]
    assert text[yn.node_end(text, a) - 5:yn.node_end(text, a)] == "hello"
    s = yn.span(SourceFile("x", text, "yaml").index, a)
    assert (s.line, s.end_line) == (2, 4)


def test_value_and_item_ranges_locate_aliases(loader):
    text = "x: &x [1, 2]\ny: &y q\nk: *x\ns:\n  - *y\n  - z\n  - *x\nf: [*y, w]\n"
    root = root_of(text)
    ents = yn.mapping_entries(root)
    k = ents["k"]
    assert text[slice(*yn.value_range(text, k.key_node, k.value_node))] == "*x"
    assert text[slice(*yn.entry_range(text, k.key_node, k.value_node))] == "k: *x"
    items = yn.item_ranges(text, ents["s"].value_node)
    assert [text[s:e] for _, s, e in items] == ["*y", "z", "*x"]
    assert [text[s:e] for _, s, e in yn.item_ranges(text, ents["f"].value_node)] == ["*y", "w"]
    # a block mapping ending in an alias ends at the alias
    text2 = "base: &b {r: 1}\nsvc:\n  a: 1\n  c: *b\nz: 0\n"
    svc = yn.get(root_of(text2), "svc")
    assert text2[yn.node_end(text2, svc) - 2:yn.node_end(text2, svc)] == "*b"


def test_scalar_text_range_inside_quotes_and_after_anchor(loader):
    text = "a: &i \"nginx:1\"\nb: 'x'\nc: !!str plain\n"
    root = root_of(text)
    vals = [v for _, v in root.value]
    assert [text[slice(*yn.scalar_text_range(text, v))] for v in vals] == ["nginx:1", "x", "plain"]


# --------------------------------------------------------------------------- values

def test_scalar_value_follows_pyyaml_safe_resolution(loader):
    text = "a: yes\nb: on\nc: 0x1F\nd: 1:30\ne: 1.5\nf: ~\ng: '1'\nh: 2001-12-14\ni: !custom v\nj: NO\n"
    root = root_of(text)
    got = {k.value: yn.scalar_value(v) for k, v in root.value}
    assert got == {"a": True, "b": True, "c": 31, "d": 90, "e": 1.5, "f": None, "g": "1",
                   "h": "2001-12-14", "i": "v", "j": False}
    assert yn.text_value(yn.get(root, "d")) == "1:30"
    assert yn.text_value(yn.get(root, "f")) is None
    assert yn.as_bool("True") is True and yn.as_bool("off") is False and yn.as_bool("maybe") is None


def test_merge_keys_single_list_nested_and_override(loader):
    text = (
        "base: &base {a: 1, b: 1}\n"
        "more: &more\n  <<: *base\n  b: 2\n  c: 2\n"
        "other: &other {c: 3, d: 3}\n"
        "svc:\n  <<: [*more, *other]\n  d: 4\n"
    )
    root = root_of(text)
    svc = yn.get(root, "svc")
    ents = yn.mapping_entries(svc)
    assert {k: yn.scalar_value(e.value_node) for k, e in ents.items()} == {"a": 1, "b": 2, "c": 2, "d": 4}
    assert ents["a"].merged and ents["b"].merged and not ents["d"].merged
    # a merged key's node is the one written in the anchor
    a = ents["a"]
    assert a.key_node.start_mark.line == 0
    assert text[slice(*yn.entry_range(text, a.key_node, a.value_node))] == "a: 1"
    assert yn.get(svc, "c").start_mark.line == 4  # from `more` (earlier in the list wins)
    assert yn.to_python(svc) == {"a": 1, "b": 2, "c": 2, "d": 4}
    # (PyYAML 6.0.4's own flattening gives b: 1 here, keeping the first `b` it meets in the
    # flattened `more`; the merge-key spec, go-yaml and so Compose/kubectl give more's own b: 2.)
    # the node is not mutated (PyYAML's own flattening would)
    assert any(k.tag == yn.MERGE for k, _ in svc.value)


def test_recursive_merge_is_a_limit_error(loader):
    docs, errors = yn.compose_stream("a: &a\n  <<: *a\n  x: 1\n")
    if errors:  # some loaders refuse it outright
        return
    with pytest.raises(yn.YamlLimitError):
        yn.mapping_entries(docs[0].root.value[0][1])


def test_get_and_items(loader):
    root = root_of("a:\n  b:\n    - {c: 5}\n")
    assert yn.scalar_value(yn.get(root, "a", "b", 0, "c")) == 5
    assert yn.get(root, "a", "x") is None and yn.get(root, "a", "b", 3) is None
    assert len(yn.items(yn.get(root, "a", "b"))) == 1 and yn.items(None) == []


def test_walk_and_to_python_are_bounded(loader):
    deep = "a: " + "[" * 100 + "]" * 100
    root = root_of(deep)
    assert len(list(yn.walk(root))) == 102  # root, key, 100 sequences
    with pytest.raises(yn.YamlLimitError):
        list(yn.walk(root, max_depth=50))
    with pytest.raises(yn.YamlLimitError):
        yn.to_python(root, max_depth=50)
    laughs = root_of(BILLION_LAUGHS)
    t0 = time.perf_counter()
    data = yn.to_python(laughs)  # shared nodes are built once: cheap, and shares in the result
    assert data["i"][0] is data["i"][1] and time.perf_counter() - t0 < 1
    with pytest.raises(yn.YamlLimitError):
        for _ in yn.walk(laughs):  # a walk follows every alias use: bounded
            pass


# --------------------------------------------------------------------------- hostile input

BILLION_LAUGHS = """a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
services:
  web:
    image: nginx
    environment: *i
"""


def test_billion_laughs_is_hl001_quickly(loader):
    t0 = time.perf_counter()
    p = parse(src(BILLION_LAUGHS, "compose.yaml"))
    assert time.perf_counter() - t0 < 2
    assert p.kind == "compose"
    assert len(p.errors) == 1 and "too large or too deeply aliased" in p.errors[0].message
    assert p.model.containers == []


@pytest.mark.parametrize("shape", ["flow", "block-seq", "block-map"])
def test_deep_nesting_is_hl001_quickly(loader, shape):
    n = 10_000
    if shape == "flow":
        text = "services:\n  a: " + "[" * n + "]" * n + "\n"
    elif shape == "block-seq":
        text = "services:\n  a:\n    " + "- " * n + "x\n"
    else:
        text = "services:\n" + "".join(" " * (i + 1) + f"k{i}:\n" for i in range(2000))
    t0 = time.perf_counter()
    p = parse(src(text, "compose.yaml"))
    assert time.perf_counter() - t0 < 2
    assert p.kind == "compose" and p.errors
    assert p.errors[0].message.startswith("YAML error:")


def test_recursive_alias_is_hl001(loader):
    p = parse(src("services:\n  web: &w\n    image: nginx\n    x: *w\n", "compose.yaml"))
    assert p.errors and "aliased" in p.errors[0].message


# --------------------------------------------------------------------------- documents

MULTI = """apiVersion: v1
kind: Pod
metadata: {name: one}
spec:
  containers: [{name: a, image: nginx}]
---
apiVersion: v1
kind: Pod
metadata: {name: broken
spec: {}
---
apiVersion: v1
kind: Pod
metadata: {name: three}
spec:
  containers:
  - name: c
    image: redis
"""


@pytest.mark.parametrize("crlf", [False, True])
@pytest.mark.parametrize("bom", [False, True])
def test_broken_document_is_located_and_others_survive(loader, crlf, bom):
    text = MULTI.replace("\n", "\r\n") if crlf else MULTI
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode()
    text, _ = decode(data, "k.yaml")
    p = parse(src(text, "k.yaml"))
    assert p.kind == "kubernetes"
    assert len(p.errors) == 1
    err = p.errors[0]
    assert err.message.startswith("YAML error: ")
    assert 9 <= err.span.line <= 11
    assert [c.name for c in p.model.containers] == ["a", "c"]
    c = p.model.containers[1]
    assert at(text, c.anchor) == "name: c" and c.anchor.line == 17
    assert at(text, c.image_span) == "redis"


def test_document_boundaries_with_comments_and_directives(loader):
    text = "# head\n---\napiVersion: v1\nkind: ConfigMap\n...\n---\napiVersion: v1\nkind: Service\n---\n"
    p = parse(src(text))
    assert p.kind == "kubernetes" and not p.errors and len(p.model.documents) == 2


def test_helm_templates_are_skipped_not_errors(loader):
    helm = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n" \
           "spec:\n  {{- include \"x\" . | nindent 2 }}\n"
    p = parse(src(helm, "chart/templates/deploy.yaml"))
    assert (p.kind, p.skipped, p.errors) == (None, "Helm template", [])
    p = parse(src(helm, "deploy.yaml"))
    assert (p.kind, p.skipped, p.errors) == (None, "Helm template", [])
    # quoted templates parse: inside templates/ they are still skipped
    quoted = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: \"{{ .Values.name }}\"\n"
    assert parse(src(quoted, "c/templates/p.yaml")).skipped == "Helm template"


@pytest.mark.parametrize("name,text", [
    (".github/workflows/ci.yml", "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
     "    services:\n      redis:\n        image: redis\n    steps:\n      - run: make\n"),
    (".pre-commit-config.yaml", "repos:\n  - repo: https://github.com/x/y\n    rev: v1\n    hooks:\n      - id: z\n"),
    (".gitlab-ci.yml", "services:\n  - docker:dind\ntest:\n  script: [make]\n"),
    ("values.yaml", "image:\n  repository: nginx\n"),
    ("broken.yaml", "a: [\n"),
])
def test_unrelated_yaml_is_not_ours(loader, name, text):
    p = parse(src(text, name))
    assert (p.kind, p.skipped, p.errors) == (None, None, [])


def test_non_workload_kinds_have_no_containers(loader):
    text = ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n---\n"
            "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports: [{port: 80}]\n")
    p = parse(src(text))
    assert p.kind == "kubernetes" and p.model.containers == [] and p.model.pods == []
    assert len(p.model.objects) == 2


def test_compose_detection(loader):
    assert parse(src("services:\n  web:\n    image: nginx\n", "stack.yml")).kind == "compose"
    v1 = "web:\n  image: nginx\ndb:\n  build: .\n"
    assert parse(src(v1, "docker-compose.yml")).kind == "compose"
    assert len(parse(src(v1, "docker-compose.yml")).model.containers) == 2
    assert parse(src(v1, "other.yml")).kind is None
    broken = "services:\n  web:\n    image: [nginx\n"
    p = parse(src(broken, "deploy.yml"))
    assert p.kind == "compose" and len(p.errors) == 1


def test_annotation_suppressions(loader):
    text = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n  annotations:\n"
            "    hardenlint.io/ignore: \"HL307, DL3002 nope\"\nspec:\n  template:\n    metadata:\n"
            "      annotations: {hardenlint.io/ignore: HL308}\n    spec:\n      containers: [{name: a, image: x}]\n"
            "---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: b, image: y}]}\n")
    p = parse(src(text))
    assert p.extra_suppressions == [(frozenset({"HL307", "HL302", "HL308"}), 1, 12)]
    assert [t for t, _ in p.model.unknown_suppressions] == ["nope"]


def test_suppression_scope(loader):
    text = ("services:\n  # hardenlint ignore=HL304\n  web:\n    image: x\n    cap_add:\n"
            "      # hardenlint ignore=HL305\n      - SYS_ADMIN\n      - NET_ADMIN\n\n"
            "  db:\n    # comment\n\n    # hardenlint ignore=HL307\n    image: y\n    # trailing\n")
    p = parse(src(text, "compose.yaml"))
    assert p.suppression_scope(2) == (3, 8)
    assert p.suppression_scope(6) == (7, 7)
    assert p.suppression_scope(13) == (14, 14)
    assert p.suppression_scope(15) is None
    k8s = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  # hardenlint ignore=HL304\n  - name: a\n    image: x\n  - name: b\n"
    p = parse(src(k8s))
    assert p.suppression_scope(5) == (6, 7)
    assert isinstance(p.model, YamlFile)


# --------------------------------------------------------------------------- fuzz

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

_PIECES = st.sampled_from([
    "services:", "apiVersion: v1", "kind: Pod", "kind: List", "items:", "spec:", "containers:",
    "- name: a", "image: x", "  ", "    ", "- ", "\n", "\r\n", "---\n", "&a ", "*a", "<<: *a", "[", "]",
    "{", "}", ", ", ": ", "'", '"', "#", "|", ">", "securityContext:", "privileged: true", "web:",
    "volumes:", "- /:/host", "cap_add: [ALL]", "template:", "é", "\t", "~", "!!str ", "? ",
])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECES, max_size=60), st.sampled_from(["compose.yaml", "k8s.yaml"]))
def test_parse_never_raises(pieces, name):
    text = "".join(pieces)
    p = parse(src(text, name))
    for e in p.errors:
        assert e.message.startswith("YAML error") and 0 <= e.span.start <= len(text)
    if p.model is not None:
        for line in range(1, p.source.index.line_count + 1):
            scope = p.suppression_scope(line)
            assert scope is None or scope[0] <= scope[1]
        for v in p.model.containers:
            assert 0 <= v.anchor.start <= v.anchor.end <= len(text)
