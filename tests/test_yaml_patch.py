"""The YAML patcher: every edit keeps the file loadable and changes exactly what it should."""
from __future__ import annotations

import copy

import pytest
import yaml

from hardenlint.discover import kind_by_name
from hardenlint.model import patch
from hardenlint.parsers.yaml import parse
from hardenlint.source import SourceFile


def apply_edits(text, edits):
    for e in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        text = text[:e.start] + e.content + text[e.end:]
    return text


def model(text, name="compose.yaml"):
    p = parse(SourceFile(name, text, kind_by_name(name) or "yaml"))
    assert not p.errors, p.errors
    return p.model


def patched(text, edits):
    out = apply_edits(text, edits)
    yaml.safe_load_all(out)  # loadable
    return out


def load(text):
    return yaml.safe_load(text)


def crlf(text):
    return text.replace("\n", "\r\n")


# --------------------------------------------------------------------------- set_key

COMPOSE = """services:
  web:   # the front end
    image: "nginx:1.25"   # pinned later
    environment:
      - A=1
    # ports are published
    ports:
      - "80:80"

  db:
    image: postgres
"""


@pytest.mark.parametrize("nl", ["\n", "\r\n"])
def test_set_key_block_compose_service(nl):
    text = COMPOSE.replace("\n", nl)
    m = model(text)
    web = m.containers[0]
    out = patched(text, patch.set_key(m, web.node, ("read_only",), True))
    want = load(text)
    want["services"]["web"]["read_only"] = True
    assert load(out) == want
    assert "      - \"80:80\"" + nl + "    read_only: true" + nl in out
    assert "\n" not in out.replace("\r\n", "") if nl == "\r\n" else True
    assert "# the front end" in out and "# pinned later" in out and "# ports are published" in out


@pytest.mark.parametrize("nl", ["\n", "\r\n"])
def test_set_key_creates_intermediate_mappings(nl):
    text = COMPOSE.replace("\n", nl)
    m = model(text)
    db = m.containers[1]
    out = patched(text, patch.set_key(m, db.node, ("deploy", "resources", "limits", "memory"), "512M"))
    want = load(text)
    want["services"]["db"]["deploy"] = {"resources": {"limits": {"memory": "512M"}}}
    assert load(out) == want
    assert out.endswith(f"    image: postgres{nl}    deploy:{nl}      resources:{nl}        limits:{nl}          memory: 512M{nl}")


def test_set_key_merges_into_existing_and_replaces_values():
    text = ("services:\n  web:\n    image: x\n    deploy:\n      replicas: 2\n      resources:\n"
            "        limits:\n          cpus: '0.5'\n    mem_limit: 1g  # too much\n")
    m = model(text)
    web = m.containers[0]
    out = patched(text, patch.set_key(m, web.node, ("deploy", "resources", "limits", "memory"), "512M"))
    assert load(out)["services"]["web"]["deploy"] == {"replicas": 2, "resources": {"limits": {"cpus": "0.5", "memory": "512M"}}}
    # quoting follows the siblings: cpus is single-quoted, so is the new string value
    assert "          memory: '512M'\n" in out
    out = patched(text, patch.set_key(m, web.node, "mem_limit", "256m"))
    assert "    mem_limit: 256m  # too much\n" in out and load(out)["services"]["web"]["mem_limit"] == "256m"
    assert patch.set_key(m, web.node, "image", "x") == ()


def test_set_key_four_space_indent_and_list_item_mapping():
    text = ("apiVersion: v1\nkind: Pod\nmetadata:\n    name: p\nspec:\n    containers:\n"
            "        - name: app\n          image: nginx\n        - name: side\n          image: busybox\n")
    m = model(text, "pod.yaml")
    app, side = m.containers
    out = patched(text, patch.set_key(m, app.node, ("securityContext", "readOnlyRootFilesystem"), True))
    assert "          image: nginx\n          securityContext:\n              readOnlyRootFilesystem: true\n        - name: side" in out
    c = load(out)["spec"]["containers"]
    assert c[0]["securityContext"] == {"readOnlyRootFilesystem": True} and "securityContext" not in c[1]


def test_set_key_single_line_list_item_and_flow_mapping():
    text = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n  - {name: b, image: x}\n"
    m = model(text, "pod.yaml")
    a, b = m.containers
    out = patched(text, patch.set_key(m, a.node, ("securityContext", "runAsNonRoot"), True))
    assert "  - name: a\n    securityContext:\n      runAsNonRoot: true\n  - {name: b" in out
    out = patched(text, patch.set_key(m, b.node, ("securityContext", "runAsNonRoot"), True))
    assert "  - {name: b, image: x, securityContext: {runAsNonRoot: true}}\n" in out
    assert load(out)["spec"]["containers"][1]["securityContext"] == {"runAsNonRoot": True}


