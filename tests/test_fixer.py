"""The fixer on synthetic fixes: a stub linter stands in for the parsers and rules, so these tests
hold whatever rules exist. They cover choosing fixes (mode, overlaps, duplicates), line endings,
final newline, BOM, file mode, atomic writes, refusing fixes that break parsing, loop termination
and idempotence, and the runner/CLI wiring of --fix, --diff and stdin."""
from __future__ import annotations

import io
import os
import stat
import sys
from typing import Callable, Iterable, List, Optional, Tuple

import pytest

from hardenlint import fixer
from hardenlint.catalogue import RULES
from hardenlint.config import Config
from hardenlint.engine import FileResult, Linter
from hardenlint.fixer import MAX_PASSES, choose, fix_path, fix_source, normalise_edit
from hardenlint.model.findings import Edit, Finding, Fix, Span, Violation
from hardenlint.model.parsed import Parsed
from hardenlint.model.positions import LineIndex
from hardenlint.source import SourceFile

Hit = Tuple[str, int, int, str, Optional[Fix]]  # rule, start, end, message, fix
Check = Callable[[str], Iterable[Hit]]


class StubLinter(Linter):
    """A Linter whose parse and checks are plain functions of the text."""

    def __init__(self, *checks: Check, errors: Callable[[str], List[int]] = lambda t: []) -> None:
        super().__init__(Config(preset="strict"))
        self.checks = checks
        self.errors = errors
        self.calls = 0

    def lint_source(self, source: SourceFile):
        self.calls += 1
        index = source.index
        kind = "compose" if source.kind == "yaml" else source.kind
        errs = [Violation(Span.of(index, at, at), "broken") for at in self.errors(source.text)]
        parsed = Parsed(source, kind, model=object(), errors=errs)
        result = FileResult(source.path, kind)
        for at in self.errors(source.text):
            info = RULES["HL001"]
            result.findings.append(Finding("HL001", info.name, info.level, source.path, Span.of(index, at, at), "broken", None, kind))
        for check in self.checks:
            for rule, start, end, message, fix in check(source.text):
                info = RULES[rule]
                result.findings.append(Finding(rule, info.name, info.level, source.path,
                                               Span.of(index, start, end), message, fix, kind))
        result.findings.sort(key=lambda f: f.sort_key)
        return result, parsed


def replace(rule: str, old: str, new: str, applicability: str = "safe") -> Check:
    """A check flagging every `old`, with a fix replacing it by `new`."""

    def check(text: str):
        i = text.find(old)
        while i != -1:
            yield rule, i, i + len(old), f"found {old!r}", Fix(f"replace {old!r}", (Edit(i, i + len(old), new),), applicability)
            i = text.find(old, i + len(old))

    return check


def insert_before(rule: str, marker: str, content: str, applicability: str = "safe") -> Check:
    """Flags `marker` when `content` is not in the text; the fix inserts `content` before it."""

    def check(text: str):
        i = text.find(marker)
        if i != -1 and content.splitlines()[0] not in text:
            yield rule, i, i + len(marker), "missing", Fix("insert", (Edit(i, i, content),), applicability)

    return check


def src(text: str, path: str = "Dockerfile", kind: str = "dockerfile", bom: bool = False) -> SourceFile:
    return SourceFile(path, text, kind, bom)


# --- choosing fixes ---------------------------------------------------------------------------

def test_mode_safe_then_unsafe_never_display_only():
    linter = StubLinter(replace("HL203", "a", "A"), replace("HL202", "b", "B", "unsafe"),
                        replace("HL201", "c", "C", "display-only"))
    safe = fix_source(linter, src("a b c\n"), unsafe=False)
    assert safe.text == "A b c\n" and safe.fixed == 1 and safe.applied == {"HL203": 1}
    both = fix_source(linter, src("a b c\n"), unsafe=True)
    assert both.text == "A B c\n" and both.fixed == 2 and both.applied == {"HL203": 1, "HL202": 1}
    assert [f.rule for f in both.result.findings] == ["HL201"], "remaining findings are the final text's"
    assert both.result.fixed == 2


