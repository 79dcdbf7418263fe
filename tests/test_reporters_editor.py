"""The gcc, GitHub-annotation and rdjson reporters, on hand-built reports (no rule involved),
and every output format on stdin."""
from __future__ import annotations

import json
import re
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hardenlint.model.findings import Edit, Finding, Fix, Span
from hardenlint.model.positions import LineIndex
from hardenlint.report import Report
from hardenlint.reporters import gcc, github, rdjson

from .conftest import REPO, apply_edits

DOCKERFILE = 'FROM python:3.12\nRUN echo "é 𐐀 x"\nCMD ["app"]\n'


def finding(text, start, end, rule="HL302", name="user-root", level="error", message="msg",
            path="Dockerfile", fix=None):
    return Finding(rule, name, level, path, Span.of(LineIndex(text), start, end), message, fix, "dockerfile")


def report(*findings, texts=None):
    return Report(findings=list(findings), files=1, texts=dict(texts or {}))


# --- gcc -------------------------------------------------------------------------------------

def test_gcc_lines_and_levels():
    t = DOCKERFILE
    r = report(
        finding(t, t.index("python"), t.index("\n"), "HL102", "image-tag-latest", "warning", "tag is moving"),
        finding(t, t.index("echo"), t.index("echo") + 4, "HL302", "user-root", "error", "runs as root"),
        finding(t, t.index("CMD"), t.index("CMD"), "HL318", "non-numeric-user", "note", "a note"),
    )
    assert gcc.render(r) == (
        "Dockerfile:1:6: warning: tag is moving [HL102]\n"
        "Dockerfile:2:5: error: runs as root [HL302]\n"
        "Dockerfile:3:1: note: a note [HL318]\n"
    )


def test_gcc_keeps_one_line_per_finding():
    t = DOCKERFILE
    r = report(finding(t, 0, 4, message="first line\n  second line\r\nthird"))
    out = gcc.render(r)
    assert out == "Dockerfile:1:1: error: first line second line third [HL302]\n"
    assert out.count("\n") == 1


def test_gcc_columns_count_characters_and_are_one_based():
    t = DOCKERFILE
    start = t.index("x\"")  # after "é 𐐀 " on line 2
    out = gcc.render(report(finding(t, start, start + 1)))
    column = len('RUN echo "é 𐐀 ') + 1
    assert out.startswith(f"Dockerfile:2:{column}: ")


def test_gcc_empty_report_prints_nothing():
    assert gcc.render(Report()) == ""


# --- GitHub annotations ----------------------------------------------------------------------

def test_github_single_line_annotation():
    t = DOCKERFILE
    s = t.index("echo")
    out = github.render(report(finding(t, s, s + 4, message="runs as root")))
    # endColumn is inclusive for GitHub: "echo" is columns 5..8.
    assert out == "::error file=Dockerfile,line=2,col=5,endLine=2,endColumn=8,title=HL302 user-root::runs as root\n"


def test_github_levels_map_to_commands():
    t = DOCKERFILE
    out = github.render(report(
        finding(t, 0, 4, level="error"), finding(t, 0, 4, level="warning"), finding(t, 0, 4, level="note"),
    ))
    assert [line.split(" ", 1)[0] for line in out.splitlines()] == ["::error", "::warning", "::notice"]


def test_github_escapes_message_and_properties():
    t = DOCKERFILE
    f = finding(t, 0, 4, message="100% done\r\nnext: a, b", path="dir,x/a:b%c/Dockerfile")
    out = github.render(report(f))
    assert out == (
        "::error file=dir%2Cx/a%3Ab%25c/Dockerfile,line=1,col=1,endLine=1,endColumn=4,"
        "title=HL302 user-root::100%25 done%0D%0Anext: a, b\n"
    )
    assert out.count("\n") == 1


def test_github_escape_functions():
    assert github.escape_data("a%b\rc\nd:e,f") == "a%25b%0Dc%0Ad:e,f"
    assert github.escape_property("a%b\rc\nd:e,f") == "a%25b%0Dc%0Ad%3Ae%2Cf"


def test_github_multi_line_span_has_no_columns():
    t = DOCKERFILE
    out = github.render(report(finding(t, t.index("RUN"), t.index("]") + 1)))
    assert out.startswith("::error file=Dockerfile,line=2,endLine=3,title=")
    assert "col=" not in out and "endColumn=" not in out


def test_github_span_ending_after_a_line_break_stays_on_its_line():
    t = DOCKERFILE
    start = t.index("RUN")
    out = github.render(report(finding(t, start, t.index("CMD"))))  # the whole of line 2, with its "\n"
    assert out.startswith("::error file=Dockerfile,line=2,endLine=2,title=")


