"""The Dockerfile parser and model: logical lines, heredocs, flags, exact spans, stages, ARGs, HL001."""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Optional

import pytest

from hardenlint.model.dockerfile import Dockerfile, Instruction
from hardenlint.model.parsed import Parsed
from hardenlint.parsers.dockerfile import parse
from hardenlint.source import SourceFile, decode


def P(text: str) -> Parsed:
    return parse(SourceFile("Dockerfile", text, "dockerfile"))


def M(text: str) -> Dockerfile:
    parsed = P(text)
    assert not parsed.errors, [v.message for v in parsed.errors]
    return parsed.model


def at(text: str, span) -> str:
    return text[span.start:span.end]


def pos(span):
    return (span.line, span.column, span.end_line, span.end_column)


def corpus_dir() -> Optional[Path]:
    env = os.environ.get("HARDENLINT_CORPUS")
    root = Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "corpus"
    path = root / "dockerfile"
    return path if path.is_dir() else None


# -- heredocs --------------------------------------------------------------------------------------

def test_heredoc_body_with_instruction_like_lines_is_not_parsed_as_instructions():
    text = "FROM alpine\nRUN <<EOF\nset -e\nFROM evil\nUSER root\nEOF\nUSER app\n"
    m = M(text)
    assert [i.keyword for i in m.instructions] == ["FROM", "RUN", "USER"]
    run = m.instructions[1]
    (h,) = run.heredocs
    assert (h.name, h.body, h.strip_tabs, h.quoted) == ("EOF", "set -e\nFROM evil\nUSER root", False, False)
    assert (run.span.line, run.span.end_line) == (2, 6)
    assert at(text, run.span) == "RUN <<EOF\nset -e\nFROM evil\nUSER root\nEOF"
    assert text[h.body_offset:h.body_offset + len(h.body)] == h.body
    assert pos(h.span) == (3, 1, 5, 10)
    assert at(text, h.marker_span) == "<<EOF"
    assert run.args == "<<EOF"
    assert len(m.stages) == 1 and m.stages[0].instructions[-1].args == "app"


def test_several_heredocs_on_one_line_in_order():
    text = "FROM a\nRUN <<A cat <<B > /out\nfirst\nA\nsecond\nmore\nB\nCMD x\n"
    m = M(text)
    run = m.instructions[1]
    assert [(h.name, h.body) for h in run.heredocs] == [("A", "first"), ("B", "second\nmore")]
    assert (run.span.line, run.span.end_line) == (2, 7)
    assert run.heredocs[1].span.line == 5
    assert [at(text, h.marker_span) for h in run.heredocs] == ["<<A", "<<B"]
    assert m.instructions[2].keyword == "CMD" and m.instructions[2].line == 8


def test_copy_heredoc_with_destination_and_flags():
    text = "FROM a\nCOPY --chmod=644 <<X /etc/app.conf\nkey=value\nX\n"
    ins = M(text).instructions[1]
    assert ins.keyword == "COPY"
    assert [(f.name, f.value) for f in ins.flags] == [("chmod", "644")]
    assert ins.args == "<<X /etc/app.conf"
    assert [w for w, _ in ins.words()] == ["<<X", "/etc/app.conf"]
    assert ins.heredocs[0].body == "key=value"


def test_dash_heredoc_strips_leading_tabs_and_maps_offsets_to_the_file():
    text = "FROM a\nRUN <<-EOT\n\t\techo one\n\ttwo\n\tEOT\n"
    ins = M(text).instructions[1]
    (h,) = ins.heredocs
    assert h.strip_tabs and h.body == "echo one\ntwo"
    assert text[h.body_offset] == "e"            # first body character, after the tabs
    assert h.offset_of(h.body.index("two")) == text.index("two")
    assert at(text, h.span_of(0, 4)) == "echo"
    assert pos(h.span_of(9, 12)) == (4, 2, 4, 5)
    assert ins.span.end_line == 5                # the tab-indented terminator closes it


def test_heredoc_without_dash_needs_an_exact_terminator():
    parsed = P("FROM a\nRUN <<EOF\nx\n\tEOF\nEOF \n")
    (err,) = parsed.errors
    assert "unterminated heredoc" in err.message
    assert pos(err.span) == (2, 5, 2, 10)        # the `<<EOF` marker
    assert parsed.model is not None
    assert parsed.model.instructions[1].heredocs[0].body == "x\n\tEOF\nEOF "