def test_set_key_into_flow_security_context():
    text = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n    securityContext: {runAsNonRoot: true}  # c\n"
    m = model(text, "pod.yaml")
    out = patched(text, patch.set_key(m, m.containers[0].node, ("securityContext", "readOnlyRootFilesystem"), True))
    assert "securityContext: {runAsNonRoot: true, readOnlyRootFilesystem: true}  # c\n" in out
    empty = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n    securityContext: {}\n"
    m = model(empty, "pod.yaml")
    out = patched(empty, patch.set_key(m, m.containers[0].node, ("securityContext", "capabilities", "drop"), "[ALL]"))
    assert "securityContext: {capabilities: {drop: [ALL]}}" in out


def test_set_key_null_intermediate_and_pod_seccomp():
    text = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n"
            "      securityContext:\n      containers:\n      - name: a\n        image: x\n")
    m = model(text, "d.yaml")
    loc = m.pods[0].where("seccomp")
    out = patched(text, patch.set_key(m, loc.node, loc.path, "RuntimeDefault"))
    assert "      securityContext:\n        seccompProfile:\n          type: RuntimeDefault\n      containers:" in out
    assert load(out)["spec"]["template"]["spec"]["securityContext"] == {"seccompProfile": {"type": "RuntimeDefault"}}


def test_set_key_merged_key_gets_explicit_override():
    text = ("x-base: &base\n  read_only: false\n  deploy:\n    resources:\n      limits: {cpus: '1'}\n"
            "services:\n  web:\n    <<: *base\n    image: x\n  api:\n    <<: *base\n    image: y\n")
    m = model(text)
    web = m.containers[0]
    out = patched(text, patch.set_key(m, web.node, "read_only", True))
    data = load(out)
    assert data["services"]["web"]["read_only"] is True and data["services"]["api"]["read_only"] is False
    # an intermediate mapping only present through the merge is edited at the anchor (shared)
    out = patched(text, patch.set_key(m, web.node, ("deploy", "resources", "limits", "memory"), "512M"))
    data = load(out)
    assert data["services"]["web"]["deploy"]["resources"]["limits"] == {"cpus": "1", "memory": "512M"}


@pytest.mark.parametrize("value,text_out", [
    ("yes", "yes"), ("1:30", "1:30"), ("a: b", "'a: b'"), ("#x", "'#x'"), (" lead", "' lead'"), ("[x", "[x"), ("plain", "plain"), (True, "true"), (512, "512"),
    ("RuntimeDefault", "RuntimeDefault"), ('"quoted"', '"quoted"'), ("no-new-privileges:true", "no-new-privileges:true"),
])
def test_render_scalar(value, text_out):
    got = patch.render_scalar(value)
    if text_out.startswith("'"):
        assert load(f"k: {got}")["k"] == value
    else:
        assert got == text_out


def test_set_key_quotes_strings_that_would_change_type():
    text = "services:\n  web:\n    image: x\n"
    m = model(text)
    out = patched(text, patch.set_key(m, m.containers[0].node, "user", "1000:1000"))
    assert load(out)["services"]["web"]["user"] == "1000:1000"


def test_set_key_at_end_of_file_without_newline():
    text = "services:\n  web:\n    image: x"
    m = model(text)
    out = patched(text, patch.set_key(m, m.containers[0].node, "read_only", True))
    assert out == "services:\n  web:\n    image: x\n    read_only: true"


def test_set_key_after_block_scalar_and_comments():
    text = ("services:\n  web:\n    image: x\n    command: |\n      echo hi\n\n      echo bye\n\n"
            "    # a comment about db\n  db:\n    image: y\n")
    m = model(text)
    out = patched(text, patch.set_key(m, m.containers[0].node, "read_only", True))
    assert "      echo bye\n    read_only: true\n\n    # a comment about db\n" in out
    assert load(out)["services"]["web"]["command"] == "echo hi\n\necho bye\n"


# --------------------------------------------------------------------------- append_item

