"""`--fix` on a multi-document Kubernetes manifest fixes one document at a time (re-linting only
that document per pass): the result must be the bytes the whole-text loop gives."""
from __future__ import annotations

import pytest

from hardenlint import collector, fixer
from hardenlint.config import Config
from hardenlint.engine import Linter
from hardenlint.fixer import fix_source
from hardenlint.source import SourceFile

WORKLOAD = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: shop
spec:
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      serviceAccountName: {sa}
      containers:
        - name: app
          image: registry.example/{name}:1.2
          ports:
            - containerPort: 8080
        - name: side
          image: registry.example/side:3
"""

SERVICE_ACCOUNT = """\
apiVersion: v1
kind: ServiceAccount
metadata:
  name: runner
  namespace: shop
automountServiceAccountToken: false
"""

CONFIG_MAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  a: "1"
"""


def manifest(newline: str = "\n") -> str:
    docs = [WORKLOAD.format(name="web", sa="runner"), CONFIG_MAP, SERVICE_ACCOUNT,
            WORKLOAD.format(name="api", sa="missing"), "# a comment-only document\n",
            WORKLOAD.format(name="jobs", sa="runner").replace("Deployment", "StatefulSet")]
    return "".join("---\n" + d for d in docs).replace("\n", newline)


def fix_both(text: str, unsafe: bool, monkeypatch):
    """(by document, whole text) outcomes of fixing `text`, and how many lints each took."""
    monkeypatch.setattr(fixer, "BY_DOCUMENT_FROM", 1)
    linter = Linter(Config(preset="strict"))
    calls = []
    real = linter.lint_source

    def counting(source):
        calls.append(len(source.text))
        return real(source)

    monkeypatch.setattr(linter, "lint_source", counting)
    source = SourceFile("deploy.yaml", text, "kubernetes")
    by_document = fix_source(linter, source, unsafe)
    sizes = list(calls)
    with monkeypatch.context() as m:
        m.setattr(fixer, "_fix_by_document", lambda *a: None)
        whole = fix_source(linter, source, unsafe)
    return by_document, whole, sizes


@pytest.mark.parametrize("unsafe", [False, True])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_by_document_gives_the_whole_text_result(unsafe, newline, monkeypatch):
    text = manifest(newline)
    by_document, whole, sizes = fix_both(text, unsafe, monkeypatch)
    assert whole.text != text and whole.fixed > 3  # fixes in several documents
    assert by_document.text == whole.text
    assert by_document.applied == whole.applied and by_document.fixed == whole.fixed
    assert [(f.rule, f.span, f.message) for f in by_document.result.findings] == \
           [(f.rule, f.span, f.message) for f in whole.result.findings]
    # the passes linted single documents: only the first and the final lint saw the whole text
    assert sizes.count(len(text)) == 1 and sizes.count(len(whole.text)) == 1
    assert sizes[1:-1] and all(s < len(text) for s in sizes[1:-1])
    if newline == "\r\n":
        assert "\n" not in by_document.text.replace("\r\n", "")


def test_by_document_is_idempotent(monkeypatch):
    first, _, _ = fix_both(manifest(), True, monkeypatch)
    second, _, _ = fix_both(first.text, True, monkeypatch)
    assert second.text == first.text and second.fixed == 0


def test_cross_object_fix_sees_the_other_documents(monkeypatch):
    """HL316's fix depends on the ServiceAccount being in the index: another document here."""
    by_document, whole, _ = fix_both(manifest(), True, monkeypatch)
    assert by_document.applied["HL316"] == whole.applied["HL316"] == 1  # `api` (account `missing`) only


def test_ignore_file_and_mixed_endings_take_the_whole_text_path(monkeypatch):
    used = []
    real = fixer._fix_by_document

    def spy(*args):
        out = real(*args)
        used.append((args[1].text, out is not None))
        return out

    monkeypatch.setattr(fixer, "_fix_by_document", spy)
    monkeypatch.setattr(fixer, "BY_DOCUMENT_FROM", 1)
    linter = Linter(Config(preset="strict"))
    texts = ["# hardenlint ignore-file=HL999\n" + manifest(), manifest().replace("\n", "\r\n", 3), manifest()]
    for text in texts:
        fix_source(linter, SourceFile("deploy.yaml", text, "kubernetes"), True)
    assert [by_document for text, by_document in used if text in texts] == [False, False, True]


@pytest.mark.parametrize("change, valid", [
    (("  selector:\n", "  minReadySeconds: 5\n  selector:\n"), True),
    (("          ports:\n            - containerPort: 8080\n", "          ports: {containerPort: 8080}\n"), False),
    (("          ports:\n            - containerPort: 8080\n", "          ports:\n            - containerPort: 8080\n---\n"), None),
])
def test_the_joined_text_is_checked_for_its_changed_documents(change, valid):
    """The joined text's kind check reads only the documents that changed (their facts are per
    document): the same verdict as reading them all. When a piece now holds another number of
    documents, every document is checked."""
    from hardenlint.model.yamlnodes import split_documents

    text = manifest()
    ranges = split_documents(text)
    pieces = [text[a:b] for a, b in ranges]
    pieces[3] = pieces[3].replace(*change)  # the `api` workload
    joined = "".join(pieces)
    linter = Linter(Config(preset="strict"))
    source = SourceFile("deploy.yaml", text, "kubernetes")
    _, parsed = linter.lint_source(source)
    _, new_parsed = linter.lint_source(SourceFile("deploy.yaml", joined, "kubernetes"))
    numbers = fixer._changed_documents(text, parsed, new_parsed, ranges, pieces)
    whole = fixer._Judge(source, parsed).keeps_kind(joined, new_parsed)
    if valid is None:
        assert numbers is None
        return
    assert numbers == [3]  # documents: web, settings, runner, api, jobs (the comment-only one has none)
    assert fixer._Judge(source, parsed).keeps_kind(joined, new_parsed, numbers) is whole is valid


def test_fixing_collects_garbage_young_and_puts_the_threshold_back(monkeypatch):
    """While a file is fixed the collector's youngest generation holds collector.YOUNG objects
    (each pass's parse and model die young); afterwards the process's thresholds are as before."""
    import gc

    before = gc.get_threshold()
    seen = []
    linter = Linter(Config(preset="strict"))
    real = linter.lint_source
    monkeypatch.setattr(linter, "lint_source", lambda s: seen.append(gc.get_threshold()[0]) or real(s))
    fix_source(linter, SourceFile("deploy.yaml", manifest(), "kubernetes"), True)
    assert seen and set(seen) == {max(before[0], collector.YOUNG)}
    assert gc.get_threshold() == before