def test_github_empty_span_is_one_column():
    t = DOCKERFILE
    s = t.index("CMD")
    out = github.render(report(finding(t, s, s)))
    assert "line=3,col=1,endLine=3,endColumn=1," in out


# --- rdjson ----------------------------------------------------------------------------------

# The rdjson DiagnosticResult shape, written from reviewdog's proto/rdf/reviewdog.proto.
_POSITION = {"type": "object", "properties": {"line": {"type": "integer", "minimum": 1},
                                              "column": {"type": "integer", "minimum": 1}},
             "required": ["line", "column"], "additionalProperties": False}
_RANGE = {"type": "object", "properties": {"start": _POSITION, "end": _POSITION},
          "required": ["start", "end"], "additionalProperties": False}
RDJSON_SCHEMA = {
    "type": "object",
    "properties": {
        "source": {"type": "object", "properties": {"name": {"type": "string"}, "url": {"type": "string"}},
                   "required": ["name"], "additionalProperties": False},
        "severity": {"enum": ["UNKNOWN_SEVERITY", "ERROR", "WARNING", "INFO"]},
        "diagnostics": {"type": "array", "items": {
            "type": "object",
            "properties": {
                "message": {"type": "string"},
                "location": {"type": "object", "properties": {"path": {"type": "string"}, "range": _RANGE},
                             "required": ["path", "range"], "additionalProperties": False},
                "severity": {"enum": ["ERROR", "WARNING", "INFO"]},
                "code": {"type": "object", "properties": {"value": {"type": "string"}, "url": {"type": "string"}},
                         "required": ["value"], "additionalProperties": False},
                "suggestions": {"type": "array", "items": {
                    "type": "object", "properties": {"range": _RANGE, "text": {"type": "string"}},
                    "required": ["range", "text"], "additionalProperties": False}},
            },
            "required": ["message", "location", "severity", "code"],
            "additionalProperties": False,
        }},
    },
    "required": ["source", "diagnostics"],
    "additionalProperties": False,
}


def rd(r: Report) -> dict:
    import jsonschema

    data = json.loads(rdjson.render(r))
    jsonschema.validate(data, RDJSON_SCHEMA)
    return data


def apply_suggestion(text: str, sug: dict) -> str:
    """Apply an rdjson suggestion as reviewdog does: 1-based lines, UTF-8 byte columns, end exclusive."""
    raw = text.encode("utf-8")
    starts = [0] + [i + 1 for i, b in enumerate(raw) if b == 0x0A]

    def offset(pos):
        return starts[pos["line"] - 1] + pos["column"] - 1

    rng = sug["range"]
    return (raw[: offset(rng["start"])] + sug["text"].encode("utf-8") + raw[offset(rng["end"]):]).decode("utf-8")


def test_rdjson_document_shape():
    t = DOCKERFILE
    data = rd(report(finding(t, t.index("echo"), t.index("echo") + 4, level="warning", message="m"),
                     texts={"Dockerfile": t}))
    assert data["source"] == {"name": "hardenlint", "url": "https://github.com/hardenlint/hardenlint"}
    (d,) = data["diagnostics"]
    assert d == {
        "message": "m",
        "location": {"path": "Dockerfile", "range": {"start": {"line": 2, "column": 5}, "end": {"line": 2, "column": 9}}},
        "severity": "WARNING",
        "code": {"value": "HL302", "url": "https://github.com/hardenlint/hardenlint/blob/main/rules/HL302.md"},
    }


def test_rdjson_severities():
    t = DOCKERFILE
    data = rd(report(*(finding(t, 0, 4, level=lvl) for lvl in ("error", "warning", "note"))))
    assert [d["severity"] for d in data["diagnostics"]] == ["ERROR", "WARNING", "INFO"]


def test_rdjson_columns_are_utf8_bytes_end_exclusive():
    t = DOCKERFILE
    s = t.index("𐐀")
    data = rd(report(finding(t, s, t.index("x\"") + 1), texts={"Dockerfile": t}))
    rng = data["diagnostics"][0]["location"]["range"]
    prefix = 'RUN echo "é '
    assert rng["start"] == {"line": 2, "column": len(prefix.encode()) + 1}  # é is 2 bytes
    assert rng["end"] == {"line": 2, "column": len((prefix + "𐐀 x").encode()) + 1}  # 𐐀 is 4 bytes
    line2 = t.splitlines()[1].encode()
    assert line2[rng["start"]["column"] - 1: rng["end"]["column"] - 1].decode() == "𐐀 x"


