"""The integrations: the pre-commit hooks (through the real pre-commit), the composite GitHub
Action (schema, zizmor, and its own shell steps run locally) and the workflows."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional

import pytest
import yaml

from .conftest import REPO

BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    path = BIN / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed (pip install -e '.[test]')")
    return found


def clean_env(**extra: str) -> Dict[str, str]:
    """The environment without anything GitHub Actions or pre-commit would read from the caller."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GITHUB_", "RUNNER_", "INPUT_", "PRE_COMMIT", "HARDENLINT_"))}
    env.update(NO_COLOR="1", **extra)
    return env


# --- files the hooks and the action run on -------------------------------------------------------

INSECURE = {
    "Dockerfile": (
        "FROM ubuntu:latest\n"
        "RUN apt-get update && apt-get install -y curl openssh-server\n"
        "ENV DB_PASSWORD=hunter2\n"
        "USER root\n"
        'CMD ["/usr/sbin/sshd", "-D"]\n'
    ),
    "compose.yaml": (
        "services:\n"
        "  web:\n"
        "    image: nginx\n"
        "    privileged: true\n"
        "    network_mode: host\n"
        "    volumes:\n"
        "      - /var/run/docker.sock:/var/run/docker.sock\n"
    ),
    "k8s/deploy.yaml": (
        "apiVersion: apps/v1\n"
        "kind: Deployment\n"
        "metadata:\n"
        "  name: web\n"
        "spec:\n"
        "  selector:\n"
        "    matchLabels: {app: web}\n"
        "  template:\n"
        "    metadata:\n"
        "      labels: {app: web}\n"
        "    spec:\n"
        "      hostPID: true\n"
        "      containers:\n"
        "        - name: web\n"
        "          image: nginx:latest\n"
        "          securityContext:\n"
        "            privileged: true\n"
    ),
}

HARDENED = {
    "Dockerfile": (
        "FROM python:3.12-slim\n"
        "WORKDIR /app\n"
        "COPY app.py /app/\n"
        "USER 10001\n"
        'CMD ["python", "/app/app.py"]\n'
    ),
    "compose.yaml": (
        "services:\n"
        "  web:\n"
        "    image: ghcr.io/example/web:1.4.2\n"
        '    user: "10001:10001"\n'
        "    read_only: true\n"
        "    cap_drop: [ALL]\n"
        "    security_opt:\n"
        '      - "no-new-privileges:true"\n'
        "    mem_limit: 256m\n"
    ),
    "k8s/deploy.yaml": (
        "apiVersion: apps/v1\n"
        "kind: Deployment\n"
        "metadata:\n"
        "  name: web\n"
        "spec:\n"
        "  selector:\n"
        "    matchLabels: {app: web}\n"
        "  template:\n"
        "    metadata:\n"
        "      labels: {app: web}\n"
        "    spec:\n"
        "      securityContext:\n"
        "        runAsNonRoot: true\n"
        "        runAsUser: 10001\n"
        "        seccompProfile: {type: RuntimeDefault}\n"
        "      containers:\n"
        "        - name: web\n"
        "          image: ghcr.io/example/web:1.4.2\n"
        "          securityContext:\n"
        "            allowPrivilegeEscalation: false\n"
        "            readOnlyRootFilesystem: true\n"
        "            capabilities: {drop: [ALL]}\n"
        "          resources:\n"
        "            limits: {memory: 256Mi}\n"
    ),
}

