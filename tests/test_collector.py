"""The collector's setting during a run (hardenlint/collector.py)."""
import argparse
import gc

from hardenlint import collector, engine
from hardenlint.config import Config
from hardenlint.runner import run


def test_a_run_lints_with_the_young_generation_enlarged_and_puts_it_back(tmp_path, monkeypatch):
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\nRUN apk add curl\n")
    (tmp_path / "deploy.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
                                          "spec:\n  containers:\n  - name: c\n    image: nginx:1.27\n")
    before = gc.get_threshold()
    seen = []
    real = engine.Linter.lint_source
    monkeypatch.setattr(engine.Linter, "lint_source", lambda self, s: seen.append(gc.get_threshold()[0]) or real(self, s))
    args = argparse.Namespace(fix=False, diff=False, unsafe_fixes=False, force_exclude=False, stdin_filename=None)
    report, _ = run([str(tmp_path)], Config(), args)
    assert report.findings and len(seen) == 2
    assert set(seen) == {max(before[0], collector.YOUNG)}
    assert gc.get_threshold() == before


def test_young_generation_never_lowers_a_larger_setting():
    before = gc.get_threshold()
    try:
        gc.set_threshold(50_000, *before[1:])
        with collector.young_generation():
            assert gc.get_threshold()[0] == 50_000
        assert gc.get_threshold()[0] == 50_000
    finally:
        gc.set_threshold(*before)