def test_rdjson_without_text_falls_back_to_character_columns_and_no_suggestions():
    t = DOCKERFILE
    fix = Fix("f", (Edit(0, 4, "from"),))
    data = rd(report(finding(t, t.index("𐐀"), t.index("𐐀") + 1, fix=fix)))  # no texts
    d = data["diagnostics"][0]
    assert d["location"]["range"]["start"] == {"line": 2, "column": len('RUN echo "é ') + 1}
    assert "suggestions" not in d


def _suggested(text, edits, applicability="safe"):
    fix = Fix("fix it", tuple(edits), applicability)
    data = rd(report(finding(text, 0, 1, fix=fix), texts={"Dockerfile": text}))
    return data["diagnostics"][0].get("suggestions")


def test_rdjson_suggestion_replaces_within_a_line():
    t = DOCKERFILE
    s = t.index("3.12")
    (sug,) = _suggested(t, [Edit(s, s + 4, "3.13")])
    assert sug == {"range": {"start": {"line": 1, "column": 1}, "end": {"line": 1, "column": 17}},
                   "text": "FROM python:3.13"}
    assert apply_suggestion(t, sug) == t.replace("3.12", "3.13")


def test_rdjson_suggestion_inserting_at_the_end_is_anchored_on_the_last_line():
    t = DOCKERFILE
    (sug,) = _suggested(t, [Edit(len(t), len(t), "USER 65532\n")])
    assert sug["range"] == {"start": {"line": 3, "column": 1}, "end": {"line": 3, "column": 12}}
    assert sug["text"] == 'CMD ["app"]\nUSER 65532'
    assert apply_suggestion(t, sug) == t + "USER 65532\n"


def test_rdjson_suggestion_merges_edits_on_several_lines():
    t = DOCKERFILE
    edits = [Edit(t.index("CMD"), t.index("CMD"), "USER 65532\n"), Edit(t.index("3.12"), t.index("3.12") + 4, "3.13")]
    (sug,) = _suggested(t, edits)
    assert sug["range"]["start"] == {"line": 1, "column": 1}
    assert sug["range"]["end"]["line"] == 2
    assert apply_suggestion(t, sug) == apply_edits(t, edits)


def test_rdjson_suggestion_deleting_a_whole_line():
    t = DOCKERFILE
    line2 = LineIndex(t).starts[1]
    edit = Edit(line2, LineIndex(t).starts[2], "")
    (sug,) = _suggested(t, [edit])
    assert sug == {"range": {"start": {"line": 2, "column": 1}, "end": {"line": 3, "column": 1}}, "text": ""}
    assert apply_suggestion(t, sug) == apply_edits(t, [edit])


def test_rdjson_suggestion_without_final_newline_and_with_crlf():
    t = "FROM a\r\nUSER root"
    s = t.index("root")
    (sug,) = _suggested(t, [Edit(s, s + 4, "65532")])
    assert sug == {"range": {"start": {"line": 2, "column": 1}, "end": {"line": 2, "column": 10}}, "text": "USER 65532"}
    assert apply_suggestion(t, sug) == "FROM a\r\nUSER 65532"
    s = t.index("a\r")
    (sug,) = _suggested(t, [Edit(s, s + 1, "b")])
    assert sug["text"] == "FROM b"
    assert apply_suggestion(t, sug) == "FROM b\r\nUSER root"


def test_rdjson_unsafe_fixes_are_suggested_display_only_are_not():
    t = DOCKERFILE
    assert _suggested(t, [Edit(0, 4, "from")], "unsafe")
    assert _suggested(t, [Edit(0, 4, "from")], "display-only") is None


_texts = st.lists(st.sampled_from(["FROM a", "RUN é 𐐀", "", "  x: 1", "CMD [\"z\"]"]), min_size=1, max_size=5).flatmap(
    lambda lines: st.sampled_from(["\n", "\r\n"]).flatmap(
        lambda eol: st.booleans().map(lambda final: eol.join(lines) + (eol if final else ""))))


@st.composite
def text_and_edits(draw):
    text = draw(_texts)
    # Cut points on character boundaries, but never inside a "\r\n" pair.
    cuts = [i for i in range(len(text) + 1) if not (0 < i < len(text) and text[i - 1] == "\r" and text[i] == "\n")]
    points = sorted(draw(st.lists(st.sampled_from(cuts), min_size=2, max_size=6)))
    pairs = list(zip(points[::2], points[1::2]))
    contents = st.sampled_from(["", "USER 65532\n", "x", "é", "\n", "a\nb"])
    return text, [Edit(a, b, draw(contents)) for a, b in pairs]