# YAML that is neither Compose nor Kubernetes, including look-alikes (a top-level `services` list,
# `apiVersion` without `kind`, a templated file that does not parse).
UNRELATED = {
    ".github/workflows/ci.yml": (
        "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
        "    services:\n      db:\n        image: postgres:latest\n    steps:\n      - run: make test\n"
    ),
    ".pre-commit-config-example.yaml": (
        "repos:\n  - repo: https://github.com/pre-commit/pre-commit-hooks\n    rev: v4.6.0\n"
        "    hooks:\n      - id: trailing-whitespace\n"
    ),
    ".gitlab-ci.yml": "services:\n  - postgres:latest\ntest:\n  script: [make test]\n",
    "chart/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
    "playbook.yml": "- hosts: all\n  tasks:\n    - name: ping\n      ping: {}\n",
    "mkdocs.yml": "site_name: docs\nnav:\n  - Home: index.md\n",
    "empty.yaml": "",
    "templated.yaml": "key: {{ .Values.x }}\n  broken: [\n",
}

RULE_ID = re.compile(r"\bHL\d{3}\b")


def write_tree(root: Path, files: Dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def git(*args: str, cwd: Path) -> str:
    env = clean_env(GIT_CONFIG_NOSYSTEM="1", GIT_TERMINAL_PROMPT="0")
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env=env).stdout


def new_repo(root: Path) -> Path:
    root.mkdir(parents=True)
    git("init", "-q", cwd=root)
    git("config", "user.name", "hardenlint tests", cwd=root)
    git("config", "user.email", "tests@hardenlint.invalid", cwd=root)
    git("config", "commit.gpgsign", "false", cwd=root)
    return root


def rules_with_findings(files: Dict[str, str], root: Path, source: Optional[str] = None) -> List[str]:
    """Rule ids hardenlint reports for these files (recommended preset), via the JSON format;
    `source` runs the hardenlint of that folder (the snapshot pre-commit installs) instead."""
    write_tree(root, files)
    env = clean_env(PYTHONPATH=source) if source else clean_env()
    proc = subprocess.run([sys.executable, "-m", "hardenlint", "check", "--format", "json", "--preset", "recommended", "."],
                          cwd=root, capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode in (0, 1), proc.stderr
    return [f["rule"] for f in json.loads(proc.stdout)["findings"]]


# --- pre-commit --------------------------------------------------------------------------------

def test_hook_manifest_is_valid():
    proc = subprocess.run([tool("pre-commit"), "validate-manifest", str(REPO / ".pre-commit-hooks.yaml")],
                          capture_output=True, text=True, env=clean_env())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    hooks = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"hardenlint", "hardenlint-fix"}
    for h in hooks.values():
        assert h["language"] == "python" and h["require_serial"] is True and h["types"] == ["file"]
    assert hooks["hardenlint"]["entry"] == "hardenlint check --force-exclude"
    assert hooks["hardenlint-fix"]["entry"] == "hardenlint check --force-exclude --fix"


@pytest.mark.parametrize("path, matched", [
    ("Dockerfile", True), ("docker/Dockerfile", True), ("Containerfile", True), ("dockerfile", True),
    ("DOCKERFILE", True), ("Dockerfile.prod", True), ("a/b/Dockerfile.dev", True), ("app.Dockerfile", True),
    ("x/api.dockerfile", True), ("web.containerfile", True), ("Containerfile.arm64", True),
    ("compose.yaml", True), ("k8s/deploy.yml", True), ("X.YAML", True),
    ("README.md", False), ("Dockerfile-old", True), ("build_Dockerfile", True), ("dockerfile.d/notes.txt", False), ("setup.py", False),
    ("a.yaml.bak", False), ("Makefile", False), ("mydockerfile", False),
])
def test_hook_files_pattern(path, matched):
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    for h in hooks:
        assert bool(re.search(h["files"], path)) is matched, (h["id"], path)