def test_a_fix_is_all_or_nothing():
    fix1 = Fix("one", (Edit(0, 2, "AB"), Edit(4, 6, "EF")))
    fix2 = Fix("two", (Edit(2, 4, "CD"), Edit(5, 6, "F")))  # its second edit overlaps fix1's
    text = "abcdef\n"
    index = LineIndex(text)
    findings = [Finding("HL203", "x", "note", "D", Span.of(index, 0, 1), "m", fix1),
                Finding("HL311", "x", "note", "D", Span.of(index, 2, 3), "m", fix2)]
    assert choose(findings, False, text) == [("HL203", fix1)]

    def check(t):
        if t.startswith("ab"):
            yield "HL203", 0, 1, "m", fix1
        if "f" in t:
            yield "HL311", 2, 3, "m", fix2

    out = fix_source(StubLinter(check), src(text), unsafe=False)
    assert out.text == "ABcdEF\n", "fix2's non-overlapping edit must not be applied alone"
    assert out.applied == {"HL203": 1}


def test_insertions_at_one_point_or_at_a_boundary_conflict():
    text = "abc\n"
    index = LineIndex(text)
    ins1 = Fix("ins1", (Edit(1, 1, "X"),))
    ins2 = Fix("ins2", (Edit(1, 1, "Y"),))
    rep = Fix("rep", (Edit(1, 2, "B"),))
    after = Fix("after", (Edit(3, 3, "Z"),))
    findings = [Finding("HL203", "x", "note", "D", Span.of(index, 1, 1), "m", f) for f in (ins1, ins2, rep, after)]
    assert [fx.title for _, fx in choose(findings, False, text)] == ["ins1", "after"]
    findings = [Finding("HL203", "x", "note", "D", Span.of(index, 1, 1), "m", f) for f in (rep, ins1)]
    assert [fx.title for _, fx in choose(findings, False, text)] == ["rep"]


def test_many_insertions_at_one_point_take_a_pass_each():
    rules = ("HL301", "HL306", "HL307", "HL308", "HL309", "HL310", "HL311", "HL316", "HL402", "HL303", "HL305", "HL304")
    linter = StubLinter(*[insert_before(rule, "CMD", f"LINE {rule}\n", "unsafe") for rule in rules])
    out = fix_source(linter, src("FROM a\nCMD b\n"), unsafe=True)
    assert out.fixed == len(rules) and linter.calls == len(rules) + 1
    assert out.text.count("LINE") == len(rules) and out.text.endswith("CMD b\n")


def test_overlapping_fixes_are_resolved_over_passes():
    linter = StubLinter(replace("HL203", "cat dog", "cat-dog"), replace("HL311", "dog", "DOG"))
    out = fix_source(linter, src("cat dog\n"), unsafe=False)
    assert out.text == "cat-DOG\n"
    assert out.fixed == 2 and out.applied == {"HL203": 1, "HL311": 1}


def test_identical_edits_are_applied_and_counted_once():
    linter = StubLinter(insert_before("HL306", "CMD", "USER 1\n"), insert_before("HL301", "CMD", "USER 1\n"))
    out = fix_source(linter, src("FROM a\nCMD b\n"), unsafe=False)
    assert out.text == "FROM a\nUSER 1\nCMD b\n"
    assert out.fixed == 1 and sum(out.applied.values()) == 1


def test_invalid_fixes_are_skipped():
    bad = Fix("out of range", (Edit(3, 99, "x"),))
    crossed = Fix("self-overlapping", (Edit(0, 2, "x"), Edit(1, 3, "y")))
    text = "abc\n"
    index = LineIndex(text)
    findings = [Finding("HL203", "x", "note", "D", Span.of(index, 0, 1), "m", f) for f in (bad, crossed)]
    assert choose(findings, True, text) == []


# --- text details -----------------------------------------------------------------------------

def test_crlf_file_gets_crlf_in_inserted_lines():
    linter = StubLinter(insert_before("HL301", "CMD", "USER 1\n# note\r\n"))
    out = fix_source(linter, src("FROM a\r\nCMD b\r\n"), unsafe=True)
    assert out.text == "FROM a\r\nUSER 1\r\n# note\r\nCMD b\r\n"


