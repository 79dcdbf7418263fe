"""Parsed config files kept in the user cache (hardenlint/usercache.py): a run with an unchanged
config imports neither PyYAML nor tomllib, and any change to the text is read afresh."""
import hashlib
import json
import subprocess
import sys
import textwrap

import pytest

from hardenlint.config import ConfigError, load_file

DOCKERFILE = "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y curl\nCMD [\"python\"]\n"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("HARDENLINT_CACHE_DIR", str(folder))
    return folder


def entries(cache):
    return sorted((cache / "config").glob("*.json")) if (cache / "config").is_dir() else []


def _run(project, cache, *args):
    """`hardenlint check` in a fresh process: (exit code, stdout, parsers imported)."""
    code = textwrap.dedent(f"""
        import sys
        from hardenlint.cli import main
        try:
            rc = main({["check", "--no-color", "--format", "gcc", *args, "Dockerfile"]!r})
        except SystemExit as e:
            rc = e.code
        print("IMPORTED", sorted(m for m in ("yaml", "tomllib", "tomli") if m in sys.modules), rc)
    """)
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=project,
                       env={**__import__("os").environ, "HARDENLINT_CACHE_DIR": str(cache)})
    out, _, tail = p.stdout.rpartition("IMPORTED ")
    imported, rc = tail.rsplit(" ", 1)
    return int(rc), out, imported


@pytest.mark.parametrize("name,config,parser", [
    (".hardenlint.yaml", "ignore: [HL202]\nfailure-threshold: error\n", "yaml"),
    ("pyproject.toml", "[project]\nname = 'x'\n\n[tool.hardenlint]\nignore = ['HL202']\nfailure-threshold = 'error'\n", "tomllib"),
])
def test_unchanged_config_is_not_parsed_again(tmp_path, cache, name, config, parser):
    if parser == "tomllib" and sys.version_info < (3, 11):
        parser = "tomli"
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    (tmp_path / name).write_text(config)
    first = _run(tmp_path, cache)
    assert parser in first[2] and len(entries(cache)) == 1
    second = _run(tmp_path, cache)
    assert second[:2] == first[:2] and second[2] == "[]"  # same findings and exit code, no parser imported
    assert "HL202" not in second[1] and "HL301" in second[1]


def test_any_change_is_read_afresh(tmp_path, cache):
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    config = tmp_path / ".hardenlint.yaml"
    config.write_text("ignore: [HL301]\n")
    assert "HL301" not in _run(tmp_path, cache)[1]
    config.write_text("ignore: [HL202]\n")  # same size: only the text tells
    rc, out, imported = _run(tmp_path, cache)
    assert "HL301" in out and "HL202" not in out and imported == "['yaml']"


def test_no_cache_neither_reads_nor_writes(tmp_path, cache):
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    (tmp_path / ".hardenlint.yaml").write_text("ignore: [HL202]\n")
    assert _run(tmp_path, cache, "--no-cache")[2] == "['yaml']"
    assert entries(cache) == []
    _run(tmp_path, cache)
    assert _run(tmp_path, cache, "--no-cache")[2] == "['yaml']"  # a kept entry is not read either


def test_kept_settings_give_the_same_config(tmp_path, cache):
    path = tmp_path / ".hardenlint.yaml"
    path.write_text("# mirror token: s3cr3t-in-a-comment\npreset: strict\nignore: [HL202, HL3]\nrules:\n  HL301:\n    default-user: \"10001\"\n"
                    "exclude: ['vendor/**']\n")
    fresh = load_file(str(path))
    assert load_file(str(path), cache=True) == fresh  # parsed, kept
    (entry,) = entries(cache)
    kept = json.loads(entry.read_text())
    assert kept["path"] == str(path) and kept["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert "s3cr3t" not in entry.read_text()  # the settings as parsed, never the file's text
    cached = load_file(str(path), cache=True)  # from the cache
    assert cached == fresh and list(cached.rule_options) == list(fresh.rule_options)


def test_kept_settings_keep_their_order(tmp_path, cache):
    path = tmp_path / ".hardenlint.yaml"
    path.write_text("per-file-ignores:\n  'z/**': [HL301]\n  'a/**': [HL202]\nignore: [HL3, HL2]\n")
    fresh = load_file(str(path), cache=True)
    cached = load_file(str(path), cache=True)
    assert list(cached.per_file_ignores) == list(fresh.per_file_ignores) == ["z/**", "a/**"]
    assert cached.ignore == fresh.ignore


def test_errors_are_the_same_and_nothing_unparsable_is_kept(tmp_path, cache):
    bad = tmp_path / ".hardenlint.yaml"
    bad.write_text("ignore: [HL202\n")
    for _ in range(2):
        with pytest.raises(ConfigError, match="invalid YAML"):
            load_file(str(bad), cache=True)
    assert entries(cache) == []
    unknown = tmp_path / "other" / ".hardenlint.yaml"
    unknown.parent.mkdir()
    unknown.write_text("ignroe: [HL202]\n")
    messages = set()
    for _ in range(2):  # a kept entry is checked like a parsed one
        with pytest.raises(ConfigError) as e:
            load_file(str(unknown), cache=True)
        messages.add(str(e.value))
    assert len(messages) == 1 and "unknown key 'ignroe'" in messages.pop()


def test_settings_json_cannot_carry_are_not_kept(tmp_path, cache):
    path = tmp_path / ".hardenlint.yaml"
    path.write_text("exclude: [2024-01-01]\n")  # a YAML date
    with pytest.raises(ConfigError) as first:
        load_file(str(path), cache=True)
    assert entries(cache) == []
    with pytest.raises(ConfigError) as second:
        load_file(str(path), cache=True)
    assert str(first.value) == str(second.value)


def test_a_broken_or_foreign_entry_is_ignored(tmp_path, cache):
    path = tmp_path / ".hardenlint.yaml"
    path.write_text("ignore: [HL202]\n")
    load_file(str(path), cache=True)
    (entry,) = entries(cache)
    entry.write_text("{not json")
    assert load_file(str(path), cache=True).ignore == ("HL202",)
    data = json.loads(entry.read_text())  # rewritten whole
    data.update(path="/elsewhere/.hardenlint.yaml", settings={"ignore": ["HL301"]})  # another config's (a name collision)
    entry.write_text(json.dumps(data))
    assert load_file(str(path), cache=True).ignore == ("HL202",)


def test_unwritable_cache_folder_is_ignored(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("HARDENLINT_CACHE_DIR", str(blocker / "cache"))  # cannot be created
    path = tmp_path / ".hardenlint.yaml"
    path.write_text("ignore: [HL202]\n")
    assert load_file(str(path), cache=True).ignore == ("HL202",)