@pytest.fixture(scope="session")
def hook_source(tmp_path_factory):
    """This checkout's working tree (tracked and untracked, not ignored) committed to a scratch
    repository, and one PRE_COMMIT_HOME for the session so pre-commit builds the hook's
    environment (pip install of hardenlint) once. pre-commit's `try-repo` would not do: it
    snapshots only tracked changes and always builds in a throwaway store of its own."""
    if os.environ.get("HARDENLINT_SKIP_NETWORK_TESTS"):
        pytest.skip("HARDENLINT_SKIP_NETWORK_TESTS is set (pre-commit pip-installs the hook)")
    src = new_repo(tmp_path_factory.mktemp("hook-src") / "hardenlint")
    names = git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=REPO).split("\0")
    for name in filter(None, names):
        path = REPO / name
        if path.is_file() and not path.is_symlink():
            dest = src / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest)
    git("add", "-A", cwd=src)
    git("commit", "-q", "-m", "snapshot", cwd=src)
    sha = git("rev-parse", "HEAD", cwd=src).strip()
    home = tmp_path_factory.mktemp("pre-commit-home")
    return {"repo": str(src), "rev": sha, "home": str(home)}


def run_hooks(hook_source, files: Dict[str, str], tmp_path: Path, hooks=("hardenlint",), name="project"):
    """Run the hooks with `pre-commit run --all-files` in a fresh git repository holding `files`."""
    repo = new_repo(tmp_path / name)
    write_tree(repo, files)
    config = {"repos": [{"repo": hook_source["repo"], "rev": hook_source["rev"], "hooks": [{"id": h} for h in hooks]}]}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    git("add", "-A", cwd=repo)
    start = time.monotonic()
    proc = subprocess.run([tool("pre-commit"), "run", "--all-files", "--verbose", "--color", "never"],
                          cwd=repo, capture_output=True, text=True, timeout=900,
                          env=clean_env(PRE_COMMIT_HOME=hook_source["home"]))
    return proc, time.monotonic() - start, repo


def test_pre_commit_fails_on_insecure_files(hook_source, tmp_path):
    expected = rules_with_findings(INSECURE, tmp_path / "probe", hook_source["repo"])
    proc, _, _ = run_hooks(hook_source, {**INSECURE, **UNRELATED}, tmp_path)
    out = proc.stdout + proc.stderr
    assert expected, "the insecure files must trigger rules"
    assert proc.returncode == 1, out
    assert "hardenlint" in out and "Failed" in out
    assert set(RULE_ID.findall(out)) >= set(expected), out
    for path in ("Dockerfile", "compose.yaml", "k8s/deploy.yaml"):
        assert path in out
    for path in UNRELATED:
        assert f"{path}:" not in out, out


def test_pre_commit_passes_on_hardened_files(hook_source, tmp_path):
    assert rules_with_findings(HARDENED, tmp_path / "probe", hook_source["repo"]) == []
    proc, _, _ = run_hooks(hook_source, {**HARDENED, **UNRELATED}, tmp_path)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "Passed" in out and not RULE_ID.search(out), out


def test_pre_commit_unrelated_yaml_alone_passes_silently(hook_source, tmp_path):
    proc, elapsed, _ = run_hooks(hook_source, UNRELATED, tmp_path)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "Passed" in out
    assert not RULE_ID.search(out) and "hardenlint:" not in out, out  # no finding, no error line
    assert elapsed < 120, elapsed


def test_pre_commit_fix_hook(hook_source, tmp_path):
    """hardenlint-fix rewrites files that have safe fixes (pre-commit then fails: files changed)."""
    probe = tmp_path / "probe"
    write_tree(probe, INSECURE)
    proc = subprocess.run([sys.executable, "-m", "hardenlint", "check", "--format", "json", "."], cwd=probe,
                          capture_output=True, text=True, env=clean_env(PYTHONPATH=hook_source["repo"]), timeout=120)
    safe = [f for f in json.loads(proc.stdout)["findings"] if f["fix"] and f["fix"]["applicability"] == "safe"]
    proc, _, repo = run_hooks(hook_source, {**INSECURE, **UNRELATED}, tmp_path, hooks=("hardenlint-fix",))
    out = proc.stdout + proc.stderr
    assert safe, "some safe fix must apply to the insecure files"
    assert proc.returncode == 1, out
    changed = {p for p in git("diff", "--name-only", cwd=repo).splitlines()}
    assert changed and changed <= {f["path"] for f in safe}, (changed, out)
    assert not changed & set(UNRELATED)


