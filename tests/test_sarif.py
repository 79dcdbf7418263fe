"""SARIF output: valid against the OASIS 2.1.0 schema (format checks on) and GitHub's ingestion
rules, every field we set written, relative paths only, stable fingerprints, and `fixes` that an
independent applier turns into the same bytes as `--fix`.

Most tests build reports by hand or use a stub linter, so they do not depend on particular rules;
the tests marked "real rules" run the rule pages' bad examples.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Dict, List, Optional, Tuple
from urllib.parse import unquote

import pytest

from hardenlint.catalogue import RULES
from hardenlint.docs import page_text, page_url
from hardenlint.engine import Linter
from hardenlint.fixer import apply_fixes, choose
from hardenlint.model.findings import Edit, Finding, Fix, Span
from hardenlint.model.positions import LineIndex
from hardenlint.report import Report
from hardenlint.reporters import sarif
from hardenlint.source import SourceFile, decode

from .conftest import REPO
from .sarif_checks import assert_valid, ingestion_problems, problems, validator
from .test_fixer import StubLinter, insert_before, replace


def finding(rule: str, path: str, text: str, start: int, end: int, message: str = "m",
            fix: Optional[Fix] = None, level: Optional[str] = None) -> Finding:
    info = RULES[rule]
    return Finding(rule, info.name, level or info.level, path, Span.of(LineIndex(text), start, end), message, fix)


def report_of(texts: Dict[str, str], findings: List[Finding], **kw) -> Report:
    kw.setdefault("enabled_rules", frozenset(RULES))
    return Report(findings=findings, files=len(texts), texts=dict(texts), **kw)


def render(report: Report, category: Optional[str] = None) -> dict:
    return json.loads(sarif.render(report, category))


COMPOSE = "services:\n  web:\n    image: nginx:1.27\n    privileged: true\n    cap_add: [SYS_ADMIN, NET_ADMIN]\n"


def compose_report() -> Report:
    t = COMPOSE
    s = t.index("privileged")
    line_start = t.rindex("\n", 0, s) + 1
    delete = Fix("Remove `privileged: true`", (Edit(line_start, t.index("\n", s) + 1, ""),), "unsafe")
    a, b = t.index("SYS_ADMIN"), t.index("NET_ADMIN")
    return report_of({"compose.yaml": t}, [
        finding("HL304", "compose.yaml", t, s, t.index("\n", s), "service `web` runs privileged", delete),
        finding("HL305", "compose.yaml", t, a, a + 9, "service `web` adds SYS_ADMIN", level="error"),
        finding("HL305", "compose.yaml", t, b, b + 9, "service `web` adds NET_ADMIN"),
    ])


# --- validity ---------------------------------------------------------------------------------

def test_a_full_log_is_valid():
    report = compose_report()
    report.unreadable["secret/Dockerfile"] = "secret/Dockerfile: cannot read: Permission denied"
    report.internal_errors.append("compose.yaml: internal error in HL306: KeyError: 'x'")
    report.skipped["chart/templates/deploy.yaml"] = "Helm template"
    log = render(report, "hardenlint")
    assert_valid(log)
    run = log["runs"][0]
    assert log["version"] == "2.1.0" and log["$schema"] == sarif.SCHEMA_URI
    assert len(log["runs"]) == 1 and len(run["results"]) == 3
    assert run["columnKind"] == "unicodeCodePoints"


def test_an_empty_run_is_valid_and_says_so():
    log = render(report_of({}, []))
    assert_valid(log)
    run = log["runs"][0]
    assert run["results"] == []
    assert run["invocations"] == [{"executionSuccessful": True}]
    assert "automationDetails" not in run


def test_format_checking_really_checks_uris():
    log = render(compose_report())
    assert not list(validator().iter_errors(log))
    bad = json.loads(json.dumps(log))
    bad["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] = "a b/c d.yaml"
    assert any(e.validator == "format" for e in validator().iter_errors(bad)), "uri-reference is not checked"
    bad = json.loads(json.dumps(log))
    bad["runs"][0]["tool"]["driver"]["informationUri"] = "not a uri"
    assert any(e.validator == "format" for e in validator().iter_errors(bad)), "uri is not checked"


def test_the_ingestion_checker_catches_what_github_rejects():
    log = render(compose_report())
    bad = json.loads(json.dumps(log))
    res = bad["runs"][0]["results"][0]
    res["ruleIndex"] = 0
    res["locations"] = []
    bad["runs"][0]["tool"]["driver"]["rules"][0]["shortDescription"]["text"] = ""
    bad["runs"][0]["tool"]["driver"]["rules"][1]["properties"]["tags"] = [f"t{i}" for i in range(21)]
    found = "\n".join(ingestion_problems(bad))
    for needle in ("ruleIndex 0 does not point", "no location", "shortDescription.text missing", "21 tags"):
        assert needle in found


# --- shape ------------------------------------------------------------------------------------

def _keys(value, path=""):
    if isinstance(value, dict):
        for k, v in value.items():
            yield path, k
            yield from _keys(v, f"{path}/{k}")
    elif isinstance(value, list):
        for v in value:
            yield from _keys(v, path)


def test_every_field_we_set_is_written_in_camel_case():
    t = "FROM a\n"
    report = report_of({"Dockerfile": t}, [finding("HL204", "Dockerfile", t, 0, 4, level="warning")])
    log = render(report)
    res = log["runs"][0]["results"][0]
    assert res["level"] == "warning", "a value equal to the sarif_om default is still written"
    assert res["ruleId"] == "HL204" and isinstance(res["ruleIndex"], int)
    assert "kind" not in res and "rank" not in res, "fields we did not set are not written"
    snake = [(p, k) for p, k in _keys(log) if "_" in k and "partialFingerprints" not in p]
    assert not snake


def test_rules_are_the_enabled_rules_in_id_order():
    t = "FROM a\n"
    enabled = frozenset({"HL301", "HL101", "HL204"})
    log = render(report_of({"Dockerfile": t}, [finding("HL204", "Dockerfile", t, 0, 4)], enabled_rules=enabled))
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["HL101", "HL204", "HL301"]
    res = log["runs"][0]["results"][0]
    assert rules[res["ruleIndex"]]["id"] == res["ruleId"] == "HL204"


def test_rule_metadata():
    log = render(report_of({}, []))
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "hardenlint" and driver["version"] == driver["semanticVersion"]
    assert driver["informationUri"].startswith("https://")
    by_id = {r["id"]: r for r in driver["rules"]}
    assert set(by_id) == set(RULES)
    for rid, info in RULES.items():
        r = by_id[rid]
        assert r["name"] == info.name
        assert r["shortDescription"]["text"] == info.summary
        assert r["helpUri"] == page_url(rid)
        assert r["defaultConfiguration"]["level"] == info.level
        page = page_text(rid)
        if page:
            assert r["help"]["markdown"] == page and r["help"]["text"] == page
            assert r["fullDescription"]["text"] == sarif.first_paragraph(page)
            assert not r["fullDescription"]["text"].startswith(("#", "Kinds:"))
        props = r["properties"]
        assert props["precision"] in ("very-high", "high", "medium")
        assert set(info.kind_names) <= set(props["tags"]) and info.practice in props["tags"]
        if rid.startswith("HL0"):
            assert "security" not in props["tags"] and "security-severity" not in props
            assert props["problem.severity"] in ("error", "warning", "recommendation")
        else:
            assert "security" in props["tags"]
            score = float(props["security-severity"])
            assert {"error": 7.0 <= score < 9.0, "warning": 4.0 <= score < 7.0, "note": 0.0 < score < 4.0}[info.level]


def test_first_paragraph_skips_title_and_header():
    page = "# HL999: x\n\nKinds: compose · Level: error\n\nThe container runs\nin privileged mode.\n\n## Why\n\nMore.\n"
    assert sarif.first_paragraph(page) == "The container runs in privileged mode."


# --- paths ------------------------------------------------------------------------------------

def test_uris_are_relative_forward_slashed_and_percent_encoded(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    name = os.path.join("my dir", "ü#1?.yaml")
    absolute = str(tmp_path / "abs" / "Dockerfile")
    t = "a: 1\n"
    log = render(report_of({name: t, absolute: t}, [finding("HL304", name, t, 0, 1), finding("HL304", absolute, t, 0, 1)]))
    assert_valid(log, roots=(str(tmp_path),))
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in log["runs"][0]["results"]]
    assert uris[0] == {"uri": "my%20dir/%C3%BC%231%3F.yaml", "uriBaseId": "%SRCROOT%"}
    assert unquote(uris[0]["uri"]) == "my dir/ü#1?.yaml"
    assert uris[1]["uri"] == "abs/Dockerfile"


def test_srcroot_is_described_without_an_absolute_uri():
    base = render(report_of({}, []))["runs"][0]["originalUriBaseIds"]
    assert list(base) == ["%SRCROOT%"]
    assert "uri" not in base["%SRCROOT%"] and base["%SRCROOT%"]["description"]["text"]


def test_notifications_carry_no_absolute_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    report = report_of({}, [])
    report.unreadable["x/Dockerfile"] = f"x/Dockerfile: cannot read: [Errno 13] Permission denied: '{tmp_path}/x/Dockerfile'"
    report.internal_errors.append(f"y.yaml: internal error in HL306: boom at {tmp_path}/y.yaml")
    log = render(report)
    assert_valid(log, roots=(str(tmp_path),))
    inv = log["runs"][0]["invocations"][0]
    assert inv["executionSuccessful"] is False
    notes = inv["toolExecutionNotifications"]
    assert [n["level"] for n in notes] == ["error", "error"]
    assert notes[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "x/Dockerfile"
    assert notes[1]["associatedRule"]["id"] == "HL306"
    assert str(tmp_path) not in json.dumps(log)


@pytest.mark.parametrize("category,expected", [
    (None, None), ("", None), ("hardenlint", "hardenlint/"), ("containers/docker", "containers/docker/"),
    ("containers/", "containers/"),
])
def test_automation_details_from_category(category, expected):
    run = render(report_of({}, []), category)["runs"][0]
    assert run.get("automationDetails", {}).get("id") == expected


# --- fingerprints -----------------------------------------------------------------------------

def _fp(report: Report) -> List[str]:
    return [r["partialFingerprints"][sarif.FINGERPRINT_KEY] for r in render(report)["runs"][0]["results"]]


def test_fingerprints_survive_line_shifts_and_tell_identical_lines_apart():
    t1 = "FROM a\nRUN sudo x\nRUN sudo x\n"
    t2 = "# comment\n\nFROM a\nRUN  sudo x\nRUN sudo x\n"

    def rep(t):
        first = t.index("sudo")
        second = t.index("sudo", first + 1)
        return report_of({"Dockerfile": t}, [finding("HL204", "Dockerfile", t, first, first + 4),
                                             finding("HL204", "Dockerfile", t, second, second + 4)])

    a, b = _fp(rep(t1)), _fp(rep(t2))
    assert a == b, "moving lines and changing inner whitespace keeps the fingerprints"
    assert len(set(a)) == 2, "identical lines get different fingerprints"
    t3 = t1.replace("Dockerfile", "x")
    other_path = report_of({"sub/Dockerfile": t3}, [finding("HL204", "sub/Dockerfile", t3, 11, 15)])
    assert _fp(other_path)[0] not in a


def test_fingerprints_tell_two_findings_on_one_line_apart():
    log = render(compose_report())
    fps = [r["partialFingerprints"][sarif.FINGERPRINT_KEY] for r in log["runs"][0]["results"]]
    assert len(set(fps)) == 3


# --- fixes ------------------------------------------------------------------------------------

def independent_apply(text: str, results: List[dict], uri: str) -> str:
    """Apply the SARIF fixes of `results` for artifact `uri` to `text`, from line/column regions
    only: lines end after "\\n" (SARIF's newline sequences "\\r\\n" and "\\n"), columns count
    code points. Safe and unsafe fixes are taken in result order, a fix overlapping an earlier one is skipped
    whole (an insertion point touching another edit counts as overlapping)."""
    starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def offset(line: int, column: int) -> int:
        return starts[line - 1] + column - 1

    def clash(a: Tuple[int, int], b: Tuple[int, int]) -> bool:
        return (a[0] < b[1] and b[0] < a[1]) or (a[0] == a[1] and b[0] <= a[0] <= b[1]) or (
            b[0] == b[1] and a[0] <= b[0] <= a[1])

    taken: List[Tuple[int, int]] = []
    chosen: List[Tuple[int, int, int, str]] = []
    seen = set()
    for res in results:
        for fix in res.get("fixes", []):
            if fix.get("properties", {}).get("applicability") not in ("safe", "unsafe"):
                continue  # display-only: shown, never applied
            edits = []
            for change in fix["artifactChanges"]:
                if change["artifactLocation"]["uri"] != uri:
                    continue
                for rep in change["replacements"]:
                    d = rep["deletedRegion"]
                    edits.append((offset(d["startLine"], d["startColumn"]), offset(d["endLine"], d["endColumn"]),
                                  rep.get("insertedContent", {}).get("text", "")))
            key = tuple(sorted(edits))
            if key in seen or any(clash((s, e), t) for s, e, _ in edits for t in taken):
                continue  # the same edits as a fix already taken, or an overlap
            seen.add(key)
            taken.extend((s, e) for s, e, _ in edits)
            chosen.extend((s, e, len(chosen) + i, c) for i, (s, e, c) in enumerate(edits))
    for s, e, _, content in sorted(chosen, reverse=True):
        text = text[:s] + content + text[e:]
    return text


@pytest.mark.parametrize("text", [
    "FROM a\nRUN sudo x\nCMD b\n",
    "FROM a\r\nRUN sudo x\r\nCMD b\r\n",
    "FROM ü😀\nRUN é sudo x\nCMD b",  # code points beyond the BMP; no final newline
])
def test_fix_regions_reproduce_the_fixer(text):
    linter = StubLinter(replace("HL203", "sudo ", ""), insert_before("HL301", "CMD", "USER 1\n"),
                        replace("HL202", "CMD b", "CMD [\"b\"]\n# end\n"))
    result, _ = linter.lint_source(SourceFile("Dockerfile", text, "dockerfile"))
    report = report_of({"Dockerfile": text}, result.findings)
    log = render(report)
    assert_valid(log)
    expected = apply_fixes(text, [fx for _, fx in choose(result.findings, True, text)])
    assert independent_apply(text, log["runs"][0]["results"], "Dockerfile") == expected


def test_fix_replacements_in_detail():
    log = render(compose_report())
    res = log["runs"][0]["results"][0]
    assert res["ruleId"] == "HL304"
    (fix,) = res["fixes"]
    assert fix["description"]["text"] == "Remove `privileged: true`"
    assert fix["properties"]["applicability"] == "unsafe"
    (change,) = fix["artifactChanges"]
    assert change["artifactLocation"] == {"uri": "compose.yaml", "uriBaseId": "%SRCROOT%"}
    assert change["replacements"] == [{"deletedRegion": {"startLine": 4, "startColumn": 1, "endLine": 5, "endColumn": 1}}]
    assert "fixes" not in log["runs"][0]["results"][1]


def test_fix_inserting_a_secret_value_is_left_out():
    t = "FROM a\nENV DB_PASSWORD=hunter2hunter2 PYTHONHTTPSVERIFY=0\n"
    s = t.index("ENV")
    rewrite = Fix("rewrite ENV", (Edit(s, t.index("\n", s), "ENV DB_PASSWORD=hunter2hunter2"),), "unsafe")
    v = t.index(" PYTHONHTTPSVERIFY")
    minimal = Fix("drop PYTHONHTTPSVERIFY", (Edit(v, v + len(" PYTHONHTTPSVERIFY=0"), ""),), "unsafe")
    report = report_of({"Dockerfile": t}, [finding("HL107", "Dockerfile", t, v + 1, v + 20, "verification off", rewrite),
                                           finding("HL107", "Dockerfile", t, v + 1, v + 20, "verification off", minimal)])
    report.secrets["Dockerfile"] = ("hunter2hunter2",)  # as the engine finds them (HL501's finder)
    out = sarif.render(report)
    assert "hunter2hunter2" not in out
    results = json.loads(out)["runs"][0]["results"]
    assert "fixes" not in results[0] and results[1]["fixes"]


def test_sarif_fixes_give_the_same_bytes_as_cli_fix(tmp_path, monkeypatch):
    """End to end through the CLI with a stub linter: `--format sarif --output`, then the
    independent applier, against `check --fix --unsafe-fixes` on a copy."""
    from hardenlint.cli import main

    stub = StubLinter(replace("HL203", "sudo ", ""), insert_before("HL301", "CMD", "USER 1\n", "unsafe"),
                      replace("HL304", "    privileged: true\n", ""))
    monkeypatch.setattr(Linter, "lint_source", lambda self, source: stub.lint_source(source))
    files = {
        "Dockerfile": b"\xef\xbb\xbfFROM a\r\nRUN sudo x\r\nCMD b\r\n",
        "sub dir/app.dockerfile": "FROM ü\nRUN sudo é\nCMD b".encode(),
        "compose.yaml": b"services:\n  web:\n    image: a\n    privileged: true\n",
    }
    a, b = tmp_path / "a", tmp_path / "b"
    for root in (a, b):
        for name, data in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(data)
    monkeypatch.chdir(a)
    assert main(["check", "--format", "sarif", "--output", str(tmp_path / "out.sarif"), "."]) == 1
    log = json.loads((tmp_path / "out.sarif").read_text(encoding="utf-8"))
    assert_valid(log, roots=(str(tmp_path),))
    results = log["runs"][0]["results"]
    assert {r["ruleId"] for r in results} == {"HL203", "HL301", "HL304"}
    for name, data in files.items():
        text, bom = decode(data, name)
        uri = sarif.artifact_uri(name)
        fixed = independent_apply(text, [r for r in results if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == uri], uri)
        (a / name).write_bytes((b"\xef\xbb\xbf" if bom else b"") + fixed.encode())
    monkeypatch.chdir(b)
    main(["check", "--fix", "--unsafe-fixes", "--format", "json", "--output", str(tmp_path / "fix.json"), "."])
    for name in files:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


# --- real rules: the rule pages' bad examples -------------------------------------------------

FENCE = re.compile(r"^```(\w+) (bad|good)(?: (\S+))?\n(.*?)^```", re.M | re.S)
DEFAULT_NAME = {"dockerfile": "Dockerfile", "yaml": "compose.yaml"}


def bad_examples() -> List[Tuple[str, str, str]]:
    out = []
    for page in sorted((REPO / "rules").glob("HL*.md")):
        for lang, role, name, body in FENCE.findall(page.read_text(encoding="utf-8")):
            if role == "bad":
                out.append((page.stem, name or DEFAULT_NAME.get(lang, "Dockerfile"), body))
    return out


def _lay_out(root: Path) -> Dict[str, List[str]]:
    """Write every bad example to its own folder; rule id -> paths (relative to `root`)."""
    paths: Dict[str, List[str]] = {}
    for n, (rid, name, body) in enumerate(bad_examples()):
        p = root / f"{rid}-{n}" / name
        p.parent.mkdir(parents=True)
        p.write_text(body, encoding="utf-8")
        paths.setdefault(rid, []).append(str(p.relative_to(root)))
    return paths


ARGS = ["--preset", "strict", "--trusted-registry", "docker.io", "--trusted-registry", "ghcr.io/acme"]


def _cli(args: List[str]) -> int:
    from hardenlint.cli import main

    return main(args)


def _sarif_for(paths: List[str], out: Path, args=ARGS) -> dict:
    _cli(["check", *args, "--format", "sarif", "--output", str(out), *paths])
    return json.loads(out.read_text(encoding="utf-8"))


def _applicable(result: dict) -> bool:
    return any(f.get("properties", {}).get("applicability") in ("safe", "unsafe") for f in result.get("fixes", []))


def _uri_of(result: dict) -> str:
    return result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]


@pytest.fixture
def examples(tmp_path, monkeypatch):
    assert bad_examples(), "the rule pages have bad examples"
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work, _lay_out(work)


def test_real_rules_sarif_fixes_give_the_same_bytes_as_cli_fix(examples, tmp_path):
    """Per rule (as the rule page tests do): apply the SARIF fixes of its bad examples with the
    independent applier; where that leaves nothing fixable (one pass was enough), `--fix` must
    give the same bytes."""
    work, by_rule = examples
    compared, fixable = 0, 0
    for rid, paths in sorted(by_rule.items()):
        args = [*ARGS, "--select", rid]
        log = _sarif_for(paths, tmp_path / "before.sarif", args)
        assert_valid(log, roots=(str(tmp_path),))
        results = log["runs"][0]["results"]
        originals = {p: (work / p).read_bytes() for p in paths}
        applied = {}
        for p in paths:
            uri = sarif.artifact_uri(p)
            mine = [r for r in results if _uri_of(r) == uri]
            if any(_applicable(r) for r in mine):
                applied[p] = independent_apply(originals[p].decode("utf-8"), mine, uri)
        if not applied:
            continue
        fixable += 1
        for p, text in applied.items():
            (work / p).write_text(text, encoding="utf-8")
        again = _sarif_for(list(applied), tmp_path / "again.sarif", args)
        multi = {unquote(_uri_of(r)) for r in again["runs"][0]["results"] if _applicable(r)}
        for p, data in originals.items():
            (work / p).write_bytes(data)
        _cli(["check", *args, "--fix", "--unsafe-fixes", "--format", "json", "--output", str(tmp_path / "fix.json"), *paths])
        for p, text in applied.items():
            if p not in multi:
                assert (work / p).read_text(encoding="utf-8") == text, f"{rid}: {p}"
                compared += 1
    assert fixable, "some rule page's bad example has a fix"
    assert compared, "no file was fixed in one pass"


def test_real_rules_all_at_once_valid_and_second_fix_changes_nothing(examples, tmp_path):
    work, by_rule = examples
    paths = [p for ps in by_rule.values() for p in ps]
    log = _sarif_for(paths, tmp_path / "all.sarif")
    assert_valid(log, roots=(str(tmp_path),))
    _cli(["check", *ARGS, "--fix", "--unsafe-fixes", "--format", "json", "--output", str(tmp_path / "fix.json"), *paths])
    fixed = {p: (work / p).read_bytes() for p in paths}
    _cli(["check", *ARGS, "--fix", "--unsafe-fixes", "--format", "json", "--output", str(tmp_path / "fix2.json"), *paths])
    assert json.loads((tmp_path / "fix2.json").read_text())["summary"]["fixed"] == 0
    assert {p: (work / p).read_bytes() for p in paths} == fixed
    after = _sarif_for(paths, tmp_path / "after.sarif")
    assert_valid(after, roots=(str(tmp_path),))
    left = [(_uri_of(r), r["ruleId"]) for r in after["runs"][0]["results"] if _applicable(r)]
    assert not left, f"fixable findings left after --fix: {left}"


SECRETS = {
    "Dockerfile": ("FROM python:3.12-slim\nENV DB_PASSWORD=Tr0ub4dor3xyz PYTHONHTTPSVERIFY=0\n"
                   "ARG GITHUB_TOKEN=ghp_abcdefghijklmnop1234\nRUN curl -k https://x.example/a\n", ["Tr0ub4dor3xyz", "ghp_abcdefghijklmnop1234"]),
    "compose.yaml": ("services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: S3cr3tPassw0rd\n"
                     "      NODE_TLS_REJECT_UNAUTHORIZED: \"0\"\n    privileged: true\n", ["S3cr3tPassw0rd"]),
    "k8s.yaml": ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: app\n      image: app:1\n"
                 "      env:\n        - name: API_TOKEN\n          value: tok-9f8e7d6c5b4a\n        - name: GIT_SSL_NO_VERIFY\n"
                 "          value: \"true\"\n", ["tok-9f8e7d6c5b4a"]),
}


def test_real_rules_no_secret_value_in_any_output(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    for name, (body, _) in SECRETS.items():
        (tmp_path / name).write_text(body)
    values = [v for _, vs in SECRETS.values() for v in vs]
    outputs = {}
    for fmt in ("sarif", "json", "text", "gcc", "github", "rdjson"):
        _cli(["check", *ARGS, "--format", fmt, "--output", str(tmp_path / f"out.{fmt}"), *SECRETS])
        outputs[fmt] = (tmp_path / f"out.{fmt}").read_text(encoding="utf-8")
    _cli(["check", *ARGS, "--no-color", *SECRETS])  # text with source lines, on stdout
    _cli(["check", *ARGS, "--diff", "--unsafe-fixes", *SECRETS])  # diff context lines
    outputs["stdout"] = capsys.readouterr().out
    assert "ENV DB_PASSWORD=*************" in outputs["stdout"], "source lines are shown, masked"
    assert "@@" in outputs["stdout"], "the diff was printed"
    log = json.loads(outputs["sarif"])
    assert not problems(log, roots=(str(tmp_path),))
    assert {"HL501", "HL107"} <= {r["ruleId"] for r in log["runs"][0]["results"]}
    for fmt, text in outputs.items():
        for v in values:
            assert v not in text, f"{fmt} output carries a secret value"
    for r in log["runs"][0]["results"]:
        for fix in r.get("fixes", []):
            for change in fix["artifactChanges"]:
                for rep in change["replacements"]:
                    assert not any(v in rep.get("insertedContent", {}).get("text", "") for v in values)


def test_cli_sarif_category_and_output(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Dockerfile").write_text("FROM python:3.12-slim\nUSER 10001\n")
    _cli(["check", "--format", "sarif", "--sarif-category", "containers", "--output", "o.sarif", "Dockerfile"])
    log = json.loads((tmp_path / "o.sarif").read_text())
    assert_valid(log, roots=(str(tmp_path),))
    assert log["runs"][0]["automationDetails"] == {"id": "containers/"}


def test_vendored_schema_matches_the_shared_copy():
    import hashlib

    from .sarif_checks import SCHEMA

    shared = SCHEMA.parents[3] / "shared" / "schemas" / "sarif-schema-2.1.0.json"
    digest = hashlib.sha256(SCHEMA.read_bytes()).hexdigest()
    assert digest == "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"
    if shared.is_file():
        assert shared.read_bytes() == SCHEMA.read_bytes()


def test_credentials_in_urls_and_headers_are_masked_in_source_lines(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Dockerfile").write_text(
        "FROM alpine:3.20\nADD https://deploy:Pa55w0rdXyz@files.example.com/app.tgz /opt/\n"
        "RUN curl -k -H 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9abc' https://api.example.com/x\n")
    _cli(["check", "--no-color", "Dockerfile"])
    out = capsys.readouterr().out
    assert "HL105" in out and "HL107" in out
    assert "Pa55w0rdXyz" not in out and "eyJhbGciOiJIUzI1NiJ9abc" not in out
    assert "https://deploy:***********@files.example.com" in out
