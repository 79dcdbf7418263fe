"""Every file of the shared corpus lints with every rule and no internal error.

Invalid YAML gives HL001 (and only for documents that really do not load); Dockerfiles that
BuildKit accepts give no HL001.
"""
from __future__ import annotations

import datetime

import yaml

from hardenlint.config import Config
from hardenlint.discover import kind_by_name
from hardenlint.engine import Linter


def _lint_folder(corpus, name, default_kind):
    linter = Linter(Config(preset="strict", trusted_registries=("docker.io",)), today=datetime.date(2026, 11, 28))
    results = []
    for path in sorted((corpus / name).iterdir()):
        kind = kind_by_name(path.name) or default_kind
        if kind == "yaml" and default_kind == "compose":
            kind = "compose"
        results.append((path, linter.lint_path(str(path), kind)))
    return results


def test_corpus_dockerfiles_lint_without_internal_error_or_parse_error(corpus):
    results = _lint_folder(corpus, "dockerfile", "dockerfile")
    assert len(results) == 1828
    errors = [e for _, r in results for e in r.internal_errors]
    assert errors == []
    parse_errors = [str(p.name) for p, r in results if any(f.rule == "HL001" for f in r.findings)]
    assert parse_errors == []
    assert sum(len(r.findings) for _, r in results) > 1000  # the rules really ran


def test_corpus_yaml_lints_without_internal_error(corpus):
    for folder, kind in (("compose", "compose"), ("k8s", "yaml")):
        results = _lint_folder(corpus, folder, kind)
        assert [e for _, r in results for e in r.internal_errors] == []
        for path, r in results:
            if any(f.rule == "HL001" for f in r.findings):
                # HL001 only where PyYAML itself refuses a document
                try:
                    list(yaml.safe_load_all(path.read_text(encoding="utf-8-sig")))
                except yaml.YAMLError:
                    continue
                raise AssertionError(f"HL001 on loadable YAML: {path.name}")
        expected = "compose" if folder == "compose" else "kubernetes"
        assert {r.kind for _, r in results} == {expected}, "every corpus file is recognised by content or name"