def test_pre_commit_try_repo(hook_source, tmp_path):
    """`pre-commit try-repo` on the checkout, as a user trying the hook would (its own store)."""
    repo = new_repo(tmp_path / "try")
    write_tree(repo, {**INSECURE, **UNRELATED})
    git("add", "-A", cwd=repo)
    proc = subprocess.run([tool("pre-commit"), "try-repo", hook_source["repo"], "hardenlint", "--all-files",
                           "--color", "never"], cwd=repo, capture_output=True, text=True, timeout=900,
                          env=clean_env(PRE_COMMIT_HOME=hook_source["home"]))
    out = proc.stdout + proc.stderr
    expected = rules_with_findings(INSECURE, tmp_path / "probe", hook_source["repo"])
    assert expected, "the insecure files must trigger rules"
    assert proc.returncode == 1, out
    assert set(RULE_ID.findall(out)) >= set(expected), out


# --- action.yml and the workflows: schemas, zizmor, no expressions in scripts ------------------

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
ACTION = REPO / "action.yml"


def load(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_action_matches_github_action_schema():
    proc = subprocess.run([tool("check-jsonschema"), "--builtin-schema", "vendor.github-actions", str(ACTION)],
                          capture_output=True, text=True, env=clean_env())
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_workflows_match_github_workflow_schema():
    assert {p.name for p in WORKFLOWS} >= {"ci.yml", "hardenlint.yml"}
    proc = subprocess.run([tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *map(str, WORKFLOWS)],
                          capture_output=True, text=True, env=clean_env())
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_zizmor_finds_nothing():
    proc = subprocess.run([tool("zizmor"), "--offline", "--no-progress", "--color", "never", "--format", "json",
                           str(ACTION), *map(str, WORKFLOWS)], capture_output=True, text=True, env=clean_env())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert json.loads(proc.stdout) == [], proc.stdout


def _steps(doc) -> List[dict]:
    if "runs" in doc:
        return list(doc["runs"].get("steps") or [])
    return [s for job in doc["jobs"].values() for s in job.get("steps") or []]


@pytest.mark.parametrize("path", [ACTION, *WORKFLOWS], ids=lambda p: p.name)
def test_no_expression_inside_a_run_block(path):
    for step in _steps(load(path)):
        if "run" in step:
            assert "${{" not in step["run"], (path.name, step.get("name"), step["run"])


@pytest.mark.parametrize("path", [ACTION, *WORKFLOWS], ids=lambda p: p.name)
def test_actions_are_pinned_to_full_commit_shas_with_a_version_comment(path):
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"\s*(?:-\s*)?uses:\s*(\S+)(.*)$", line)
        if not m or m.group(1).startswith("./"):
            continue
        ref = m.group(1)
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", ref), line
        assert re.search(r"#\s*v\d+(\.\d+)*\s*$", m.group(2)), line


def test_workflow_permissions():
    wf = load(REPO / ".github" / "workflows" / "hardenlint.yml")
    (job,) = wf["jobs"].values()
    assert job["permissions"] == {"contents": "read", "security-events": "write"}
    assert wf.get("permissions") == {}
    on = wf.get("on", wf.get(True))  # PyYAML reads the key `on` as True
    assert set(on) == {"push", "pull_request"}
    (lint,) = [s for s in job["steps"] if s.get("uses") == "./"]
    assert lint["with"]["paths"] == "examples/"
    ci = load(REPO / ".github" / "workflows" / "ci.yml")
    (test,) = ci["jobs"].values()
    assert test["strategy"]["matrix"]["python-version"] == ["3.9", "3.10", "3.11", "3.12", "3.13"]
    assert any(s.get("run") == "bash .ci/run" for s in test["steps"])


