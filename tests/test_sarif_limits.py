"""SARIF stays within what GitHub code scanning ingests; what it cuts, it says."""
import json
import os
import subprocess
import sys

from hardenlint.reporters.sarif import MAX_RESULTS, fit_github_limits

from .sarif_checks import schema_problems


def test_a_tree_over_the_result_limit_keeps_the_most_severe(tmp_path):
    # one error (USER root), MAX_RESULTS + 300 warnings (sudo), and a few notes
    lines = ["FROM alpine:3.20"] + ["RUN sudo true"] * (MAX_RESULTS + 300) + ["RUN apk add curl", "USER root"]
    (tmp_path / "big").mkdir()
    (tmp_path / "big" / "Dockerfile").write_text("\n".join(lines) + "\n")
    (tmp_path / "small.Dockerfile").write_text("FROM alpine:3.20\nUSER root\n")
    p = subprocess.run([sys.executable, "-m", "hardenlint", "check", ".", "--format", "sarif=out.sarif", "--format", "json"],
                       cwd=tmp_path, capture_output=True, text=True, env=dict(os.environ, NO_COLOR="1"))
    assert p.returncode == 1, p.stderr
    every = json.loads(p.stdout)["findings"]
    assert len(every) > MAX_RESULTS + 300
    log = json.loads((tmp_path / "out.sarif").read_text())
    assert schema_problems(log) == []
    results = log["runs"][0]["results"]
    assert len(results) == MAX_RESULTS
    levels = [r["level"] for r in results]
    assert levels.count("error") == sum(1 for f in every if f["level"] == "error") == 2
    assert "note" not in levels  # dropped first
    notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    (cut,) = [n for n in notes if "GitHub code scanning ingests" in n["message"]["text"]]
    assert cut["level"] == "warning" and f"left out {len(every) - MAX_RESULTS} of {len(every)} results" in cut["message"]["text"]
    assert "GitHub code scanning ingests" in p.stderr


def test_gzip_size_limit_drops_lowest_levels_until_it_fits():
    results = [{"ruleId": "HL204", "level": lvl, "message": {"text": os.urandom(200).hex()},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": "D"}}}] * (1 if i else 150)}
               for i, lvl in enumerate(["error"] * 5 + ["warning"] * 200 + ["note"] * 200)]
    log = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "hardenlint", "rules": []}}, "results": results}]}
    text, message = fit_github_limits(log, max_gzip_bytes=60_000)
    import gzip
    assert len(gzip.compress(text.encode())) <= 60_000
    kept = json.loads(text)["runs"][0]["results"]
    assert [r["level"] for r in kept[:5]] == ["error"] * 5 and len(kept) < len(results)
    if any(r["level"] == "note" for r in kept):  # a note survives only when every warning did
        assert sum(1 for r in kept if r["level"] == "warning") == 200
    assert len(kept[0]["locations"]) == 100 and "locations" in message
    _, none = fit_github_limits({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": results[6:8]}]})
    assert none is None
