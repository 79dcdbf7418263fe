"""Start-up budget: what a one-Dockerfile run (the pre-commit and editor case) imports and builds.

A whole process on one Dockerfile should cost little more than starting Python; the modules below
were each a measurable share of it. If one of these tests fails, import the module inside the
function that needs it (see README, "Architecture").
"""
import subprocess
import sys
import textwrap

import pytest

from hardenlint import lazyre
from hardenlint.model.record import FrozenInstanceError, field, record, replace

# Not imported by `hardenlint check Dockerfile`: the YAML, rich, SARIF and fixing stacks, and the
# standard modules whose import cost as much as linting the file (typing, dataclasses and the
# inspect/ast/tokenize it pulls in, shutil with bz2/lzma, multiprocessing, datetime).
FORBIDDEN = ("yaml", "rich", "sarif_om", "attr", "difflib", "typing", "dataclasses", "inspect", "ast", "datetime",
             "tokenize", "shutil", "multiprocessing", "importlib.metadata", "hardenlint.fixer",
             "hardenlint.reporters.sarif", "hardenlint.model.yamlnodes", "hardenlint.model.container",
             "hardenlint.checks.container")

DOCKERFILE = "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y curl\nUSER 1000\nCMD [\"python\"]\n"


def _modules_after(tmp_path, *args):
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    code = textwrap.dedent(f"""
        import sys
        before = set(sys.modules)  # what the interpreter (site, .pth files) imported already
        from hardenlint.cli import main
        try:
            main({["check", "--no-color", *args, str(tmp_path / "Dockerfile")]!r})
        except SystemExit:
            pass
        print(" ".join(sorted(set(sys.modules) - before)))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path).stdout
    return set(out.split("\n")[-2].split())


@pytest.mark.parametrize("args", [(), ("--format", "json"), ("--format", "gcc"), ("--quiet",)])
def test_dockerfile_run_imports_within_budget(tmp_path, args):
    mods = _modules_after(tmp_path, *args)
    assert "hardenlint.checks.dockerfile.provenance" in mods  # it did lint
    assert sorted(m for m in FORBIDDEN if m in mods) == []


def test_no_pattern_is_compiled_at_import():
    code = textwrap.dedent("""
        import re, sys
        seen = []
        real = re._compile
        def spy(pattern, flags):
            caller = sys._getframe(2)
            if caller.f_globals.get("__name__", "").startswith("hardenlint"):
                seen.append(caller.f_globals["__name__"] + ": " + str(pattern))
            return real(pattern, flags)
        re._compile = spy
        from hardenlint import cli, runner, registry
        import hardenlint.parsers.dockerfile
        registry.load("D")
        print(seen)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"  # module-level patterns are lazyre.compile(...)


def test_lazy_pattern_compiles_on_first_use_and_behaves_like_re():
    p = lazyre.compile(r"(a+)(b)?", 0)
    assert p._compiled is None
    assert p.fullmatch("aab").groups() == ("aa", "b")
    assert p._compiled is not None and p.pattern == "(a+)(b)?"
    assert p.sub("x", "caab") == "cx" and [m.group(1) for m in p.finditer("a ba")] == ["a", "a"]
    assert lazyre.compile("A", 2).match("a") is not None  # flags kept (re.I)


@record(frozen=True)
class _Point:
    x: int
    y: int = 0
    tags: tuple = field(default=(), compare=False, repr=False)


@record
class _Bag:
    name: str
    items: list = field(default_factory=list)


def test_record_behaves_like_a_dataclass():
    for _ in range(40):  # past the point where the class gets its compiled __init__
        p = _Point(1, tags=("a",))
        b = _Bag("b")
        assert (p.x, p.y, p.tags, b.items) == (1, 0, ("a",), [])
    assert p == _Point(1) and hash(p) == hash(_Point(1, 0, ("b",))) and repr(p) == "_Point(x=1, y=0)"
    assert _Bag("b").items is not _Bag("b").items and repr(b) == "_Bag(name='b', items=[])"
    assert replace(p, y=5) == _Point(1, 5) and _Point.y == 0
    with pytest.raises(FrozenInstanceError):
        p.x = 2
    b.items.append(1)
    b.name = "c"
    with pytest.raises(TypeError):
        hash(b)
    for bad in (lambda: _Point(), lambda: _Point(1, x=2), lambda: _Point(1, z=2), lambda: _Point(1, 2, 3, 4)):
        with pytest.raises(TypeError):
            bad()


def test_record_generic_init_matches_compiled_one():
    @record
    class C:
        a: int
        b: str = "x"
        c: list = field(default_factory=list)

        def __post_init__(self):
            self.c.append("post")

    early = [C(1), C(2, "y"), C(a=3, c=[1])]
    assert early[0].c == ["post"] and early[2].c == [1, "post"]
    for _ in range(40):
        C(0)
    late = [C(1), C(2, "y"), C(a=3, c=[1])]
    assert early == late
    with pytest.raises(TypeError):
        C(b="y")