def test_action_interface():
    doc = load(ACTION)
    assert doc["runs"]["using"] == "composite"
    assert set(doc["inputs"]) == {"paths", "config", "preset", "failure-threshold", "sarif-file", "upload-sarif",
                                  "category", "fix", "baseline"}
    assert doc["inputs"]["failure-threshold"]["default"] == "error"
    assert doc["inputs"]["upload-sarif"]["default"] == "true"
    assert doc["inputs"]["category"]["default"] == "hardenlint"
    assert set(doc["outputs"]) == {"sarif-file", "findings", "exit-code"}
    steps = doc["runs"]["steps"]
    upload = [i for i, s in enumerate(steps) if "upload-sarif" in s.get("uses", "")]
    assert len(upload) == 1
    (threshold,) = [i for i, s in enumerate(steps) if "EXIT_CODE" in (s.get("env") or {})]
    assert threshold > upload[0], "the job must fail only after the SARIF upload"
    assert steps[upload[0]]["with"]["category"] == "${{ inputs.category }}"
    (lint,) = [s for s in steps if s.get("id") == "lint"]
    checks = [line for line in lint["run"].splitlines() if "-m hardenlint check" in line and "--fix" not in line]
    assert len(checks) == 1 and "--format github" in lines_after(lint["run"], checks[0]), "the action lints once"


def lines_after(text: str, first: str) -> str:
    """`first` and its continuation lines."""
    lines = text.splitlines()
    i = lines.index(first)
    out = [lines[i]]
    while out[-1].rstrip().endswith("\\"):
        i += 1
        out.append(lines[i])
    return "\n".join(out)


def test_composite_action_with_a_baseline_reports_only_new_findings(tmp_path):
    probe = tmp_path / "probe"
    write_tree(probe, INSECURE)
    subprocess.run([sys.executable, "-m", "hardenlint", "check", ".", "--write-baseline", "hl-baseline.json"],
                   cwd=probe, check=True, capture_output=True)
    files = {**INSECURE, "hl-baseline.json": (probe / "hl-baseline.json").read_text()}
    runner, failed = composite(tmp_path, files, {"baseline": "hl-baseline.json", "failure-threshold": "note"})
    outs = runner.action_outputs()
    assert failed is None and outs["exit-code"] == "0" and outs["findings"] == "0", runner.logs["lint"].stderr


# --- the composite action's shell steps, run locally ----------------------------------------

EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def parse_outputs(path: Path) -> Dict[str, str]:
    """GITHUB_OUTPUT's format: `name=value` lines and `name<<DELIM` … `DELIM` blocks."""
    out: Dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delim = line.split("<<", 1)
            body: List[str] = []
            i += 1
            while lines[i] != delim:
                body.append(lines[i])
                i += 1
            out[name] = "\n".join(body)
        elif "=" in line:
            name, value = line.split("=", 1)
            out[name] = value
        i += 1
    return out