@settings(max_examples=300, deadline=None)
@given(text_and_edits())
def test_rdjson_suggestion_applied_like_reviewdog_equals_the_fix(case):
    from hardenlint.fixer import _valid, apply_fixes

    text, edits = case
    fix = Fix("f", tuple(edits))
    sugs = _suggested(text, edits)
    if not _valid(fix, len(text)):
        assert sugs is None  # ambiguous edits: `--fix` refuses them too
        return
    assert sugs is not None and len(sugs) == 1
    assert apply_suggestion(text, sugs[0]) == apply_fixes(text, [fix])


# --- every format on stdin -------------------------------------------------------------------

INSECURE = "FROM ubuntu:latest\nRUN apt-get update && apt-get install -y curl sudo\nUSER root\nEXPOSE 22\n"


def _stdin(fmt: str, text: str = INSECURE, name: str = "Dockerfile"):
    return subprocess.run(
        [sys.executable, "-m", "hardenlint", "check", "-", "--stdin-filename", name, "--format", fmt, "--no-color"],
        input=text.encode(), capture_output=True, cwd=REPO, env={**os.environ, "NO_COLOR": "1"}, timeout=120,
    )


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "gcc", "github", "rdjson"])
def test_stdin_works_with_every_format(fmt):
    ref = _stdin("json")
    assert ref.returncode in (0, 1), ref.stderr.decode()
    expected = json.loads(ref.stdout)["findings"]
    proc = _stdin(fmt)
    assert proc.returncode == ref.returncode, proc.stderr.decode()
    out = proc.stdout.decode()
    n = len(expected)
    if fmt == "gcc":
        lines = out.splitlines()
        assert len(lines) == n
        assert all(line.startswith("Dockerfile:") and line.endswith(f"[{e['rule']}]") for line, e in zip(lines, expected))
    elif fmt == "github":
        lines = out.splitlines()
        assert len(lines) == n
        assert all(line.startswith(("::error file=Dockerfile,", "::warning file=Dockerfile,", "::notice file=Dockerfile,"))
                   for line in lines)
    elif fmt == "rdjson":
        data = rd_loads(out)
        assert [d["code"]["value"] for d in data["diagnostics"]] == [e["rule"] for e in expected]
        assert all(d["location"]["path"] == "Dockerfile" for d in data["diagnostics"])
    elif fmt == "sarif":
        data = json.loads(out)
        assert sum(len(run.get("results", [])) for run in data["runs"]) == n
    elif fmt == "text":
        assert "finding" in out
    else:
        assert len(json.loads(out)["findings"]) == n


def rd_loads(text: str) -> dict:
    import jsonschema

    data = json.loads(text)
    jsonschema.validate(data, RDJSON_SCHEMA)
    return data


def test_stdin_unrelated_yaml_is_silent_in_machine_formats():
    text = "name: ci\non: push\njobs: {}\n"
    for fmt in ("gcc", "github"):
        proc = _stdin(fmt, text, ".github/workflows/ci.yml")
        assert proc.returncode == 0, proc.stderr.decode()
        assert proc.stdout == b""
    proc = _stdin("rdjson", text, "ci.yml")
    assert proc.returncode == 0 and rd_loads(proc.stdout.decode())["diagnostics"] == []


# --- the editor snippets in docs/integrations.md parse what the gcc format prints ---------------

def _doc_block(lang: str, needle: str) -> str:
    text = (Path(REPO) / "docs" / "integrations.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```" + lang + r"\n(.*?)```", text, re.S)
    (block,) = [b for b in blocks if needle in b]
    return block


def test_vscode_problem_matcher_parses_gcc_lines():
    tasks = json.loads(_doc_block("json", "problemMatcher"))
    pattern = tasks["tasks"][0]["problemMatcher"]["pattern"]
    rx = re.compile(pattern["regexp"])
    t = DOCKERFILE
    r = report(finding(t, 0, 4, "HL302", "user-root", "error", "runs as root: yes [really]", path="sub dir/Dockerfile"),
               finding(t, 0, 4, "HL102", "image-tag-latest", "warning", "w"),
               finding(t, 0, 4, "HL318", "non-numeric-user", "note", "n"))
    lines = gcc.render(r).splitlines()
    got = [rx.match(line) for line in lines]
    assert all(got), lines
    first = got[0]
    assert first.group(pattern["file"]) == "sub dir/Dockerfile"
    assert first.group(pattern["line"]) == "1" and first.group(pattern["column"]) == "1"
    assert first.group(pattern["message"]) == "runs as root: yes [really]"
    assert first.group(pattern["code"]) == "HL302"
    assert [m.group(pattern["severity"]) for m in got] == ["error", "warning", "note"]