def test_lf_file_stays_lf():
    out = fix_source(StubLinter(insert_before("HL301", "CMD", "USER 1\n")), src("FROM a\nCMD b\n"), unsafe=True)
    assert out.text == "FROM a\nUSER 1\nCMD b\n" and "\r" not in out.text


def test_crlf_normalisation_does_not_double_a_cr_before_the_edit():
    text = "a\r\nb\r\n"
    assert normalise_edit(text, Edit(2, 2, "\nX")).content == "\nX"  # starts right after "\r"
    assert normalise_edit(text, Edit(3, 3, "X\n")).content == "X\r\n"


def test_missing_final_newline_stays_missing():
    def append_user(text):
        if "USER" not in text:
            yield "HL301", 0, 4, "no user", Fix("add USER", (Edit(len(text), len(text), "\nUSER 1\n"),), "unsafe")

    out = fix_source(StubLinter(append_user), src("FROM a\nCMD b"), unsafe=True)
    assert out.text == "FROM a\nCMD b\nUSER 1"
    out = fix_source(StubLinter(append_user), src("FROM a\nCMD b\n"), unsafe=True)
    assert out.text == "FROM a\nCMD b\n\nUSER 1\n"


def test_only_edits_change_the_end_of_the_file():
    # Deleting the last line keeps the newline before it: the edit decides, as SARIF shows it.
    linter = StubLinter(replace("HL304", "privileged: true", ""))
    assert fix_source(linter, src("a: 1\nprivileged: true", "c.yaml", "compose"), unsafe=True).text == "a: 1\n"


# --- files ------------------------------------------------------------------------------------

def test_bom_is_kept(tmp_path):
    p = tmp_path / "Dockerfile"
    p.write_bytes(b"\xef\xbb\xbfFROM a\nRUN sudo x\n")
    out = fix_path(StubLinter(replace("HL203", "sudo ", "")), str(p), "dockerfile", unsafe=False, write=True)
    assert out.fixed == 1
    assert p.read_bytes() == b"\xef\xbb\xbfFROM a\nRUN x\n"


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o755])
def test_mode_is_kept(tmp_path, mode):
    p = tmp_path / "Dockerfile"
    p.write_text("RUN sudo x\n")
    os.chmod(p, mode)
    fix_path(StubLinter(replace("HL203", "sudo ", "")), str(p), "dockerfile", unsafe=False, write=True)
    assert p.read_text() == "RUN x\n"
    assert stat.S_IMODE(os.stat(p).st_mode) == mode
    assert os.listdir(tmp_path) == ["Dockerfile"]


