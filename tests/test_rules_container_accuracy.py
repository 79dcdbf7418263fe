"""Compose and Kubernetes rule accuracy (issues 9 and 10), written from the rule rows: HL303 image
families, HL305 NET_BIND_SERVICE after dropping ALL, HL306 on privileged containers, HL314 homes,
credential folders, /var/log and local-persist, HL317 levels and spans, HL404 Pod Security
baseline. Cases use anchors, pod-level inheritance and CronJob templates.
"""
from __future__ import annotations

import pytest
import yaml

from .conftest import apply_edits, lint

COMPOSE = "compose.yaml"
K8S = "k8s.yaml"


def run(text, rule, name=COMPOSE, **config):
    return [f for f in lint(text, name, select=[rule], **config) if f.rule == rule]


def spots(text, rule, name=COMPOSE, **config):
    return [(f.span.line, f.span.column, text[f.span.start:f.span.end], f.level)
            for f in run(text, rule, name, **config)]


def pod(spec_body, kind="Pod"):
    return f"apiVersion: v1\nkind: {kind}\nmetadata:\n  name: p\nspec:\n{spec_body}"


def cronjob(pod_body):
    """A CronJob whose pod spec body is `pod_body` (indented for `spec:` at 10 spaces... 12)."""
    return ("apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: nightly\nspec:\n  schedule: '@daily'\n"
            "  jobTemplate:\n    spec:\n      template:\n        spec:\n" + pod_body)


# -- HL303: the same image knowledge as HL301 ----------------------------------------------------

@pytest.mark.parametrize("image,flagged", [
    ("mcr.microsoft.com/dotnet/aspnet:8.0-noble-chiseled", False),
    ("mcr.microsoft.com/dotnet/runtime-deps:10.0-azurelinux3.0-distroless", False),
    ("mcr.microsoft.com/windows/nanoserver:ltsc2022", False),
    ("prom/prometheus:v2.53.0", False),
    ("mcr.microsoft.com/dotnet/aspnet:8.0", True),
    ("mcr.microsoft.com/windows/servercore:ltsc2022", True),
])
def test_hl303_compose_uses_the_image_families(image, flagged):
    text = f"services:\n  app:\n    image: {image}\n"
    assert bool(run(text, "HL303")) is flagged


# -- HL305 ---------------------------------------------------------------------------------------

def test_hl305_net_bind_service_after_dropping_all():
    compose = ("x-caps: &caps\n  cap_add: [NET_BIND_SERVICE]\n"
               "services:\n"
               "  web:\n    image: nginx:1.27\n    <<: *caps\n    cap_drop: [ALL]\n"
               "  api:\n    image: nginx:1.27\n    <<: *caps\n"
               "  proxy:\n    image: nginx:1.27\n    cap_drop: [all]\n    cap_add: [cap_net_bind_service, CHOWN]\n")
    found = run(compose, "HL305")
    assert [(f.span.line, f.message) for f in found] == [
        (2, "service `api` adds capability NET_BIND_SERVICE"), (14, "service `proxy` adds capability CHOWN")]
    k8s = pod("  containers:\n  - name: a\n    image: x:1\n    securityContext:\n      capabilities:\n"
              "        drop: [\"ALL\"]\n        add: [\"NET_BIND_SERVICE\"]\n"
              "  - name: b\n    image: x:1\n    securityContext:\n      capabilities:\n"
              "        add: [\"NET_BIND_SERVICE\"]\n")
    assert [f.span.line for f in run(k8s, "HL305", K8S)] == [17]


# -- HL306 ---------------------------------------------------------------------------------------

def test_hl306_not_on_privileged_containers():
    compose = ("services:\n  a:\n    image: x:1\n    privileged: true\n"
               "  b:\n    image: x:1\n    privileged: false\n")
    assert [f.span.line for f in run(compose, "HL306")] == [5]
    assert [f.span.line for f in run(compose, "HL304")] == [4]
    k8s = cronjob("          containers:\n          - name: a\n            image: x:1\n"
                  "            securityContext: {privileged: true}\n"
                  "          - name: b\n            image: x:1\n")
    assert [f.message.split(" keeps")[0] for f in run(k8s, "HL306", K8S)] == ["container `b`"]


# -- HL314 ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("source,level", [
    ("/home", "error"),
    ("~", "error"),
    ("$HOME", "error"),
    ("/root", "error"),
    ("/root/app", "error"),
    ("/home/app", "error"),  # a whole home, with its credential folders
    ("~/.ssh", "error"),
    ("${HOME}/.aws/credentials", "error"),
    ("/home/ci/.config/gcloud", "error"),
    ("/home/ci/.config", "error"),  # holds .config/gcloud
    ("/home/ci/.kube:ro", "warning"),
    ("/var/log", "error"),
    ("/var/log/pods", "error"),
    ("/var/log/containers/app.log", "error"),
    ("/var", "error"),  # contains /var/lib/docker
])
def test_hl314_findings(source, level):
    src, _, mode = source.partition(":")
    text = f"services:\n  app:\n    image: x:1\n    volumes:\n      - {src}:/mnt{':' + mode if mode else ''}\n"
    [f] = run(text, "HL314")
    assert f.level == level and f.span.line == 5


@pytest.mark.parametrize("source", [
    "/home/app/data", "~/projects/site", "$HOME/.cache/pip", "/home/ci/.config/Code",
    "/var/log:ro", "/var/log/pods:ro", "/var/log/nginx", "./logs",
])
def test_hl314_not_findings(source):
    src, _, mode = source.partition(":")
    text = f"services:\n  app:\n    image: x:1\n    volumes:\n      - {src}:/mnt{':' + mode if mode else ''}\n"
    assert run(text, "HL314") == []


