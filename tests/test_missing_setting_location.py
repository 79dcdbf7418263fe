"""Where a missing setting is reported: on the block that would hold it when that block is
written in the service / container / pod (which is also where the fix inserts), otherwise on the
service / container / pod spec. One convention for every missing-setting check."""
from __future__ import annotations

import pytest
import yaml

from .conftest import apply_edits, lint


def one(text, rule, name):
    found = [f for f in lint(text, name, select=[rule]) if f.rule == rule]
    assert len(found) == 1, found
    return found[0]


def key_at(text, finding):
    """The text the finding points at, and the YAML after its fix."""
    return text[finding.span.start:finding.span.end], yaml.safe_load(apply_edits(text, finding.fix.edits))


def container(body):
    return ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: app\n"
            "      image: example/app:1.0\n" + body)


def test_memory_limit_points_at_existing_limits_and_the_fix_writes_there():
    text = container("      resources:\n        requests: {cpu: 100m}\n        limits:\n          cpu: 500m\n")
    f = one(text, "HL308", "pod.yaml")
    shown, data = key_at(text, f)
    assert shown == "limits" and f.span.line == 11
    assert data["spec"]["containers"][0]["resources"]["limits"] == {"cpu": "500m", "memory": "512Mi"}


def test_memory_limit_points_at_resources_when_limits_is_absent():
    text = container("      resources:\n        requests: {cpu: 100m}\n")
    f = one(text, "HL308", "pod.yaml")
    shown, data = key_at(text, f)
    assert shown == "resources"
    assert data["spec"]["containers"][0]["resources"]["limits"] == {"memory": "512Mi"}


def test_without_the_block_the_container_is_the_place():
    f = one(container(""), "HL308", "pod.yaml")
    assert container("")[f.span.start:f.span.end] == "name: app"


def test_capabilities_block_for_a_missing_drop():
    text = container("      securityContext:\n        capabilities:\n          add: [NET_BIND_SERVICE]\n")
    f = one(text, "HL306", "pod.yaml")
    shown, data = key_at(text, f)
    assert shown == "capabilities"
    assert data["spec"]["containers"][0]["securityContext"]["capabilities"]["drop"] == ["ALL"]


def test_security_context_for_container_level_keys():
    text = container("      securityContext:\n        runAsNonRoot: true\n")
    for rule in ("HL307", "HL311"):
        f = one(text, rule, "pod.yaml")
        assert key_at(text, f)[0] == "securityContext", rule


def test_pod_security_context_for_a_missing_seccomp_profile():
    text = container("").replace("spec:\n  containers", "spec:\n  securityContext:\n    runAsNonRoot: true\n  containers")
    f = one(text, "HL402", "pod.yaml")
    shown, data = key_at(text, f)
    assert shown == "securityContext" and f.span.line == 6
    assert data["spec"]["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    f = one(container(""), "HL402", "pod.yaml")
    assert container("")[f.span.start:f.span.end] == "spec"  # no pod securityContext: the pod spec


COMPOSE = """services:
  web:
    image: example/web:1.0
    security_opt:
      - apparmor:docker-default
    deploy:
      resources:
        limits:
          cpus: "0.5"
  api:
    image: example/api:1.0
"""


@pytest.mark.parametrize("rule,service,expected", [
    ("HL308", "web", "limits"), ("HL311", "web", "security_opt"),
    ("HL308", "api", "api"), ("HL311", "api", "api"),
])
def test_compose_blocks(rule, service, expected):
    found = [f for f in lint(COMPOSE, "compose.yaml", select=[rule]) if f"`{service}`" in f.message]
    assert len(found) == 1
    shown, data = key_at(COMPOSE, found[0])
    assert shown == expected
    svc = data["services"][service]
    if rule == "HL308" and service == "web":
        assert svc["deploy"]["resources"]["limits"] == {"cpus": "0.5", "memory": "512M"}
    if rule == "HL311":
        assert "no-new-privileges:true" in svc["security_opt"]


def test_a_block_shared_through_a_merge_key_is_not_pointed_at():
    text = """x-defaults: &defaults
  deploy:
    resources:
      limits: {cpus: "0.5"}
services:
  web:
    <<: *defaults
    image: example/web:1.0
  api:
    <<: *defaults
    image: example/api:1.0
"""
    found = lint(text, "compose.yaml", select=["HL308"])
    assert [text[f.span.start:f.span.end] for f in found] == ["web", "api"]