@pytest.mark.parametrize("marker,name,quoted", [
    ('<<"EOF"', "EOF", True), ("<<'EOF'", "EOF", True), ("<<EOF", "EOF", False),
    ('<<-"END"', "END", True), ("<<E'O'F", "EOF", True),
])
def test_heredoc_quoted_delimiters(marker, name, quoted):
    ins = M(f"FROM a\nRUN {marker}\necho $HOME\n{name}\n").instructions[1]
    (h,) = ins.heredocs
    assert (h.name, h.quoted, h.body) == (name, quoted, "echo $HOME")


def test_heredoc_file_descriptor_and_empty_body():
    m = M("FROM a\nRUN 3<<EOF cat /dev/fd/3\nx\nEOF\nRUN <<EOF\nEOF\n")
    assert m.instructions[1].heredocs[0].fd == 3
    empty = m.instructions[2].heredocs[0]
    assert empty.body == "" and empty.lines == [] and m.instructions[2].span.end_line == 6


@pytest.mark.parametrize("line", [
    "RUN cat << EOF",                       # BuildKit needs the word glued to <<
    'RUN ["sh", "-c", "cat <<EOF"]',        # exec form never has heredocs
    "RUN echo '<<EOF'",                     # quoted
    "RUN echo x<<EOF",                      # not at the start of a word
    "ENV A=<<EOF",                          # only RUN, COPY, ADD
])
def test_not_a_heredoc(line):
    m = P(f"FROM a\n{line}\nRUN next\n").model
    assert m.instructions[1].heredocs == []
    assert [i.keyword for i in m.instructions] == ["FROM", line.split()[0], "RUN"]


def test_heredoc_after_continuation_and_onbuild():
    m = M("FROM a\nRUN cat <<EOF \\\n  | sh\necho hi\nEOF\nONBUILD RUN <<X\nbody\nX\n")
    run, onbuild = m.instructions[1], m.instructions[2]
    assert run.args == "cat <<EOF   | sh" and run.heredocs[0].body == "echo hi"
    assert onbuild.heredocs[0].body == "body" and onbuild.span.end_line == 8


# -- escape directive, CRLF, final newline, continuations --------------------------------------------

def test_backtick_escape_directive():
    text = "# escape=`\nFROM mcr.microsoft.com/windows/servercore\nRUN powershell -Command `\n    Write-Host C:\\path\\ `\n    ; exit 0\nCOPY a.txt C:\\app\\\n"
    m = M(text)
    assert m.escape == "`" and m.directives == {"escape": "`"}
    run = m.instructions[1]
    assert run.args == "powershell -Command     Write-Host C:\\path\\     ; exit 0"
    assert (run.span.line, run.span.end_line) == (3, 5)
    copy = m.instructions[2]
    assert copy.args == "a.txt C:\\app\\"          # a trailing backslash is no continuation here
    assert [w for w, _ in copy.words()] == ["a.txt", "C:\\app\\"]


def test_escape_directive_must_be_at_the_very_top():
    m = P("\n# escape=`\nFROM a\nRUN a `\nb\n").model
    assert m.escape == "\\" and m.directives == {}
    assert [i.keyword for i in m.instructions] == ["FROM", "RUN", "B"]


def test_directives_stop_at_first_other_line_and_keys_are_lowercased():
    m = M("# Syntax = docker/dockerfile:1.7\n# check=skip=all\n#escape=`\n# comment\n# escape=\\\nFROM a\n")
    assert m.directives == {"syntax": "docker/dockerfile:1.7", "check": "skip=all", "escape": "`"}
    assert m.escape == "`"


def test_invalid_and_repeated_escape_directive_are_hl001():
    parsed = P("# escape=x\nFROM a\n")
    assert [pos(v.span)[:2] for v in parsed.errors] == [(1, 1)] and "escape" in parsed.errors[0].message
    parsed = P("# escape=`\n# escape=\\\nFROM a\n")
    assert [v.span.line for v in parsed.errors] == [2]