def test_symlink_is_followed_and_kept(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (real / "Dockerfile").write_text("RUN sudo x\n")
    link = tmp_path / "Dockerfile"
    link.symlink_to(real / "Dockerfile")
    fix_path(StubLinter(replace("HL203", "sudo ", "")), str(link), "dockerfile", unsafe=False, write=True)
    assert link.is_symlink() and (real / "Dockerfile").read_text() == "RUN x\n"


def test_diff_mode_writes_nothing(tmp_path):
    p = tmp_path / "Dockerfile"
    p.write_text("RUN sudo x\n")
    out = fix_path(StubLinter(replace("HL203", "sudo ", "")), str(p), "dockerfile", unsafe=False, write=False)
    assert p.read_text() == "RUN sudo x\n"
    assert out.text == "RUN x\n" and out.fixed == 1
    assert out.diff.startswith(f"--- a/{out.result.path}\n+++ b/{out.result.path}\n")
    assert "-RUN sudo x\n+RUN x\n" in out.diff


@pytest.mark.parametrize("failing", ["fsync", "replace", "chmod"])
def test_failed_write_leaves_the_original_and_no_temp_file(tmp_path, monkeypatch, failing):
    p = tmp_path / "Dockerfile"
    original = b"FROM a\nRUN sudo x\n" * 50
    p.write_bytes(original)

    def boom(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fixer.os, failing, boom)
    out = fix_path(StubLinter(replace("HL203", "sudo ", "")), str(p), "dockerfile", unsafe=False, write=True)
    monkeypatch.undo()
    assert p.read_bytes() == original
    assert os.listdir(tmp_path) == ["Dockerfile"], "the temp file is removed"
    assert out.fixed == 0 and out.diff == "" and out.text == original.decode()
    assert any("cannot write fixes" in m for m in out.result.internal_errors)


def test_unreadable_and_undecodable_files(tmp_path):
    linter = StubLinter(replace("HL203", "sudo ", ""))
    out = fix_path(linter, str(tmp_path / "missing" / "Dockerfile"), "dockerfile", unsafe=False, write=True)
    assert out.text is None and out.result.unreadable
    bad = tmp_path / "Dockerfile"
    bad.write_bytes(b"FROM a\n\xff\xfe\n")
    out = fix_path(linter, str(bad), "dockerfile", unsafe=False, write=True)
    assert out.text is None and [f.rule for f in out.result.findings] == ["HL001"]
    assert bad.read_bytes() == b"FROM a\n\xff\xfe\n"


# --- refusing fixes that break parsing --------------------------------------------------------

def broken_when(word: str):
    return lambda text: [text.index(word)] if word in text else []


def test_a_fix_that_breaks_parsing_is_refused_and_the_others_kept():
    linter = StubLinter(replace("HL203", "x", "BROKEN"), replace("HL311", "b", "B"), errors=broken_when("BROKEN"))
    out = fix_source(linter, src("x b\n"), unsafe=False)
    assert out.text == "x B\n" and out.applied == {"HL311": 1}
    assert not [f for f in out.result.findings if f.rule == "HL001"]


def test_a_refused_fix_lets_the_fix_it_hid_run():
    linter = StubLinter(replace("HL203", "xy", "BROKEN"), replace("HL311", "yz", "YZ"), errors=broken_when("BROKEN"))
    out = fix_source(linter, src("xyz\n"), unsafe=False)
    assert out.text == "xYZ\n" and out.applied == {"HL311": 1}


def test_a_lone_breaking_fix_changes_nothing_and_stops():
    linter = StubLinter(replace("HL203", "x", "BROKEN"), errors=broken_when("BROKEN"))
    out = fix_source(linter, src("x\n"), unsafe=False)
    assert out.text == "x\n" and out.fixed == 0 and out.diff == ""
    assert linter.calls <= 2 * MAX_PASSES + 1


def test_existing_parse_errors_do_not_block_fixes():
    linter = StubLinter(replace("HL203", "b", "B"), errors=broken_when("OLD"))
    out = fix_source(linter, src("OLD b\n"), unsafe=False)
    assert out.text == "OLD B\n"


def test_yaml_that_no_longer_loads_is_refused():
    linter = StubLinter(replace("HL304", "privileged: true", "privileged: [true"), replace("HL311", "ro: false", "ro: true"))
    out = fix_source(linter, src("a:\n  privileged: true\n  ro: false\n", "compose.yaml", "compose"), unsafe=True)
    assert out.text == "a:\n  privileged: true\n  ro: true\n"


def test_yaml_key_written_twice_is_refused():
    linter = StubLinter(replace("HL308", "  image: a\n", "  image: a\n  resources: {}\n"))
    out = fix_source(linter, src("web:\n  resources: {}\n  image: a\n", "compose.yaml", "compose"), unsafe=True)
    assert out.text == "web:\n  resources: {}\n  image: a\n"


def test_yaml_document_count_must_not_change():
    linter = StubLinter(replace("HL304", "b: 2", "b: 2\n---\nc: 3"))
    out = fix_source(linter, src("a: 1\nb: 2\n", "k8s.yaml", "kubernetes"), unsafe=True)
    assert out.text == "a: 1\nb: 2\n"


# --- termination and idempotence --------------------------------------------------------------

def test_a_cycle_stops_on_the_same_state_every_time():
    linter = StubLinter(replace("HL203", "A", "B"), replace("HL311", "B", "A"))
    out = fix_source(linter, src("A\n"), unsafe=False)
    assert linter.calls <= MAX_PASSES + 1
    again = fix_source(linter, src(out.text), unsafe=False)
    assert again.text == out.text and again.fixed == 0 and again.diff == ""
    out2 = fix_source(linter, src("B\n"), unsafe=False)
    assert out2.text == out.text, "the same member of the cycle, whichever it starts from"


def test_a_fix_that_never_settles_is_bounded():
    def grow(text):
        yield "HL203", 0, 1, "again", Fix("grow", (Edit(0, 0, "x"),))

    linter = StubLinter(grow)
    out = fix_source(linter, src("a\n"), unsafe=False)
    assert out.text == "x" * MAX_PASSES + "a\n"
    assert out.fixed == MAX_PASSES
    assert linter.calls == MAX_PASSES + 1


def test_second_fix_changes_nothing():
    linter = StubLinter(replace("HL203", "cat dog", "cat-dog"), replace("HL311", "dog", "DOG"),
                        insert_before("HL301", "CMD", "USER 1\n", "unsafe"))
    first = fix_source(linter, src("FROM a\r\ncat dog\r\nCMD b"), unsafe=True)
    assert first.fixed == 3
    second = fix_source(linter, src(first.text), unsafe=True)
    assert second.text == first.text and second.fixed == 0 and second.diff == ""


def test_diff_marks_a_missing_final_newline():
    out = fix_source(StubLinter(replace("HL203", "sudo ", "")), src("FROM a\nRUN sudo x"), unsafe=False)
    assert out.diff.endswith("-RUN sudo x\n\\ No newline at end of file\n+RUN x\n\\ No newline at end of file\n")
    assert fix_source(StubLinter(), src("FROM a\n"), unsafe=True).diff == ""


# --- wiring: runner and CLI -------------------------------------------------------------------

@pytest.fixture
def stub_rules(monkeypatch):
    """Make every Linter of the run a stub (no parser or rule needed)."""
    stub = StubLinter(replace("HL203", "sudo ", ""), insert_before("HL301", "CMD", "USER 1\n", "unsafe"))
    monkeypatch.setattr(Linter, "lint_source", lambda self, source: stub.lint_source(source))
    return stub


def test_cli_fix_and_unsafe_fixes(tmp_path, monkeypatch, stub_rules, capsys):
    from hardenlint.cli import main

    (tmp_path / "Dockerfile").write_text("FROM a\nRUN sudo x\nCMD b\n")
    monkeypatch.chdir(tmp_path)
    main(["check", "--fix", "--format", "json", "Dockerfile"])
    assert (tmp_path / "Dockerfile").read_text() == "FROM a\nRUN x\nCMD b\n"
    main(["check", "--fix", "--unsafe-fixes", "--format", "json", "Dockerfile"])
    assert (tmp_path / "Dockerfile").read_text() == "FROM a\nRUN x\nUSER 1\nCMD b\n"
    capsys.readouterr()
    main(["check", "--fix", "--unsafe-fixes", "--format", "json", "Dockerfile"])
    import json

    assert json.loads(capsys.readouterr().out)["summary"]["fixed"] == 0


def test_cli_diff_prints_and_writes_nothing(tmp_path, monkeypatch, stub_rules, capsys):
    from hardenlint.cli import main

    (tmp_path / "Dockerfile").write_text("FROM a\nRUN sudo x\n")
    monkeypatch.chdir(tmp_path)
    code = main(["check", "--diff", "Dockerfile"])
    out = capsys.readouterr().out
    assert code == 1 and "--- a/Dockerfile\n+++ b/Dockerfile\n" in out and "+RUN x\n" in out
    assert (tmp_path / "Dockerfile").read_text() == "FROM a\nRUN sudo x\n"


def test_cli_stdin_fix_writes_the_fixed_text(monkeypatch, stub_rules, capsys):
    from hardenlint.cli import main

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"\xef\xbb\xbfRUN sudo x\r\nCMD b\r\n")))
    main(["check", "--fix", "--unsafe-fixes", "--stdin-filename", "Dockerfile", "-"])
    assert capsys.readouterr().out.startswith("RUN x\r\nUSER 1\r\nCMD b\r\n")