class CompositeRun:
    """Runs action.yml's `run:` steps the way the runner would, with `uses:` steps skipped."""

    def __init__(self, workspace: Path, temp: Path, inputs: Dict[str, str]) -> None:
        self.doc = load(ACTION)
        self.workspace, self.temp = workspace, temp
        self.inputs = {k: str(v.get("default", "")) for k, v in self.doc["inputs"].items()}
        unknown = set(inputs) - set(self.inputs)
        assert not unknown, unknown
        self.inputs.update(inputs)
        self.outputs: Dict[str, Dict[str, str]] = {}
        self.logs: Dict[str, subprocess.CompletedProcess] = {}
        self.summary = temp / "step-summary.md"
        self.github_env = temp / "github-env"

    def resolve(self, text: str) -> str:
        def one(m):
            expr = m.group(1)
            if expr.startswith("inputs."):
                return self.inputs[expr[len("inputs."):]]
            sm = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expr)
            if sm:
                return self.outputs.get(sm.group(1), {}).get(sm.group(2), "")
            if expr == "github.action_path":
                return str(REPO)
            raise AssertionError(f"the local runner does not know the expression {expr!r}")

        return EXPR.sub(one, text)

    def run(self, base_env: Dict[str, str]) -> Optional[int]:
        """Run the steps in order until one fails; returns the failing exit code or None."""
        for n, step in enumerate(self.doc["runs"]["steps"]):
            if "uses" in step:
                continue
            assert step.get("shell") == "bash", step
            assert "if" not in step, "teach the local runner this step's condition"
            sid = step.get("id", f"step{n}")
            out_file = self.temp / f"output-{sid}"
            env = dict(base_env)
            env.update(
                GITHUB_ACTIONS="true", GITHUB_ACTION_PATH=str(REPO), GITHUB_WORKSPACE=str(self.workspace),
                RUNNER_TEMP=str(self.temp), GITHUB_OUTPUT=str(out_file), GITHUB_ENV=str(self.github_env),
                GITHUB_STEP_SUMMARY=str(self.summary),
            )
            env.update({k: self.resolve(str(v)) for k, v in (step.get("env") or {}).items()})
            proc = subprocess.run(["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", step["run"]],
                                  cwd=self.workspace, env=env, capture_output=True, text=True, timeout=600)
            self.logs[sid] = proc
            self.outputs[sid] = parse_outputs(out_file)
            if proc.returncode != 0:
                return proc.returncode
        return None

    def action_outputs(self) -> Dict[str, str]:
        return {k: self.resolve(v["value"]) for k, v in self.doc["outputs"].items()}


def composite(tmp_path: Path, files: Dict[str, str], inputs: Dict[str, str], **env: str):
    workspace = tmp_path / "workspace"
    temp = tmp_path / "runner-temp"
    workspace.mkdir()
    temp.mkdir()
    write_tree(workspace, files)
    runner = CompositeRun(workspace, temp, inputs)
    base = clean_env(HARDENLINT_ACTION_PYTHON=sys.executable, **env)
    failed = runner.run(base)
    return runner, failed


def _sarif_results(path: Path) -> int:
    data = json.loads(path.read_text(encoding="utf-8"))
    return sum(len(run.get("results") or []) for run in data["runs"])


def test_composite_steps_on_insecure_files(tmp_path):
    files = {**INSECURE, **UNRELATED}
    expected = rules_with_findings(INSECURE, tmp_path / "probe")
    # Paths separated by a newline and by blanks (the way users write them in `with:`).
    runner, failed = composite(tmp_path, files, {"paths": "Dockerfile\ncompose.yaml   k8s/\n.github/\n",
                                                 "failure-threshold": "note"})
    lint = runner.logs["lint"]
    outs = runner.action_outputs()
    assert set(outs) == {"sarif-file", "findings", "exit-code"}
    sarif = Path(outs["sarif-file"])
    assert sarif == runner.temp / "hardenlint.sarif"
    assert outs["exit-code"] in ("0", "1"), lint.stdout + lint.stderr
    assert sarif.is_file(), lint.stderr
    assert runner.outputs["lint"]["sarif-written"] == "true"
    assert int(outs["findings"]) == _sarif_results(sarif) == len(expected)
    assert "### hardenlint" in runner.summary.read_text()
    assert expected, "the insecure files must trigger rules"
    assert outs["exit-code"] == "1"
    assert failed == 1  # the last step fails the job
    assert "findings at or above the failure threshold" in runner.logs[list(runner.logs)[-1]].stdout
    annotations = [line for line in lint.stdout.splitlines() if line.startswith("::")]
    assert any(line.startswith("::error file=") for line in annotations), lint.stdout
    assert len([a for a in annotations if re.match(r"::(error|warning|notice) file=", a)]) == len(expected)
    assert not any(p in a for a in annotations for p in UNRELATED)
    data = json.loads(sarif.read_text())
    assert data["version"] == "2.1.0"