def test_crlf_line_endings():
    text = "FROM a\r\nRUN apt-get update && \\\r\n    apt-get install -y curl\r\nUSER app\r\nCOPY <<EOF /x\r\nline1\r\nline2\r\nEOF\r\n"
    m = M(text)
    run = m.instructions[1]
    assert run.args == "apt-get update &&     apt-get install -y curl"
    assert "\r" not in run.args and "\r" not in m.instructions[2].args
    assert pos(run.span) == (2, 1, 3, 28)
    assert at(text, run.args_span).endswith("curl")
    assert pos(run.span_of(run.args.index("curl"), len(run.args))) == (3, 24, 3, 28)
    assert m.instructions[2].args == "app" and at(text, m.instructions[2].span) == "USER app"
    h = m.instructions[3].heredocs[0]
    assert h.body == "line1\r\nline2\r"           # the file's text, as BuildKit keeps it
    assert h.lines == ["line1", "line2"]
    assert text[h.body_offset:h.body_offset + len(h.body)] == h.body
    assert pos(h.span) == (6, 1, 7, 6)             # the span ends before the `\r`


def test_no_final_newline():
    text = "FROM a\nRUN echo \\\n  done"
    run = M(text).instructions[1]
    assert run.args == "echo   done" and pos(run.span) == (2, 1, 3, 7)
    h = M("FROM a\nRUN <<EOF\nx\nEOF").instructions[1]
    assert h.heredocs[0].body == "x" and h.span.end_line == 4


def test_comments_and_blank_lines_inside_continuations_are_dropped():
    text = ("FROM a\nRUN apt-get update \\\n    # refresh the index\n\n    && apt-get install -y \\\n"
            "  # tools\n      curl\nUSER app\n")
    m = M(text)
    run = m.instructions[1]
    assert run.args == "apt-get update     && apt-get install -y       curl"
    assert (run.span.line, run.span.end_line) == (2, 7)
    assert [i.keyword for i in m.instructions] == ["FROM", "RUN", "USER"]
    # span_of gives exact line/column on the continuation lines
    i = run.args.index("&&")
    assert pos(run.span_of(i, i + 2)) == (5, 5, 5, 7)
    i = run.args.index("curl")
    assert pos(run.span_of(i, i + 4)) == (7, 7, 7, 11)
    assert at(text, run.span_of(i, i + 4)) == "curl"
    # a range across a continuation ends on the last character's line
    start = run.args.index("install")
    sp = run.span_of(start, len(run.args))
    assert (sp.line, sp.end_line, sp.end_column) == (5, 7, 11)
    words = dict(run.words())
    assert pos(words["curl"]) == (7, 7, 7, 11)


def test_backslash_followed_by_trailing_whitespace_continues():
    m = M("FROM a\nRUN echo \\  \t\n  hi\nRUN end\n")
    assert m.instructions[1].args == "echo   hi" and m.instructions[1].span.end_line == 3
    m = M("FROM a\nRUN echo foo\\\\\nRUN end\n")   # an escaped backslash is not a continuation
    assert [i.args for i in m.instructions[1:]] == ["echo foo\\\\", "end"]


def test_continuation_swallows_blank_lines_like_buildkit():
    m = M("FROM a\nRUN echo a \\\n\nRUN b\n")
    assert len(m.instructions) == 2 and m.instructions[1].args == "echo a RUN b"


def test_lowercase_and_indented_instructions():
    text = "from alpine as Build\n  run echo hi\ncopy --from=build /a /b\n"
    m = M(text)
    assert [i.keyword for i in m.instructions] == ["FROM", "RUN", "COPY"]
    assert [i.raw_keyword for i in m.instructions] == ["from", "run", "copy"]
    assert pos(m.instructions[1].keyword_span) == (2, 3, 2, 6)
    assert m.stages[0].name == "build"


# -- flags, args, words, exec form -----------------------------------------------------------------

