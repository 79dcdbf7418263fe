"""`--fix` merges `set_key` insertions at one point into one pass (`hardenlint.fixmerge`): the
text must be the one that one pass per insertion gives, in fewer lints."""
from __future__ import annotations

from pathlib import Path

import pytest

from hardenlint import fixer
from hardenlint.config import Config
from hardenlint.engine import Linter
from hardenlint.fixer import allowed, fix_source
from hardenlint.fixmerge import Block, Group, block
from hardenlint.model.findings import Edit, Fix
from hardenlint.source import SourceFile, read_source

from .test_fix_documents import manifest

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
    - name: a
      image: registry.example/a:1
      ports:
        - containerPort: 80
"""


def fix_both(linter: Linter, source: SourceFile, monkeypatch):
    """(merged, one pass each) outcomes, and how many lints each took."""
    counts = []
    real = linter.lint_source
    for merge in (True, False):
        calls = []
        with monkeypatch.context() as m:
            m.setattr(fixer, "MERGE_INSERTIONS", merge)
            m.setattr(linter, "lint_source", lambda s: calls.append(1) or real(s))
            counts.append((fix_source(linter, source, True), len(calls)))
    (merged, n_merged), (each, n_each) = counts
    return merged, each, n_merged, n_each


def same(a, b) -> bool:
    return (a.text, a.applied, [(f.rule, f.span, f.message) for f in a.result.findings]) == \
        (b.text, b.applied, [(f.rule, f.span, f.message) for f in b.result.findings])


def test_a_containers_missing_settings_take_one_pass(monkeypatch):
    linter = Linter(Config(preset="strict"))
    merged, each, n_merged, n_each = fix_both(linter, SourceFile("pod.yaml", POD, "kubernetes"), monkeypatch)
    assert same(merged, each)
    assert "securityContext:\n        runAsNonRoot: true\n        capabilities:" in merged.text
    assert merged.text.count("securityContext:") == 2  # the container's and the pod's
    assert n_merged == 3 and n_each > 5  # first lint, one pass, the lint that finds nothing left


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_by_document_and_whole_text_merge_alike(newline, monkeypatch):
    monkeypatch.setattr(fixer, "BY_DOCUMENT_FROM", 1)
    linter = Linter(Config(preset="strict"))
    merged, each, n_merged, n_each = fix_both(linter, SourceFile("d.yaml", manifest(newline), "kubernetes"), monkeypatch)
    assert same(merged, each) and n_merged < n_each


def test_block_reads_set_key_insertions_only():
    point, b = block(Fix("t", (Edit(7, 7, "\n    securityContext:\n      capabilities:\n        drop: [\"ALL\"]"),)))
    assert (point, b.indent, b.step, b.keys, b.value) == (7, 4, 2, ("securityContext", "capabilities", "drop"), '["ALL"]')
    assert b.lines(1) == "\n      capabilities:\n        drop: [\"ALL\"]"
    assert block(Fix("t", (Edit(7, 7, "\r\n  a: 1"),)))[1].newline == "\r\n"
    for content in ("\n  a:\n  b: 1", "\n  a: 1\n    b: 2", "\n  - x", "x: 1", "\n  a: 1 # c\n", "\n  a:", ", a: 1"):
        assert block(Fix("t", (Edit(7, 7, content),))) is None, content
    assert block(Fix("t", (Edit(7, 8, "\n  a: 1"),))) is None  # a replacement
    assert block(Fix("t", (Edit(7, 7, "\n  a: 1"), Edit(9, 9, "\n  b: 1")))) is None


def _add(g: Group, keys, value, indent=8) -> bool:
    b = Block("\n", indent, 2, keys, value)
    return g.add("HL000", Fix("/".join(keys), (Edit(0, 0, b.lines(0)),)), b)


def _group() -> Group:
    g = Group()
    assert _add(g, ("securityContext", "capabilities", "drop"), '["ALL"]')
    assert _add(g, ("resources", "limits", "memory"), "512Mi")
    assert _add(g, ("securityContext", "runAsNonRoot"), "true")
    assert _add(g, ("securityContext", "capabilities", "add"), '["NET_BIND_SERVICE"]')
    assert _add(g, ("securityContext", "seccompProfile", "type"), "RuntimeDefault", indent=6)  # the pod's
    return g


def test_group_writes_what_set_key_writes_one_after_the_other():
    g = _group()
    assert _add(g, ("resources", "limits", "cpu"), "2")
    text = "".join(fx.edits[0].content for _, fx in g.pieces(0))
    assert text == ("\n        securityContext:\n          capabilities:\n            drop: [\"ALL\"]"
                    "\n            add: [\"NET_BIND_SERVICE\"]\n          runAsNonRoot: true"
                    "\n        resources:\n          limits:\n            memory: 512Mi\n            cpu: 2"
                    "\n      securityContext:\n        seccompProfile:\n          type: RuntimeDefault")
    assert [fx.title for _, fx in g.pieces(0)] == [
        "securityContext/capabilities/drop", "securityContext/capabilities/add", "securityContext/runAsNonRoot",
        "resources/limits/memory", "resources/limits/cpu", "securityContext/seccompProfile/type"]


@pytest.mark.parametrize("keys, value", [
    (("securityContext", "runAsNonRoot"), "false"),  # there: replaced, not added
    (("securityContext", "capabilities"), "null"),  # a mapping there
    (("resources", "limits", "memory", "x"), "1"),  # a value where a mapping goes
    (("resources", "limits", "cpu"), "500m"),  # a string among strings: quoted like them, maybe
])
def test_group_refuses_what_set_key_could_write_otherwise_and_what_comes_after(keys, value):
    g = _group()
    assert not _add(g, keys, value)
    assert not _add(g, ("securityContext", "readOnlyRootFilesystem"), "true")  # it would come a pass later
    assert len(g.fixes) == 5


def _corpus_files():
    out = []
    for sub, kind in (("k8s", "kubernetes"), ("compose", "compose")):
        folder = CORPUS / sub
        if folder.is_dir():
            out += [(p, kind) for p in sorted(folder.iterdir()) if p.is_file()]
    return out


@pytest.mark.skipif(not CORPUS.is_dir(), reason="no corpus")
def test_corpus_merged_fixes_equal_one_pass_each(monkeypatch):
    """Every corpus manifest and compose file with insertions at one point: same text, same
    fixes counted, same findings left, either way."""
    linter = Linter(Config(preset="strict"))
    compared = 0
    for path, kind in _corpus_files():
        try:
            source = read_source(str(path), path.name, kind)
        except Exception:
            continue
        result, _ = linter.lint_source(source)
        points = [e.start for f in result.findings if allowed(f.fix, True) for e in f.fix.edits if e.start == e.end]
        if len(points) == len(set(points)):
            continue  # nothing to merge
        merged, each, _, _ = fix_both(linter, source, monkeypatch)
        assert same(merged, each), path.name
        compared += 1
    assert compared > 100
