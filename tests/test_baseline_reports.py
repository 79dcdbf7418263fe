"""--write-baseline / --baseline, --statistics, and several reports from one lint."""
import json
import os
import subprocess
import sys

DOCKERFILE = """FROM ubuntu:latest
RUN apt-get update && apt-get install -y curl
RUN curl -k https://example.com/x.sh | sh
USER root
"""


def hl(cwd, *args, stdin=None):
    return subprocess.run([sys.executable, "-m", "hardenlint", *args], cwd=cwd, capture_output=True, text=True,
                          input=stdin, env=dict(os.environ, NO_COLOR="1"))


def findings(cwd, *args):
    p = hl(cwd, "check", "--format", "json", *args)
    assert p.returncode in (0, 1), p.stderr
    return [(f["rule"], f["line"] if "line" in f else f["span"]["line"]) for f in json.loads(p.stdout)["findings"]]


def setup(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "Dockerfile").write_text(DOCKERFILE)
    p = hl(tmp_path, "check", "app", "--write-baseline", "baseline.json")
    assert p.returncode == 0 and "wrote baseline.json" in p.stderr
    return tmp_path / "baseline.json"


def test_baseline_round_trip_hides_everything_recorded_and_is_stable(tmp_path):
    base = setup(tmp_path)
    first = base.read_bytes()
    data = json.loads(first)
    assert data["version"] == 1 and data["entries"]
    keys = [(e["rule"], e["path"], e["fingerprint"]) for e in data["entries"]]
    assert keys == sorted(keys) and all(e["path"] == "app/Dockerfile" for e in data["entries"])
    assert b"example.com" not in first  # no source text in the file
    p = hl(tmp_path, "check", "app", "--baseline", "baseline.json")
    assert p.returncode == 0 and "0 findings" in p.stdout
    # the same findings give the same bytes, from another working directory too
    hl(tmp_path / "app", "check", ".", "--write-baseline", "../baseline.json")
    assert base.read_bytes() == first


def test_baseline_survives_moved_lines_and_reports_new_findings(tmp_path):
    setup(tmp_path)
    df = tmp_path / "app" / "Dockerfile"
    # lines move (a comment and a blank line on top), and the same construct appears once more
    df.write_text("# build\n\n" + DOCKERFILE + "RUN curl -k https://example.com/x.sh | sh\nRUN sudo true\n")
    new = findings(tmp_path, "app", "--baseline", "baseline.json")
    assert ("HL204", 8) in new  # a new rule's finding
    assert {r for r, _ in new} == {"HL204", "HL106", "HL107"}
    assert all(line == 7 for r, line in new if r in ("HL106", "HL107"))  # only the extra copy
    assert ("HL102", 3) not in new


def test_stale_entries_are_reported_and_bad_baselines_fail_in_one_line(tmp_path):
    setup(tmp_path)
    (tmp_path / "app" / "Dockerfile").write_text(DOCKERFILE.replace("RUN curl -k https://example.com/x.sh | sh\n", ""))
    p = hl(tmp_path, "check", "app", "--baseline", "baseline.json")
    assert p.returncode == 0, p.stdout
    assert "1 HL107 finding(s) in app/Dockerfile no longer occur" in p.stderr
    (tmp_path / "bad.json").write_text("[1, 2]")
    for name in ("bad.json", "missing.json"):
        p = hl(tmp_path, "check", "app", "--baseline", name)
        assert p.returncode == 2 and p.stderr.count("\n") == 1 and "Traceback" not in p.stderr


def test_config_key_baseline_is_relative_to_the_config_file(tmp_path):
    setup(tmp_path)
    (tmp_path / ".hardenlint.yaml").write_text("baseline: baseline.json\n")
    assert hl(tmp_path / "app", "check", ".").returncode == 0
    (tmp_path / ".hardenlint.yaml").write_text("baseline: 3\n")
    assert hl(tmp_path, "check", "app").returncode == 2


def test_statistics_text_and_json(tmp_path):
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    p = hl(tmp_path, "check", "Dockerfile", "--statistics")
    assert p.returncode == 1
    lines = p.stdout.splitlines()
    assert lines[0].split()[:3] == ["COUNT", "RULE", "NAME"] and "total" in lines[-1]
    data = json.loads(hl(tmp_path, "check", "Dockerfile", "--statistics", "--format", "json").stdout)
    rows = data["statistics"]
    assert [(-r["count"], r["rule"]) for r in rows] == sorted((-r["count"], r["rule"]) for r in rows)
    assert data["total"]["findings"] == sum(r["count"] for r in rows)
    hl203 = next(r for r in rows if r["rule"] == "HL203")
    assert hl203["fixable"] == hl203["safe_fixes"] == 1


def test_several_reports_from_one_lint(tmp_path):
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    p = hl(tmp_path, "check", "Dockerfile", "--format", "sarif=out.sarif", "--format", "github", "--format", "json=out.json")
    assert p.returncode == 1
    assert p.stdout.startswith("::") and "HL107" in p.stdout
    sarif = json.loads((tmp_path / "out.sarif").read_text())
    rep = json.loads((tmp_path / "out.json").read_text())
    assert len(sarif["runs"][0]["results"]) == len(rep["findings"]) == p.stdout.count("\n::") + 1
    p = hl(tmp_path, "check", "Dockerfile", "--format", "sarif", "--output", "o2.sarif", "--format", "gcc")
    assert p.returncode == 2 and "only one report" in p.stderr
    assert hl(tmp_path, "check", "Dockerfile", "--format", "xml").returncode == 2