def test_flags_with_spans():
    text = ('FROM a\nRUN --mount=type=cache,target=/root/.cache \\\n    --network=none --mount="type=secret,id=npm" '
            "pip install x\nCOPY --link --from=build /a /b\n")
    m = M(text)
    run = m.instructions[1]
    assert [(f.name, f.value) for f in run.flags] == [
        ("mount", "type=cache,target=/root/.cache"), ("network", "none"), ("mount", "type=secret,id=npm")]
    assert at(text, run.flags[0].span) == "--mount=type=cache,target=/root/.cache"
    assert pos(run.flags[0].span) == (2, 5, 2, 43)
    assert pos(run.flags[1].span) == (3, 5, 3, 19)
    assert at(text, run.flags[2].span) == '--mount="type=secret,id=npm"'
    assert run.args == "pip install x" and pos(run.args_span) == (3, 49, 3, 62)
    assert run.flag("network").value == "none" and run.flag("--MOUNT").value == "type=secret,id=npm"
    copy = m.instructions[2]
    assert [(f.name, f.value) for f in copy.flags] == [("link", None), ("from", "build")]
    assert copy.args == "/a /b"


def test_double_dash_ends_flags():
    ins = M("FROM a\nRUN --network=host -- --not-a-flag\n").instructions[1]
    assert [f.name for f in ins.flags] == ["network"] and ins.args == "--not-a-flag"


def test_words_honour_quotes_and_escapes():
    text = "FROM a\nRUN echo \"hello world\" 'a b' c\\ d \"q\\\"x\" ''\n"
    ins = M(text).instructions[1]
    words = ins.words()
    assert [w for w, _ in words] == ["echo", "hello world", "a b", "c d", 'q"x', ""]
    assert at(text, words[1][1]) == '"hello world"'
    assert at(text, words[3][1]) == "c\\ d"
    assert pos(words[2][1]) == (2, 24, 2, 29)


def test_exec_form():
    m = M('FROM a\nCMD ["python", "-m", "app"]\nENTRYPOINT /bin/sh -c x\nHEALTHCHECK CMD ["curl", "-f", "x"]\n'
          'RUN [ "a" ] trailing\n')
    cmd, ep, hc, run = m.instructions[1:]
    assert cmd.exec_form == ["python", "-m", "app"]
    assert ep.exec_form is None
    assert hc.exec_form == ["curl", "-f", "x"]
    assert run.exec_form == ["a"]                 # BuildKit reads the first JSON value


def test_json_array_of_non_strings_is_hl001():
    parsed = P('FROM a\nCMD ["a", 1]\n')
    assert [v.span.line for v in parsed.errors] == [2]


def test_logical_text_matches_buildkit_original():
    ins = M("FROM a\n  RUN  echo \\\n  x  \n").instructions[1]
    assert ins.logical_text == "RUN  echo   x  " and ins.args == "echo   x"


# -- stages ---------------------------------------------------------------------------------------

def test_stages_names_base_stage_and_final():
    text = ("FROM --platform=$BUILDPLATFORM golang:1.22 AS Build\nRUN go build\n"
            "FROM build AS test\nRUN go test\nFROM gcr.io/distroless/static:nonroot\nCOPY --from=build /app /app\n")
    m = M(text)
    build, test, final = m.stages
    assert (build.index, build.name, build.platform) == (0, "build", "$BUILDPLATFORM")
    assert build.image.repository == "golang" and build.image.tag == "1.22"
    assert test.base_stage is build and test.image is None and test.image_text == "build"
    assert at(text, test.image_span) == "build"
    assert final.name is None and final.is_final and not build.is_final and m.final_stage is final
    assert final.image.registry == "gcr.io" and final.image.tag == "nonroot"
    assert [i.keyword for i in final.instructions] == ["FROM", "COPY"]
    assert final.from_instruction is final.instructions[0]
    assert m.stage_of(m.instructions[3]) is test
    assert test.root_image is build.image


def test_stage_reference_is_case_insensitive_and_only_backwards():
    m = M("FROM alpine AS Base\nFROM BASE\nFROM later\nFROM alpine AS later\n")
    assert m.stages[1].base_stage is m.stages[0]
    assert m.stages[2].base_stage is None and m.stages[2].image.repository == "later"


def test_instructions_before_first_from_belong_to_no_stage():
    m = M("ARG V=1\nFROM a\nRUN x\n")
    assert [i.keyword for i in m.instructions] == ["ARG", "FROM", "RUN"]
    assert m.stages[0].instructions == m.instructions[1:]
    assert m.stage_of(m.instructions[0]) is None