@pytest.mark.parametrize("nl", ["\n", "\r\n"])
def test_append_item_block_flow_and_create(nl):
    text = ("services:\n  a:\n    image: x\n    security_opt:\n      - \"label:disable\"\n"
            "  b:\n    image: y\n    cap_drop: [NET_RAW]\n  c:\n    image: z\n").replace("\n", nl)
    m = model(text)
    a, b, c = m.containers
    out = patched(text, patch.append_item(m, a.node, "security_opt", "no-new-privileges:true"))
    assert f'      - "label:disable"{nl}      - "no-new-privileges:true"{nl}' in out
    out = patched(text, patch.append_item(m, b.node, "cap_drop", "ALL"))
    assert "cap_drop: [NET_RAW, ALL]" in out
    out = patched(text, patch.append_item(m, c.node, "cap_drop", "ALL"))
    assert out.endswith(f"    image: z{nl}    cap_drop:{nl}      - ALL{nl}")
    assert load(out)["services"]["c"]["cap_drop"] == ["ALL"]
    assert patch.append_item(m, b.node, "cap_drop", "NET_RAW") == ()


def test_append_item_k8s_flush_lists_and_nested_creation():
    text = ("apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n    image: x\n    securityContext:\n"
            "      capabilities:\n        add:\n        - NET_ADMIN\n  - name: b\n    image: y\n")
    m = model(text, "pod.yaml")
    a, b = m.containers
    out = patched(text, patch.append_item(m, a.node, ("securityContext", "capabilities", "drop"), "ALL"))
    assert "        add:\n        - NET_ADMIN\n        drop:\n        - ALL\n  - name: b" in out
    out = patched(text, patch.append_item(m, b.node, ("securityContext", "capabilities", "drop"), "ALL"))
    assert load(out)["spec"]["containers"][1]["securityContext"] == {"capabilities": {"drop": ["ALL"]}}
    out = patched(text, patch.append_item(m, a.cap_add[0].parent, None, "SYS_TIME"))
    assert load(out)["spec"]["containers"][0]["securityContext"]["capabilities"]["add"] == ["NET_ADMIN", "SYS_TIME"]


def test_append_item_to_null_and_empty_flow_list():
    text = "services:\n  a:\n    image: x\n    cap_drop:\n  b:\n    image: y\n    cap_drop: []\n"
    m = model(text)
    a, b = m.containers
    assert load(patched(text, patch.append_item(m, a.node, "cap_drop", "ALL")))["services"]["a"]["cap_drop"] == ["ALL"]
    assert "cap_drop: [ALL]" in patched(text, patch.append_item(m, b.node, "cap_drop", "ALL"))


# --------------------------------------------------------------------------- removal

@pytest.mark.parametrize("nl", ["\n", "\r\n"])
def test_remove_entry_block(nl):
    text = ("services:\n  web:\n    image: x\n    # keep this comment\n    privileged: true   # why\n"
            "    read_only: true\n").replace("\n", nl)
    m = model(text)
    web = m.containers[0]
    out = patched(text, patch.remove_entry(m, web.privileged))
    assert out == f"services:{nl}  web:{nl}    image: x{nl}    # keep this comment{nl}    read_only: true{nl}"
    # by key node, mapping found by search
    out2 = patched(text, patch.remove_entry(m, web.privileged.key_node))
    assert out2 == out


def test_remove_entry_first_key_of_list_item_and_only_key():
    text = ("apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - securityContext:\n      privileged: true\n"
            "    name: a\n    image: x\n  - name: b\n    securityContext:\n      privileged: true\n")
    m = model(text, "pod.yaml")
    a, b = m.containers
    out = patched(text, patch.remove_entry(m, a.privileged))
    c = load(out)["spec"]["containers"]
    assert c[0]["securityContext"] == {} and out.count("securityContext: {}") == 1
    out = patched(text, patch.remove_entry(m, b.privileged))
    assert load(out)["spec"]["containers"][1] == {"name": "b", "securityContext": {}}
    # removing the whole first entry of an item pulls the next key onto the dash line
    sc = m.containers[0].node.value[0]
    out = patched(text, patch.remove_entry(m, sc[0], m.containers[0].node))
    assert "  - name: a\n    image: x\n" in out and load(out)["spec"]["containers"][0] == {"name": "a", "image": "x"}


def test_remove_entry_flow():
    text = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - {name: a, securityContext: {privileged: true, runAsNonRoot: true}}\n"
    m = model(text, "pod.yaml")
    out = patched(text, patch.remove_entry(m, m.containers[0].privileged))
    assert "securityContext: {runAsNonRoot: true}" in out
    text2 = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - {name: a, securityContext: {runAsNonRoot: true, privileged: true}}\n"
    m = model(text2, "pod.yaml")
    assert "securityContext: {runAsNonRoot: true}}" in patched(text2, patch.remove_entry(m, m.containers[0].privileged))
    text3 = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - {name: a, securityContext: {privileged: true}}\n"
    m = model(text3, "pod.yaml")
    assert "securityContext: {}}" in patched(text3, patch.remove_entry(m, m.containers[0].privileged))