def test_composite_steps_on_clean_files(tmp_path):
    runner, failed = composite(tmp_path, {**HARDENED, **UNRELATED}, {"sarif-file": "out/hl.sarif"})
    outs = runner.action_outputs()
    lint = runner.logs["lint"]
    assert failed is None, lint.stdout + lint.stderr
    assert outs["exit-code"] == "0" and outs["findings"] == "0"
    assert outs["sarif-file"] == "out/hl.sarif"
    assert (tmp_path / "workspace" / "out" / "hl.sarif").is_file()
    assert not [line for line in lint.stdout.splitlines() if re.match(r"::(error|warning|notice) file=", line)]


def test_composite_failure_threshold_none_never_fails(tmp_path):
    runner, failed = composite(tmp_path, INSECURE, {"failure-threshold": "none"})
    assert failed is None, runner.logs["lint"].stderr
    assert runner.action_outputs()["exit-code"] == "0"


def test_composite_config_error_is_exit_code_2_and_fails(tmp_path):
    runner, failed = composite(tmp_path, INSECURE, {"config": "no-such-config.yaml"})
    assert runner.action_outputs()["exit-code"] == "2"
    assert runner.outputs["lint"]["sarif-written"] == "false"  # so the upload step is skipped
    assert failed == 2
    assert "could not complete" in runner.logs[list(runner.logs)[-1]].stdout


def test_composite_fix_writes_fixes_in_place(tmp_path):
    probe = tmp_path / "probe"
    write_tree(probe, INSECURE)
    proc = subprocess.run([sys.executable, "-m", "hardenlint", "check", "--format", "json", "."],
                          cwd=probe, capture_output=True, text=True, env=clean_env(), timeout=120)
    safe = {f["path"] for f in json.loads(proc.stdout)["findings"] if f["fix"] and f["fix"]["applicability"] == "safe"}
    runner, _ = composite(tmp_path, INSECURE, {"fix": "true", "failure-threshold": "none"})
    assert "::group::hardenlint --fix" in runner.logs["lint"].stdout
    changed = {rel for rel, text in INSECURE.items()
               if (tmp_path / "workspace" / rel).read_text(encoding="utf-8") != text}
    assert safe, "some safe fix must apply to the insecure files"
    assert changed and changed <= {os.path.normpath(p) for p in safe}


def test_composite_install_step_builds_a_private_venv(tmp_path):
    """The real install step (no HARDENLINT_ACTION_PYTHON): a virtualenv under RUNNER_TEMP with
    hardenlint pip-installed from the action's own folder. Needs the package index."""
    if os.environ.get("HARDENLINT_SKIP_NETWORK_TESTS"):
        pytest.skip("HARDENLINT_SKIP_NETWORK_TESTS is set")
    doc = load(ACTION)
    install = doc["runs"]["steps"][0]
    assert install["id"] == "install"
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    out = temp / "output"
    env = clean_env(GITHUB_ACTION_PATH=str(REPO), RUNNER_TEMP=str(temp), GITHUB_OUTPUT=str(out),
                    PIP_DISABLE_PIP_VERSION_CHECK="1")
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", install["run"]],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    python = parse_outputs(out)["python"]
    assert python.startswith(str(temp / "hardenlint-venv"))
    assert "hardenlint" in subprocess.run([python, "-m", "hardenlint", "--version"], capture_output=True,
                                          text=True, check=True).stdout


def test_docs_use_the_same_pins_as_the_action_and_workflows():
    docs = (REPO / "docs" / "integrations.md").read_text(encoding="utf-8")
    ours = "\n".join(p.read_text(encoding="utf-8") for p in [ACTION, *WORKFLOWS])
    pins = dict(re.findall(r"uses: ([\w./-]+)@([0-9a-f]{40})", ours))
    for action, sha in re.findall(r"uses: ([\w./-]+)@([0-9a-f]{40})", docs):
        if action in pins:
            assert pins[action] == sha, action
    assert "security-events: write" in docs and "rev:" in docs