# -- ARG resolution --------------------------------------------------------------------------------

@pytest.mark.parametrize("text,image_text,variable", [
    ("ARG BASE=python:3.12\nFROM $BASE\n", "python:3.12", False),
    ("ARG BASE=python:3.12\nFROM ${BASE}\n", "python:3.12", False),
    ("FROM ${BASE:-alpine:3.20}\n", "alpine:3.20", False),
    ("ARG BASE=debian\nFROM ${BASE:-alpine}\n", "debian", False),
    ("ARG BASE\nFROM ${BASE:-alpine}\n", "alpine", False),
    ("ARG BASE=\nFROM ${BASE-alpine}x\n", "x", False),
    ('ARG REG=ghcr.io\nARG TAG="1.2"\nFROM ${REG}/app:${TAG}\n', "ghcr.io/app:1.2", False),
    ("ARG V=3.12\nARG IMG=python:${V}-slim\nFROM $IMG\n", "python:3.12-slim", False),
    ("ARG TAG\nFROM nginx:$TAG\n", "nginx:$TAG", True),
    ("FROM nginx:${TAG}\n", "nginx:${TAG}", True),
    ("FROM --platform=$TARGETPLATFORM alpine:${TARGETARCH}\n", "alpine:${TARGETARCH}", True),
])
def test_from_arg_resolution(text, image_text, variable):
    stage = M(text).stages[0]
    assert stage.image_text == image_text
    assert stage.image is not None and stage.image.variable is variable


def test_arg_without_default_is_never_guessed():
    m = M("ARG TAG\nFROM alpine:$TAG\n")
    assert m.global_args == {"TAG": None}
    assert m.stages[0].image.tag == "$TAG" and m.stages[0].image.variable
    assert m.resolve("$TAG") == ("$TAG", False)


def test_from_arg_resolving_to_a_stage_name():
    m = M("ARG STAGE=build\nFROM alpine AS build\nFROM $STAGE\n")
    assert m.stages[1].base_stage is m.stages[0] and m.stages[1].image is None


def test_global_args_and_resolve_in_global_scope():
    m = M('ARG A=1\nARG B="${A}.0"\nARG C\nFROM x\nARG D=4\n')
    assert m.global_args == {"A": "1", "B": "1.0", "C": None}
    assert m.resolve("v$A-${B}") == ("v1-1.0", True)
    assert m.resolve("${D:-none}") == ("none", True)          # a stage ARG is not global
    assert m.resolve("${A:+set}${C:+set}") == ("set", True)
    assert m.resolve("'$A' \\$A $A") == ("'$A' \\$A 1", True)  # single quotes and escapes kept


def test_resolve_inside_stages():
    text = ("ARG VERSION=1.0\nARG USER=app\nFROM alpine AS base\nENV HOME_DIR=/home/app\n"
            "FROM base AS run\nARG VERSION\nARG PORT=8080\nUSER $USER\nENV URL=http://x:${PORT}/v${VERSION}\n"
            "RUN echo $HOME_DIR $URL\nENV PORT=9090\nRUN echo $PORT\n")
    m = M(text)
    run = m.stages[1]
    ins = run.instructions
    assert m.resolve("$VERSION", run) == ("1.0", True)             # bare ARG inherits the global default
    assert m.resolve("$USER", run, at=ins[3]) == ("$USER", False)   # global ARG not redeclared
    assert m.resolve(ins[5].args, run, at=ins[5]) == ("echo /home/app http://x:8080/v1.0", True)
    assert m.resolve("$PORT", run, at=ins[5]) == ("8080", True)
    assert m.resolve("$PORT", run) == ("9090", True)               # ENV wins over ARG
    assert m.resolve("${UNSET_THING:-d}", run) == ("${UNSET_THING:-d}", False)  # base image may set it


def test_resolve_in_scratch_stage_knows_undeclared_is_unset():
    m = M("FROM scratch\nENV A=1\n")
    assert m.resolve("${A}${B:-2}", m.stages[0]) == ("12", True)


# -- HL001 ----------------------------------------------------------------------------------------