@pytest.mark.parametrize("nl", ["\n", "\r\n"])
def test_remove_item_block_and_last_item(nl):
    text = ("services:\n  web:\n    image: x\n    cap_add:\n      - SYS_ADMIN   # needed?\n      - NET_ADMIN\n"
            "    security_opt:\n      - seccomp:unconfined\n    read_only: true\n").replace("\n", nl)
    m = model(text)
    web = m.containers[0]
    out = patched(text, patch.remove_item(m, None, web.cap_add[0]))
    assert load(out)["services"]["web"]["cap_add"] == ["NET_ADMIN"] and "needed?" not in out
    out = patched(text, patch.remove_item(m, None, web.seccomp))
    assert f"    security_opt: []{nl}    read_only: true{nl}" in out
    assert load(out)["services"]["web"]["security_opt"] == []


def test_remove_item_flow_and_alias():
    text = "services:\n  web:\n    image: x\n    cap_add: [SYS_ADMIN, NET_ADMIN]\n    cap_drop: [NET_RAW]\n"
    m = model(text)
    web = m.containers[0]
    assert "cap_add: [NET_ADMIN]" in patched(text, patch.remove_item(m, None, web.cap_add[0]))
    assert "cap_add: [SYS_ADMIN]" in patched(text, patch.remove_item(m, None, web.cap_add[1]))
    web2 = model(text).containers[0]
    out = patched(text, patch.remove_item(m, web2.cap_drop[0].parent, web2.cap_drop[0].node))
    assert "cap_drop: []" in out


def test_remove_item_k8s_mapping_items():
    text = ("apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n    env:\n    - name: X\n      value: '1'\n"
            "    - name: GIT_SSL_NO_VERIFY\n      value: 'true'\n    - name: Y\n      value: '2'\n")
    m = model(text, "pod.yaml")
    a = m.containers[0]
    env = a.env[1]
    out = patched(text, patch.remove_item(m, env.parent, env.node))
    assert [e["name"] for e in load(out)["spec"]["containers"][0]["env"]] == ["X", "Y"]


# --------------------------------------------------------------------------- round trips on the corpus

def test_patch_round_trips_on_corpus(request):
    """Add read-only + cap_drop ALL to every compose service / k8s container of a sample of the corpus:
    the file stays loadable and the data changes by exactly that."""
    import os
    from pathlib import Path
    env = os.environ.get("HARDENLINT_CORPUS")
    root = Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "corpus"
    if not (root / "compose").is_dir():
        pytest.skip("shared corpus not present")
    files = sorted((root / "compose").iterdir())[::9] + sorted((root / "k8s").iterdir())[::25]
    checked = 0
    for f in files:
        text = f.read_text(encoding="utf-8-sig")
        kind = "compose" if f.parent.name == "compose" else "kubernetes"
        p = parse(SourceFile(f.name, text, kind))
        if p.errors or p.model is None or not p.model.containers or "<<" in text:
            continue
        edits = []
        for v in p.model.containers:
            if v.read_only_root is None:
                loc = v.where("read_only_root")
                edits.extend(patch.set_key(p.model, loc.node, loc.path, True))
        if not edits:
            continue
        # edits for different containers never overlap
        spans = sorted((e.start, e.end) for e in edits)
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:])), f.name
        out = apply_edits(text, edits)
        try:
            after = list(yaml.safe_load_all(out))
        except yaml.YAMLError as e:  # pragma: no cover - a failure names the file
            pytest.fail(f"{f.name}: patched file does not load: {e}")
        before = list(yaml.safe_load_all(text))
        p2 = parse(SourceFile(f.name, out, kind))
        assert not p2.errors, f.name
        assert all(v.read_only_root is not None and v.read_only_root.is_true() for v in p2.model.containers), f.name
        assert len(after) == len(before)
        checked += 1
    assert checked > 20


