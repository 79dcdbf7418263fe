#!/usr/bin/env python3
"""Benchmark hardenlint over the shared corpus: wall time, files/s, peak memory, cold start.

    python benchmarks/bench.py [--corpus ../shared/corpus] [--runs 5] [--exe PATH] [--peers [BINDIR]]
                               [--kustomize ../shared/kustomize] [--kubectl]
    python benchmarks/bench.py --resolver [--runs 5]

Each measurement runs `hardenlint` as a fresh process, as users run it: the one on PATH, or
--exe. Measure a regular install (`pip install .`): an editable install (`pip install -e .`)
puts an import finder in front of every import and adds about 30 ms to each start. Printed side
by side: one Dockerfile cold (vs bare `python -c pass`, and hadolint with --peers), `--fix
--unsafe-fixes` on a generated 3 MB multi-document manifest vs linting it, the whole-corpus peak
memory, and with --peers [BINDIR] the Dockerfile corpus vs hadolint and the compose+Kubernetes
corpus vs checkov (the `bench` extra; install it in its own virtualenv and pass its bin folder).

Kustomize (when ../shared/kustomize is present): every kustomization of BUILDS.txt rendered and
linted as its own root in one process (benchmarks/kustomize_roots.py), `hardenlint check` on the
whole kubeflow tree (its roots only), and with --kubectl, `kubectl kustomize` on the same BUILDS
list, one process per kustomization, printed beside.
--resolver times the registry resolver instead, against a local registry (Debian's
docker-registry, started here): `hardenlint pin` of a tree of 200 Dockerfiles with 200 distinct
references, cold (empty cache: every lookup goes to the registry) and warm (every answer cached,
no request), next to a plain lint of the same tree.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


EXE = None


def hardenlint_cmd():
    exe = EXE or shutil.which("hardenlint")
    return [exe] if exe else [sys.executable, "-m", "hardenlint"]


def timed(cmd, runs):
    """Median wall seconds and the peak RSS (MiB) of the child processes over `runs` runs."""
    walls, peaks = [], []
    for _ in range(runs):
        start = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(p.pid, 0)
        walls.append(time.perf_counter() - start)
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):
            raise SystemExit(f"{' '.join(cmd)} failed with exit code {code}")
        peaks.append(usage.ru_maxrss / 1024)  # KiB on Linux; the process and the workers it reaped
    return statistics.median(walls), max(peaks)


def cold_ms(*cmds, runs=21, cwd=None, **env_vars) -> list:
    """Median wall milliseconds of each short command, the commands run in turn (so a change in
    the machine's load touches them all alike), in `cwd` with `env_vars` added to the environment."""
    walls = [[] for _ in cmds]
    env = dict(os.environ, NO_COLOR="1", **env_vars)
    for _ in range(runs):
        for cmd, w in zip(cmds, walls):
            start = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd)
            w.append(time.perf_counter() - start)
    return [statistics.median(w) * 1000 for w in walls]


def python_of(cmd) -> str:
    """The interpreter that runs `cmd` (a console script's shebang), so `python -c pass` is timed
    with the same site-packages and .pth files as hardenlint."""
    try:
        with open(cmd[0], "rb") as f:
            first = f.readline()
    except OSError:
        return sys.executable
    if first.startswith(b"#!") and b"python" in first:
        return first[2:].decode().split()[0]
    return sys.executable