def test_unknown_instruction_is_hl001_at_the_keyword():
    parsed = P("FROM a\n  RUNN echo\n")
    (err,) = parsed.errors
    assert pos(err.span) == (2, 3, 2, 7)
    assert "RUNN" in err.message and "RUN" in err.message
    assert parsed.model is not None and parsed.model.instructions[1].keyword == "RUNN"


def test_no_from_is_hl001():
    parsed = P("# just a comment\nRUN echo\n")
    msgs = [(v.span.line, v.message) for v in parsed.errors]
    assert any("no FROM" in m for _, m in msgs)
    assert any(line == 2 and "before the first FROM" in m for line, m in msgs)
    empty = P("")
    assert [(v.span.start, v.span.line) for v in empty.errors] == [(0, 1)]
    assert empty.model is not None and empty.model.stages == []


def test_instruction_before_first_from_other_than_arg_is_hl001():
    parsed = P("ARG OK=1\nENV X=1\nFROM a\n")
    (err,) = parsed.errors
    assert pos(err.span) == (2, 1, 2, 4) and "ENV" in err.message


def test_from_without_image_and_bad_from_arguments():
    parsed = P("FROM\n")
    assert [v.span.line for v in parsed.errors] == [1] and "without an image" in parsed.errors[0].message
    parsed = P("FROM a b\nFROM a AS 1bad\nFROM c AS x\nFROM d AS X\n")
    assert [v.span.line for v in parsed.errors] == [1, 2, 4]
    assert parsed.model.stages[0].image.repository == "a"


@pytest.mark.parametrize("line", ["ENV ONLYNAME", "LABEL a=b c", "ONBUILD ONBUILD RUN x", "ONBUILD FROM x"])
def test_build_breaking_argument_errors(line):
    parsed = P(f"FROM a\n{line}\n")
    assert [v.span.line for v in parsed.errors] == [2]


def test_valid_env_and_label_forms_are_fine():
    M('FROM a\nENV PATH /usr/local/bin:$PATH\nENV A=1 B="two words" C=\nLABEL "org.x"="y" z=""\n')


# -- suppression scope ------------------------------------------------------------------------------

def test_suppression_scope():
    text = ("FROM a\n"                              # 1
            "# hardenlint ignore=HL204 -- why\n"    # 2
            "# another comment\n"                   # 3
            "RUN apt-get update && \\\n"            # 4
            "    # hardenlint ignore=HL205\n"       # 5
            "    apt-get install -y curl\n"         # 6
            "# lonely\n"                            # 7
            "\n"                                    # 8
            "USER app\n"                            # 9
            "RUN <<EOF\n"                           # 10
            "# not a Dockerfile comment\n"          # 11
            "EOF\n"                                 # 12
            "# trailing\n")                         # 13
    m = M(text)
    assert m.suppression_scope(2) == (4, 6)
    assert m.suppression_scope(3) == (4, 6)
    assert m.suppression_scope(5) == (4, 6)   # inside the continuation: that instruction
    assert m.suppression_scope(7) is None     # a blank line before the next instruction
    assert m.suppression_scope(11) is None    # heredoc body
    assert m.suppression_scope(13) is None    # nothing follows
    assert m.suppression_scope(9) is None     # not a comment line
    assert P(text).suppression_scope(2) == (4, 6)


# -- robustness and speed -----------------------------------------------------------------------------

def test_spans_stay_in_bounds_on_odd_inputs():
    for text in ["\\", "FROM a\n\\\n \\\n", "RUN <<", "FROM a\nRUN <<EOF", "\r\n\r\n", "FROM a \\\n",
                 "FROM a\nRUN <<EOF <<EOF\nEOF\n", "# escape=`\n`", "FROM a\nRUN --", "FROM a\nRUN --x='",
                 'FROM a\nCMD ["unterminated', "FROM a\nONBUILD\n", "FROM a\nRUN ${X <<EOF\n"]:
        parsed = P(text)
        for ins in parsed.model.instructions:
            for sp in (ins.span, ins.keyword_span, ins.args_span):
                assert 0 <= sp.start <= sp.end <= len(text)
            ins.words()
            ins.exec_form