def test_emptying_an_anchored_collection_keeps_the_anchor():
    text = ("x-opts: &opts\n  - seccomp:unconfined\nx-sc: &sc\n  privileged: true\n"
            "services:\n  web:\n    image: x\n    security_opt: *opts\n    <<: {}\n")
    m = model(text)
    web = m.containers[0]
    out = patched(text, patch.remove_item(m, None, web.seccomp))
    assert "x-opts: &opts []\n" in out and load(out)["services"]["web"]["security_opt"] == []
    root = m.documents[0]
    sc = root.value[1][1]
    out = patched(text, patch.remove_entry(m, sc.value[0][0]))
    assert "x-sc: &sc {}\n" in out


def test_remove_entry_accepts_key_or_value_node_with_its_mapping():
    text = "services:\n  web:\n    image: x\n    privileged: true\n    read_only: true\n"
    m = model(text)
    s = m.containers[0].privileged
    by_key = patch.remove_entry(m, s.key_node, s.parent)
    by_value = patch.remove_entry(m, s.node, s.parent)
    assert by_key == by_value == patch.remove_entry(m, s)


def test_set_key_after_keep_chomping_block_scalar_multiline_flow_and_before_next_document():
    text = ("services:\n  web:\n    image: x\n    configs:\n      - |+\n        keep\n\n\n"
            "  api:\n    image: y\n    ports: [\n      \"80:80\",\n      \"443:443\"\n    ]  # web\n"
            "  db:\n    image: z\n---\nother: doc\n")
    m = model(text)
    web, api, db = m.containers
    for v in (web, api, db):
        out = patched(text, patch.set_key(m, v.node, "read_only", True))
        docs = list(yaml.safe_load_all(out))
        want = list(yaml.safe_load_all(text))
        want[0]["services"][v.name]["read_only"] = True
        assert docs == want, v.name
    out = patched(text, patch.set_key(m, api.node, "read_only", True))
    assert "    ]  # web\n    read_only: true\n  db:" in out
    out = patched(text, patch.set_key(m, db.node, "read_only", True))
    assert "    image: z\n    read_only: true\n---\n" in out


# --------------------------------------------------------------------------- generated files

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

_SERVICE = st.fixed_dictionaries({"image": st.sampled_from(["nginx", "redis:7", "a/b:1"])}, optional={
    "privileged": st.booleans(),
    "cap_add": st.lists(st.sampled_from(["SYS_ADMIN", "NET_ADMIN", "CHOWN"]), min_size=1, max_size=3, unique=True),
    "security_opt": st.lists(st.sampled_from(["seccomp:unconfined", "label:disable", "apparmor=x"]), min_size=1,
                             max_size=2, unique=True),
    "environment": st.dictionaries(st.sampled_from(["A", "B", "C"]), st.sampled_from(["1", "x y", "yes"]), min_size=1),
    "deploy": st.fixed_dictionaries({"replicas": st.integers(1, 3)}),
    "command": st.sampled_from(["run", "a: b"]),
})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["web", "db", "api"]), _SERVICE, min_size=1, max_size=3),
       st.sampled_from([False, None, True]), st.sampled_from([2, 4]), st.booleans(), st.booleans())
def test_patches_on_generated_compose_files(services, flow, indent, use_crlf, comments):
    data = {"services": services}
    text = yaml.safe_dump(data, default_flow_style=flow, indent=indent, sort_keys=False, width=1000)
    if comments:
        text = "".join(line + ("  # note\n" if line.strip() and not line.rstrip().endswith(("|", ">")) else "\n")
                       for line in text.splitlines())
    if use_crlf:
        text = crlf(text)
    m = model(text)
    for v in m.containers:
        cases = [
            (patch.set_key(m, v.node, "read_only", True), lambda d: d.__setitem__("read_only", True)),
            (patch.set_key(m, v.node, ("deploy", "resources", "limits", "memory"), "512M"),
             lambda d: d.setdefault("deploy", {}).setdefault("resources", {}).setdefault("limits", {}).__setitem__("memory", "512M")),
            (patch.append_item(m, v.node, "security_opt", "no-new-privileges:true"),
             lambda d: d.setdefault("security_opt", []).append("no-new-privileges:true")),
        ]
        if v.privileged is not None:
            cases.append((patch.remove_entry(m, v.privileged), lambda d: d.pop("privileged")))
        if v.cap_add:
            cases.append((patch.remove_item(m, None, v.cap_add[-1]), lambda d: d["cap_add"].pop()))
            cases.append((patch.remove_item(m, None, v.cap_add[0]), lambda d: d["cap_add"].pop(0)))
        for edits, change in cases:
            out = patched(text, edits)
            want = copy.deepcopy(data)
            change(want["services"][v.name])
            assert load(out) == want, (text, out)
            if use_crlf:
                assert "\n" not in out.replace("\r\n", "")