def cold_with_config(dockerfile: str) -> float:
    """Median wall milliseconds of one Dockerfile linted in a folder with a .hardenlint.yaml, as in
    a configured repository (the parsed settings cached by an earlier run, as after the first)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(dockerfile, os.path.join(tmp, "Dockerfile"))
        with open(os.path.join(tmp, ".hardenlint.yaml"), "w", encoding="utf-8") as f:
            f.write("preset: recommended\nignore: [HL202]\nfailure-threshold: warning\n")
        cmd = hardenlint_cmd() + ["check", "--no-color", "Dockerfile"]
        cache = os.path.join(tmp, "cache")
        cold_ms(cmd, runs=1, cwd=tmp, HARDENLINT_CACHE_DIR=cache)  # the first run parses and keeps the config
        return cold_ms(cmd, runs=15, cwd=tmp, HARDENLINT_CACHE_DIR=cache)[0]


def big_manifest(k8s: Path, size: int) -> str:
    """A multi-document manifest of about `size` characters from the corpus manifests that hold a
    workload (every document has findings and fixes)."""
    docs = []
    for p in sorted(k8s.iterdir()):
        text = p.read_text(encoding="utf-8", errors="replace")
        if "containers:" in text and "{{" not in text:
            docs.append(text.strip("\n"))
    out, n = [], 0
    while n < size:
        for d in docs:
            out.append(d if d.startswith("---") else "---\n" + d)
            n += len(d)
            if n >= size:
                break
    return "\n".join(out) + "\n"


def bench_fix(hl, k8s: Path, runs: int) -> None:
    """`--fix --unsafe-fixes` on a generated 3 MB multi-document manifest vs linting it: medians of
    `runs` rounds, lint and fix back to back, each fix on a fresh copy."""
    import tempfile

    text = big_manifest(k8s, 3_000_000)
    lints, fixes = [], []
    with tempfile.TemporaryDirectory() as tmp:
        manifest = Path(tmp) / "big.yaml"
        for _ in range(runs):
            manifest.write_text(text, encoding="utf-8")
            lints.append(timed(hl + [str(manifest)], 1)[0])
            fixes.append(timed(hardenlint_cmd() + ["check", "--fix", "--unsafe-fixes", "--failure-threshold", "none",
                                                   "--format", "json", str(manifest)], 1)[0])
        lint, fix = statistics.median(lints), statistics.median(fixes)
        print(f"--fix --unsafe-fixes on a {len(text.encode()) / 1e6:.1f} MB manifest (median of {runs}): {fix:.2f} s, "
              f"linting it {lint:.2f} s ({fix / lint:.1f}x; target at most 3x)")


def count(folder: Path) -> int:
    return sum(1 for p in folder.iterdir() if p.is_file())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=str(REPO.parent / "shared" / "corpus"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--exe", help="the hardenlint executable to time (default: the one on PATH)")
    ap.add_argument("--peers", nargs="?", const="", metavar="BINDIR",
                    help="also time hadolint and checkov (the `bench` extra), from BINDIR or PATH")
    ap.add_argument("--kustomize", default=str(REPO.parent / "shared" / "kustomize"))
    ap.add_argument("--kubectl", action="store_true", help="also time `kubectl kustomize` on the same set")
    ap.add_argument("--resolver", action="store_true", help="time --resolve / pin against a local registry")
    args = ap.parse_args()
    global EXE
    EXE = args.exe
    if args.resolver:
        return bench_resolver(args.runs)
    corpus = Path(args.corpus)
    if not corpus.is_dir():
        print(f"no corpus at {corpus}", file=sys.stderr)
        return 2
    hl = hardenlint_cmd() + ["check", "--format", "json", "--failure-threshold", "none"]
    rows = []
    for label, paths in [
        ("dockerfile", [corpus / "dockerfile"]),
        ("compose+k8s", [corpus / "compose", corpus / "k8s"]),
        ("whole corpus", [corpus / "dockerfile", corpus / "compose", corpus / "k8s"]),
    ]:
        n = sum(count(p) for p in paths)
        size = sum(f.stat().st_size for p in paths for f in p.iterdir()) / 1e6
        wall, peak = timed(hl + [str(p) for p in paths], args.runs)
        rows.append((label, n, size, wall, n / wall, peak))
    print(f"{'set':<14} {'files':>6} {'MB':>6} {'wall s':>7} {'files/s':>8} {'peak MiB':>9}")
    for label, n, size, wall, rate, peak in rows:
        print(f"{label:<14} {n:>6} {size:>6.1f} {wall:>7.2f} {rate:>8.0f} {peak:>9.0f}")

    one = str(sorted((corpus / "dockerfile").iterdir())[0])
    bindir = args.peers or None
    hadolint = shutil.which("hadolint", path=bindir) if args.peers is not None else None
    checkov = shutil.which("checkov", path=bindir) if args.peers is not None else None
    python = python_of(hardenlint_cmd())
    cmds = [hardenlint_cmd() + ["check", "--no-color", one], [python, "-c", "pass"], [python, "-c", "import re"]]
    if hadolint:
        cmds.append([hadolint, "--no-fail", one])
    times = cold_ms(*cmds)
    line = (f"cold start, one Dockerfile (median): hardenlint {times[0]:.0f} ms, "
            f"bare `python -c pass` {times[1]:.0f} ms (+{times[0] - times[1]:.0f} ms), "
            f"`python -c 'import re'` {times[2]:.0f} ms (every console script's wrapper imports re)")
    if hadolint:
        line += f", hadolint {times[3]:.0f} ms"
    print(line)
    print(f"cold start, one Dockerfile beside a .hardenlint.yaml (median): {cold_with_config(one):.0f} ms")
    bench_fix(hl, corpus / "k8s", args.runs)
    print(f"peak memory, whole corpus run: {rows[2][5]:.0f} MiB")

    kust = Path(args.kustomize)
    if (kust / "BUILDS.txt").is_file():
        roots = [line.strip() for line in (kust / "BUILDS.txt").read_text().splitlines() if line.strip()]
        wall, peak = timed([sys.executable, str(REPO / "benchmarks" / "kustomize_roots.py"), str(kust)], args.runs)
        print(f"kustomize: {len(roots)} kustomizations rendered and linted: {wall:.2f} s, peak {peak:.0f} MiB")
        wall, peak = timed(hl + [str(kust / "kubeflow-manifests")], args.runs)
        print(f"kustomize: hardenlint check kubeflow-manifests/ (roots only): {wall:.2f} s, peak {peak:.0f} MiB")
        if args.kubectl and shutil.which("kubectl"):
            start = time.perf_counter()
            for r in roots:
                subprocess.run(["kubectl", "kustomize", str(kust / "kubeflow-manifests" / r)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            print(f"kustomize: kubectl kustomize on the same {len(roots)}: {time.perf_counter() - start:.2f} s")

    dockerfiles = [str(p) for p in sorted((corpus / "dockerfile").iterdir())]
    if hadolint:
        start = time.perf_counter()
        for chunk in range(0, len(dockerfiles), 200):
            subprocess.run([hadolint, "--no-fail", *dockerfiles[chunk:chunk + 200]], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wall = time.perf_counter() - start
        print(f"{len(dockerfiles)} Dockerfiles: hardenlint {rows[0][3]:.2f} s, hadolint {wall:.2f} s "
              f"({wall / rows[0][3]:.0f}x; target at least 30x)")
    if checkov:
        start = time.perf_counter()
        subprocess.run([checkov, "-d", str(corpus / "compose"), "-d", str(corpus / "k8s"), "--framework", "kubernetes",
                        "--quiet", "--compact"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wall = time.perf_counter() - start
        print(f"compose+Kubernetes corpus: hardenlint {rows[1][3]:.2f} s, checkov {wall:.2f} s ({wall / rows[1][3]:.0f}x)")
    return 0


def bench_resolver(runs: int, repos: int = 20, tags: int = 10) -> int:
    """Cold and warm `pin` of 200 distinct references (repos x tags) against a local registry."""
    import tempfile

    sys.path.insert(0, str(REPO))
    from tests.oci_registry import Registry, registry_available

    if not registry_available():
        print("needs /usr/bin/docker-registry (Debian package docker-registry)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "registry").mkdir()
        reg = Registry(tmp / "registry")
        try:
            start = time.perf_counter()
            for r in range(repos):
                reg.push_image(f"bench/app{r}", [f"1.{t}" for t in range(tags)], f"seed{r}")
            print(f"pushed {repos * tags} tags in {time.perf_counter() - start:.1f} s")
            tree = tmp / "tree"
            tree.mkdir()
            for r in range(repos):
                for t in range(tags):
                    (tree / f"{r}-{t}.Dockerfile").write_text(f"FROM {reg.host}/bench/app{r}:1.{t}\nUSER 10001\n")
            texts = {p: p.read_text() for p in tree.iterdir()}
            cache = tmp / "cache"
            env = dict(os.environ, HARDENLINT_CACHE_DIR=str(cache), NO_COLOR="1")
            insecure = ["--insecure-registry", "127.0.0.1"]

            def once(cmd, reset_cache: bool) -> float:
                for p, text in texts.items():
                    p.write_text(text)
                if reset_cache:
                    shutil.rmtree(cache, ignore_errors=True)
                start = time.perf_counter()
                done = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                wall = time.perf_counter() - start
                if done.returncode not in (0, 1):
                    raise SystemExit(f"{' '.join(cmd)} failed: {done.stderr[-500:]}")
                return wall

            pin = hardenlint_cmd() + ["pin", *insecure, str(tree)]
            plain = hardenlint_cmd() + ["check", "--failure-threshold", "none", str(tree)]
            resolved = hardenlint_cmd() + ["check", "--resolve", *insecure, "--failure-threshold", "none", str(tree)]
            lookup_cold, lookup_warm = _resolution_only(reg.host, repos, tags, cache, runs)
            cold = statistics.median(once(pin, True) for _ in range(runs))
            pinned = sum(f"@sha256:" in p.read_text() for p in tree.iterdir())
            once(pin, True)  # fill the cache
            warm = statistics.median(once(pin, False) for _ in range(runs))
            base = statistics.median(once(plain, False) for _ in range(runs))
            warm_check = statistics.median(once(resolved, False) for _ in range(runs))
        finally:
            reg.stop()
    print(f"{len(texts)} Dockerfiles, {repos * tags} distinct references ({pinned} pinned per run)")
    print(f"resolution alone, in-process, cold / warm:     {lookup_cold * 1000:.0f} ms / {lookup_warm * 1000:.0f} ms")
    print(f"pin, cold cache (every lookup to the registry): {cold:.2f} s")
    print(f"pin, warm cache (no request):                   {warm:.2f} s")
    print(f"check, no --resolve:                            {base:.2f} s")
    print(f"check --resolve, warm cache:                    {warm_check:.2f} s (+{(warm_check - base) * 1000:.0f} ms)")
    return 0


def _resolution_only(host: str, repos: int, tags: int, cache_dir: Path, runs: int):
    """Median seconds of resolving the 200 references in this process (the parallel lookups,
    or the cache read), without linting or writing: the resolver's own share of a run."""
    sys.path.insert(0, str(REPO))
    from hardenlint.model.image import parse_image
    from hardenlint.oci.cache import Cache
    from hardenlint.oci.client import Client
    from hardenlint.oci.credentials import Credentials
    from hardenlint.oci.resolve import Resolver, queries_for

    queries = [(q, f"{host}/bench/app{r}:1.{t}") for r in range(repos) for t in range(tags)
               for q in queries_for(parse_image(f"{host}/bench/app{r}:1.{t}"), None, True, True, True)]
    walls = {True: [], False: []}
    for _ in range(runs):
        for cold in (True, False):
            if cold:
                shutil.rmtree(cache_dir, ignore_errors=True)
            start = time.perf_counter()
            got = Resolver(lambda: Client(Credentials(), insecure=["127.0.0.1"]), Cache(str(cache_dir))).resolve(queries)
            walls[cold].append(time.perf_counter() - start)
            assert len(got.tags) == repos * tags and not got.errors, got.errors
    shutil.rmtree(cache_dir, ignore_errors=True)
    return statistics.median(walls[True]), statistics.median(walls[False])


if __name__ == "__main__":
    raise SystemExit(main())