def test_hypothesis_never_raises():
    hypothesis = pytest.importorskip("hypothesis")
    st = hypothesis.strategies

    pieces = st.sampled_from(["FROM a", "RUN x", "\n", "\r\n", "\\", "`", " ", "\t", "#", "# escape=`", "<<",
                              "<<-", "EOF", "'", '"', "$", "${A:-b}", "--mount=x", "ARG A=1", "[\"a\"]", "AS b",
                              "COPY", "ENV", "=", "ONBUILD "])

    @hypothesis.settings(max_examples=300, deadline=None, database=None)
    @hypothesis.given(st.lists(pieces, max_size=30))
    def run(parts):
        text = "".join(parts)
        parsed = P(text)
        m = parsed.model
        for ins in m.instructions:
            assert 0 <= ins.span.start <= ins.span.end <= len(text)
            for f in ins.flags:
                assert text[f.span.start:f.span.end].startswith("--")
            for w, sp in ins.words():
                assert 0 <= sp.start <= sp.end <= len(text)
        for stage in m.stages:
            m.resolve(stage.image_text, stage)

    run()


def test_every_corpus_dockerfile_parses_without_exception():
    # Speed is measured by benchmarks/bench.py, not asserted here (a loaded CI machine is no clock).
    folder = corpus_dir()
    if folder is None:
        pytest.skip("shared corpus not present")
    sources = []
    for path in sorted(folder.iterdir()):
        text, _ = decode(path.read_bytes(), path.name)
        sources.append(SourceFile(path.name, text, "dockerfile"))
    assert len(sources) > 100
    results = [parse(s) for s in sources]
    assert all(isinstance(r.model, Dockerfile) for r in results)
    assert sum(len(r.model.instructions) for r in results) > len(sources)
    for r in results:
        for ins in r.model.instructions:
            assert isinstance(ins, Instruction) and ins.keyword_span.start >= ins.span.start


def test_words_agree_with_dockerfile_parse_wordsplitter():
    """dockerfile-parse's WordSplitter is a second implementation of the quote handling of words().

    One known difference: inside double quotes it keeps the backslash of `\\$` and `\\\\`, where a
    shell (and BuildKit's lexer, and words()) drops it.
    """
    from dockerfile_parse.util import WordSplitter

    args = "echo \"a b\" 'c d' e\\ f \"it's\" x\"y z\"w"
    ins = M(f"FROM a\nRUN {args}\n").instructions[1]
    assert [w for w, _ in ins.words()] == list(WordSplitter(args).split())
    ins = M('FROM a\nRUN echo "\\$HOME"\n').instructions[1]
    assert [w for w, _ in ins.words()] == ["echo", "$HOME"]
    assert list(WordSplitter(ins.args).split()) == ["echo", "\\$HOME"]

    folder = corpus_dir()
    if folder is None:
        return
    escape_in_double_quotes = re.compile(r'"(?:[^"\\]|\\.)*\\.(?:[^"\\]|\\.)*"')
    compared, different = 0, []
    for path in sorted(folder.iterdir()):
        model = P(decode(path.read_bytes(), path.name)[0]).model
        if model.escape != "\\":
            continue
        for ins in model.instructions:
            if "\\" in ins.args and escape_in_double_quotes.search(ins.args):
                continue
            compared += 1
            if [w for w, _ in ins.words()] != list(WordSplitter(ins.args).split()):
                different.append(f"{path.name}:{ins.line}")
    assert compared > 10000 and not different, different[:20]


def test_bom_left_in_text_and_bare_arg_redeclaration():
    m = M("\ufeff# escape=`\nARG A=1\nARG A\nFROM x:$A\n")
    assert m.escape == "`" and m.global_args == {"A": "1"} and m.stages[0].image_text == "x:1"
    assert pos(m.instructions[0].keyword_span) == (2, 1, 2, 4)


def test_parser_imports_nothing_heavy():
    import subprocess
    import sys

    code = ("import sys; from hardenlint.parsers.dockerfile import parse; from hardenlint.source import SourceFile;"
            "parse(SourceFile('D', 'FROM a\\nRUN <<EOF\\nx\\nEOF\\nCMD [\"a\"]\\n', 'dockerfile'));"
            "print(sorted(m for m in ('dockerfile', 'dockerfile_parse', 'yaml', 'rich', 'difflib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