def test_hl314_kubernetes_writable_var_log_and_credentials():
    text = pod("  containers:\n  - name: agent\n    image: x:1\n    volumeMounts:\n"
               "    - {name: logs, mountPath: /host/logs}\n    - {name: logs-ro, mountPath: /ro, readOnly: true}\n"
               "    - {name: data, mountPath: /data}\n    - {name: kube, mountPath: /kube, readOnly: true}\n"
               "  volumes:\n  - name: logs\n    hostPath: {path: /var/log}\n"
               "  - name: logs-ro\n    hostPath: {path: /var/log/containers}\n"
               "  - name: data\n    hostPath: {path: /home/agent/data}\n"
               "  - name: kube\n    hostPath: {path: /home/agent/.kube}\n", kind="Pod")
    assert [(s[0], s[3]) for s in spots(text, "HL314", K8S)] == [(16, "error"), (22, "warning")]


def test_hl314_local_persist_mountpoint():
    text = ("services:\n  app:\n    image: x:1\n    volumes: [etc:/host-etc, data:/data]\n"
            "volumes:\n  etc:\n    driver: local-persist\n    driver_opts:\n      mountpoint: /etc\n"
            "  data:\n    driver: local-persist\n    driver_opts:\n      mountpoint: /srv/data\n")
    found = run(text, "HL314")
    assert len(found) == 1 and "`/etc`" in found[0].message


# -- HL317 ---------------------------------------------------------------------------------------

def test_hl317_levels_and_spans_on_the_name():
    compose = ("services:\n  vpn:\n    image: x:1\n    sysctls:\n"
               "      net.ipv4.conf.all.src_valid_mark: 1\n      kernel.msgmax: 65536\n"
               "  b:\n    image: x:1\n    sysctls:\n      - net.ipv6.conf.all.disable_ipv6=1\n"
               "      - \"vm.overcommit_memory=1\"\n"
               "  host:\n    image: x:1\n    network_mode: host\n    sysctls: [net.core.somaxconn=4096]\n")
    assert spots(compose, "HL317") == [
        (5, 7, "net.ipv4.conf.all.src_valid_mark", "warning"), (6, 7, "kernel.msgmax", "error"),
        (10, 9, "net.ipv6.conf.all.disable_ipv6", "warning"), (11, 10, "vm.overcommit_memory", "error"),
        (15, 15, "net.core.somaxconn", "error")]  # the host's network stack


def test_hl317_kubernetes_pod_level_in_a_cronjob():
    text = cronjob("          securityContext:\n            sysctls:\n"
                   "            - name: net.ipv4.tcp_tw_reuse\n              value: \"1\"\n"
                   "            - {value: \"1\", name: kernel.sem}\n"
                   "          containers:\n          - name: a\n            image: x:1\n"
                   "          - name: b\n            image: x:1\n")
    assert spots(text, "HL317", K8S) == [(13, 21, "net.ipv4.tcp_tw_reuse", "warning"),
                                         (15, 34, "kernel.sem", "error")]


# -- HL404 ---------------------------------------------------------------------------------------

def test_hl404_baseline_types_users_roles():
    text = pod("  securityContext:\n    seLinuxOptions:\n      type: my_app_t\n"
               "  containers:\n  - name: a\n    image: x:1\n    securityContext:\n      seLinuxOptions:\n"
               "        user: system_u\n        role: system_r\n        type: container_t\n        level: s0:c1,c2\n"
               "  - name: b\n    image: x:1\n    securityContext:\n      seLinuxOptions: {type: spc_t}\n")
    assert spots(text, "HL404", K8S) == [
        (8, 7, "type: my_app_t", "warning"), (14, 9, "user: system_u", "warning"),
        (15, 9, "role: system_r", "warning"), (21, 24, "type: spc_t", "error")]
    # the option extends the allow-list; user and role stay findings
    allowed = run(text, "HL404", K8S, rule_options={"HL404": {"allowed-types": ["my_app_t"]}})
    assert [f.span.line for f in allowed] == [14, 15, 21]


def test_hl404_fix_removes_the_entry_and_keeps_yaml():
    text = pod("  securityContext:\n    seLinuxOptions:\n      type: my_app_t\n      level: s0:c1\n"
               "  containers:\n  - name: a\n    image: x:1\n")
    [f] = run(text, "HL404", K8S)
    assert f.fix.applicability == "unsafe"
    out = yaml.safe_load(apply_edits(text, f.fix.edits))
    assert out["spec"]["securityContext"]["seLinuxOptions"] == {"level": "s0:c1"}


def test_hl404_baseline_types_are_not_findings():
    text = cronjob("          securityContext:\n            seLinuxOptions: {type: container_init_t, level: 's0:c5'}\n"
                   "          containers:\n          - name: a\n            image: x:1\n")
    assert run(text, "HL404", K8S) == []
    compose = "services:\n  a:\n    image: x:1\n    security_opt: ['label=type:my_t']\n"
    assert run(compose, "HL404") == []  # the baseline tier is a Kubernetes admission rule


def test_hl404_when_every_entry_goes_one_fix_removes_the_whole_options():
    text = pod("  securityContext:\n    runAsNonRoot: true\n    seLinuxOptions:\n      user: system_u\n"
               "      type: report_t\n  containers:\n  - name: a\n    image: x:1\n")
    first, second = run(text, "HL404", K8S)
    assert first.fix.title == "remove `seLinuxOptions`" and second.fix is None
    out = yaml.safe_load(apply_edits(text, first.fix.edits))
    assert out["spec"]["securityContext"] == {"runAsNonRoot": True}
