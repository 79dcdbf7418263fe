"""Configuration files, presets, selection and their errors."""
from __future__ import annotations

import textwrap

import pytest

from hardenlint.config import Config, ConfigError, find_config, from_mapping, load_file


def test_recommended_preset_excludes_strict_rules():
    ids = Config().enabled_rules()
    assert "HL301" in ids and "HL103" not in ids and "HL309" not in ids


def test_strict_preset_adds_strict_rules():
    ids = Config(preset="strict").enabled_rules()
    assert {"HL103", "HL309", "HL316", "HL318"} <= ids


def test_hl104_only_runs_with_trusted_registries():
    assert "HL104" not in Config().enabled_rules()
    assert "HL104" in Config(trusted_registries=("docker.io",)).enabled_rules()


def test_select_prefix_alias_and_ignore():
    cfg = from_mapping({"select": ["HL3", "DL3006"], "ignore": ["HL318"]}, "x")
    ids = cfg.enabled_rules()
    assert "HL101" in ids and "HL301" in ids and "HL318" not in ids and "HL201" not in ids


@pytest.mark.parametrize("data,needle", [
    ({"colour": True}, "unknown key 'colour'"),
    ({"ignore": ["HL999"]}, "unknown rule id 'HL999'"),
    ({"preset": "paranoid"}, "preset"),
    ({"severity": {"HL301": "fatal"}}, "severity"),
    ({"failure-threshold": "info"}, "failure-threshold"),
    ({"per-file-ignores": ["x"]}, "per-file-ignores"),
    ({"rules": {"HL308": {"memory": "1G"}}}, "unknown option 'memory'"),
    ({"rules": {"HL999": {}}}, "unknown rule id"),
])
def test_config_errors_are_one_clear_line(data, needle):
    with pytest.raises(ConfigError) as e:
        from_mapping(data, "cfg.yaml")
    assert needle in str(e.value) and "\n" not in str(e.value)


def test_rule_options_are_validated_and_kept():
    cfg = from_mapping({"rules": {"HL308": {"default-memory-limit": "1G"}}}, "x")
    assert cfg.rule_options == {"HL308": {"default-memory-limit": "1G"}}
    with pytest.raises(ConfigError):
        from_mapping({"rules": {"HL308": {"default-memory-limit": 5}}}, "x")


def test_pyproject_table_and_nearest_file(tmp_path):
    (tmp_path / "pyproject.toml").write_text(textwrap.dedent("""
        [tool.hardenlint]
        preset = "strict"
        ignore = ["HL203"]
        severity = { HL202 = "warning" }
        trusted-registries = ["ghcr.io/acme"]
    """))
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    found = find_config(str(sub))
    assert found == str(tmp_path / "pyproject.toml")
    cfg = load_file(found)
    assert cfg.preset == "strict" and cfg.ignore == ("HL203",)
    assert cfg.severity == {"HL202": "warning"} and cfg.trusted_registries == ("ghcr.io/acme",)


def test_pyproject_without_table_is_not_a_config(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[project]\nname='x'\n")
    found = find_config(str(tmp_path))
    assert found is None or not found.startswith(str(tmp_path))


def test_yaml_config_and_invalid_yaml(tmp_path):
    good = tmp_path / ".hardenlint.yaml"
    good.write_text("ignore: [HL301]\nper-file-ignores:\n  'test/*': [HL5]\n")
    cfg = load_file(str(good))
    assert cfg.ignore == ("HL301",) and cfg.per_file_ignores == {"test/*": ("HL501", "HL502")}
    bad = tmp_path / "bad.yaml"
    bad.write_text("ignore: [HL301\n")
    with pytest.raises(ConfigError, match="invalid YAML"):
        load_file(str(bad))
