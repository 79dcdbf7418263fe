"""SARIF over the whole shared corpus, in one CLI run: valid against the OASIS schema (format checks
on), accepted by GitHub's ingestion rules, relative paths only, no secret value anywhere.

Skips when the corpus is absent (HARDENLINT_CORPUS overrides its place)."""
from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import List
from urllib.parse import unquote

from hardenlint.discover import kind_by_name

from .sarif_checks import MAX_GZIP, problems, secret_values


def corpus_paths(corpus: Path) -> List[str]:
    """`.` plus the Dockerfiles that a folder walk does not pick up by name (the corpus names them
    `<repo>__<path>__Dockerfile`), relative to the corpus folder."""
    extra = []
    folder = corpus / "dockerfile"
    if folder.is_dir():
        extra = sorted(f"dockerfile/{p.name}" for p in folder.iterdir() if p.is_file() and kind_by_name(p.name) is None)
    return [".", *extra]


def run_cli(corpus: Path, args: List[str]) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_COLOR="1")
    return subprocess.run([sys.executable, "-m", "hardenlint", "check", *args, *corpus_paths(corpus)],
                          cwd=corpus, capture_output=True, text=True, env=env)


def test_corpus_sarif_is_valid_and_ingestible(corpus, tmp_path):
    out = tmp_path / "corpus.sarif"
    started = time.monotonic()
    p = run_cli(corpus, ["--preset", "strict", "--format", "sarif", "--sarif-category", "corpus", "--output", str(out)])
    took = time.monotonic() - started
    assert p.returncode in (0, 1, 2), p.stderr[-2000:]
    assert "Traceback" not in p.stderr, p.stderr[-2000:]
    log = json.loads(out.read_text(encoding="utf-8"))
    found = problems(log, roots=(str(corpus.resolve()), str(tmp_path)))
    assert not found, f"{len(found)} problem(s):\n" + "\n".join(found[:40])
    packed = len(gzip.compress(out.read_bytes()))
    assert packed <= MAX_GZIP, f"gzip-compressed SARIF is {packed} bytes, over GitHub's 10 MB"
    run = log["runs"][0]
    assert len(log["runs"]) == 1
    assert run["invocations"][0]["executionSuccessful"] is (p.returncode != 2)
    assert run["automationDetails"] == {"id": "corpus/"}
    texts = {}
    for r in run["results"]:
        uri = unquote(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
        path = corpus / uri
        assert path.is_file(), uri
        if uri not in texts:
            texts[uri] = path.read_text(encoding="utf-8-sig", errors="replace")
    # No secret value of a file appears in HL501 messages or in any fix's inserted text. Values that
    # occur more than once in the file (`postgres` as password and image name) or that are plain
    # words (`secret`, which messages may say) are ambiguous: skipped.
    leaks = []
    by_uri = {}
    for r in run["results"]:
        by_uri.setdefault(unquote(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]), []).append(r)
    for uri, results in by_uri.items():
        values = [v for v in secret_values(texts[uri])
                  if len(v) >= 6 and not v.isalpha() and texts[uri].count(v) == 1]
        if not values:
            continue
        said = [r["message"]["text"] for r in results if r["ruleId"] == "HL501"]
        said += [rep.get("insertedContent", {}).get("text", "") for r in results for f in r.get("fixes", [])
                 for c in f["artifactChanges"] for rep in c["replacements"]]
        blob = "\n".join(said)
        leaks += [f"{uri}: {v[:3]}…" for v in values if v in blob]
    assert not leaks, leaks[:20]
    notes = run["invocations"][0].get("toolExecutionNotifications", [])
    print(f"\ncorpus SARIF: {len(run['results'])} results, {len(run['tool']['driver']['rules'])} rules, "
          f"{len(notes)} notifications, {out.stat().st_size // 1024} KiB ({packed // 1024} KiB gzipped), {took:.1f}s")
