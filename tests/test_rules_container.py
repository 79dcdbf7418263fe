"""Compose and Kubernetes rules on the files users actually write: anchors and merge keys,
version-less compose, long volume syntax, `=` security options, pod-level inheritance, CronJob
templates, `kind: List`, multi-document files, init and ephemeral containers.

Each test pins rule ids, exact line/column, levels, and what the fix's edits do to the structure
(applied with the shared helper, then loaded with `yaml.safe_load`).
"""
from __future__ import annotations

import yaml

from hardenlint.catalogue import RULES

from .conftest import apply_edits, lint

COMPOSE = "compose.yaml"
K8S = "k8s.yaml"


def run(text, rule, name=COMPOSE, **config):
    return [f for f in lint(text, name, select=[rule], **config) if f.rule == rule]


def at(findings):
    return [(f.span.line, f.span.column) for f in findings]


def fixed(text, finding, all_docs=False):
    """The text with the finding's fix applied, and its loaded structure."""
    assert finding.fix is not None, finding.message
    assert finding.fix.applicability == RULES[finding.rule].fix
    out = apply_edits(text, finding.fix.edits)
    return out, (list(yaml.safe_load_all(out)) if all_docs else yaml.safe_load(out))


def pod(spec_body, kind="Pod"):
    """A Pod manifest; `spec_body` is indented by the caller to sit under `spec:` (2 spaces)."""
    return f"apiVersion: v1\nkind: {kind}\nmetadata:\n  name: p\nspec:\n{spec_body}"


# --------------------------------------------------------------------------- compose: anchors


MERGED = """\
x-defaults: &defaults
  restart: unless-stopped
  privileged: true
  cap_add: [SYS_ADMIN]
services:
  web:
    <<: *defaults
    image: nginx:1.27
  api:
    <<: *defaults
    image: example/api:1.0
  batch:
    <<: *defaults
    image: example/batch:1.0
    privileged: false
"""


def test_merged_setting_is_reported_once_at_the_anchor_naming_every_service():
    found = run(MERGED, "HL304")
    assert at(found) == [(3, 3)]
    assert "services `web`, `api`" in found[0].message and "batch" not in found[0].message
    text, data = fixed(MERGED, found[0])
    assert "privileged" not in data["x-defaults"]
    assert data["services"]["batch"]["privileged"] is False
    assert run(text, "HL304") == []


def test_merged_capability_list_item_points_into_the_anchor():
    found = run(MERGED, "HL305")
    assert at(found) == [(4, 13)] and found[0].level == "error"
    assert "services `web`, `api`, `batch`" in found[0].message
    _, data = fixed(MERGED, found[0])
    assert data["x-defaults"]["cap_add"] == []


def test_missing_setting_on_merged_services_points_at_each_service_key():
    found = run(MERGED, "HL307")
    assert at(found) == [(6, 3), (9, 3), (12, 3)]
    _, data = fixed(MERGED, found[1])
    assert data["services"]["api"]["read_only"] is True
    assert "read_only" not in data["services"]["web"]


def test_alias_value_is_reported_where_the_anchor_is_written():
    text = """\
x-opts: &opts
  - seccomp:unconfined
services:
  a:
    image: example/a:1.0
    security_opt: *opts
  b:
    image: example/b:1.0
    security_opt: *opts
"""
    found = run(text, "HL401")
    assert at(found) == [(2, 5)]
    assert "services `a`, `b`" in found[0].message
    _, data = fixed(text, found[0])
    assert data["x-opts"] == []


# --------------------------------------------------------------------------- compose: versions


def test_version_less_and_versioned_files_are_judged_alike():
    body = "services:\n  web:\n    image: nginx:1.27\n"
    for text in (body, 'version: "3.8"\n' + body, "name: shop\n" + body):
        found = run(text, "HL308")
        assert len(found) == 1 and found[0].span.column == 3
        _, data = fixed(text, found[0])
        assert data["services"]["web"]["mem_limit"] == "512M"


def test_memory_fix_goes_under_deploy_when_the_service_has_one():
    text = "services:\n  web:\n    image: nginx:1.27\n    deploy:\n      replicas: 2\n"
    found = run(text, "HL308", rule_options={"HL308": {"default-memory-limit": "1g"}})
    _, data = fixed(text, found[0])
    assert data["services"]["web"]["deploy"] == {"replicas": 2, "resources": {"limits": {"memory": "1G"}}}


def test_limits_already_set_are_not_findings():
    text = """\
services:
  a:
    image: example/a:1.0
    mem_limit: 256m
    cpus: 0.5
    pids_limit: 100
  b:
    image: example/b:1.0
    deploy:
      resources:
        limits: {memory: 256M, cpus: "0.5", pids: 100}
"""
    for rule in ("HL308", "HL309", "HL310"):
        assert run(text, rule) == [], rule


def test_cpu_and_pids_fixes_and_unlimited_pids():
    text = "services:\n  a:\n    image: example/a:1.0\n    pids_limit: -1\n"
    found = run(text, "HL310")
    assert at(found) == [(4, 5)]
    _, data = fixed(text, found[0])
    assert data["services"]["a"]["pids_limit"] == 1024
    found = run(text, "HL309", rule_options={"HL309": {"default-cpu-limit": "500m"}})
    _, data = fixed(text, found[0])
    assert data["services"]["a"]["cpus"] == "0.5"


# --------------------------------------------------------------------------- compose: HL303


def test_compose_user_levels():
    text = """\
services:
  explicit:
    image: example/a:1.0
    user: "0:0"
  named:
    image: example/a:1.0
    user: root:staff
  missing:
    image: nginx:1.27
  variable:
    image: example/a:1.0
    user: "${UID}:${GID}"
  nonroot:
    image: gcr.io/distroless/static-debian12:nonroot
  chainguard:
    image: cgr.dev/chainguard/python:latest
  chainguard-dev:
    image: cgr.dev/chainguard/python:latest-dev
  built:
    build: .
  fine:
    image: example/a:1.0
    user: "10001"
  chiseled:
    image: mcr.microsoft.com/dotnet/runtime:8.0-jammy-chiseled
  wolfi:
    image: cgr.dev/chainguard/wolfi-base:latest
"""
    found = run(text, "HL303")
    assert [(f.span.line, f.span.column, f.level) for f in found] == [
        (4, 5, "error"), (7, 5, "error"), (8, 3, "warning"), (17, 3, "warning"), (26, 3, "warning")]
    _, data = fixed(text, found[0])
    assert data["services"]["explicit"]["user"] == "65532:65532"
    _, data = fixed(text, found[2])
    assert data["services"]["missing"]["user"] == "65532:65532"


def test_compose_default_user_option():
    text = "services:\n  web:\n    image: nginx:1.27\n"
    found = run(text, "HL303", rule_options={"HL303": {"default-user": "101:101"}})
    _, data = fixed(text, found[0])
    assert data["services"]["web"]["user"] == "101:101"


# --------------------------------------------------------------------------- compose: caps, opts


def test_capability_names_are_normalised_and_levelled():
    text = "services:\n  vpn:\n    image: example/vpn:1.0\n    cap_add: [cap_sys_admin, CAP_NET_BIND_SERVICE, chown]\n"
    found = run(text, "HL305")
    assert [(f.span.column, f.level) for f in found] == [(15, "error"), (30, "warning"), (52, "warning")]
    assert "SYS_ADMIN" in found[0].message and "NET_BIND_SERVICE" in found[1].message
    _, data = fixed(text, found[0])
    assert data["services"]["vpn"]["cap_add"] == ["CAP_NET_BIND_SERVICE", "chown"]


def test_cap_drop_all_in_any_case_and_the_append_fix():
    ok = "services:\n  a:\n    image: example/a:1.0\n    cap_drop:\n      - cap_all\n"
    assert run(ok, "HL306") == []
    ok = "services:\n  a:\n    image: example/a:1.0\n    cap_drop: [all]\n"
    assert run(ok, "HL306") == []
    text = "services:\n  a:\n    image: example/a:1.0\n    cap_drop:\n      - NET_RAW\n"
    found = run(text, "HL306")
    assert at(found) == [(4, 5)]
    _, data = fixed(text, found[0])
    assert data["services"]["a"]["cap_drop"] == ["NET_RAW", "ALL"]
    text = "services:\n  a:\n    image: example/a:1.0\n"
    _, data = fixed(text, run(text, "HL306")[0])
    assert data["services"]["a"]["cap_drop"] == ["ALL"]


def test_no_new_privileges_forms():
    for opt in ("no-new-privileges:true", "no-new-privileges=true", "no-new-privileges"):
        text = f"services:\n  a:\n    image: example/a:1.0\n    security_opt:\n      - {opt}\n"
        assert run(text, "HL311") == [], opt
    text = 'services:\n  a:\n    image: example/a:1.0\n    security_opt: ["no-new-privileges=false"]\n'
    found = run(text, "HL311")
    assert at(found) == [(4, 20)]
    _, data = fixed(text, found[0])
    assert data["services"]["a"]["security_opt"] == ["no-new-privileges:true"]
    text = "services:\n  a:\n    image: example/a:1.0\n    security_opt:\n      - label=type:container_t\n"
    found = run(text, "HL311")
    assert at(found) == [(4, 5)] and found[0].fix.applicability == "safe"  # the list the fix appends to
    _, data = fixed(text, found[0])
    assert data["services"]["a"]["security_opt"] == ["label=type:container_t", "no-new-privileges:true"]


def test_access_controls_with_colon_and_equals_forms():
    text = """\
services:
  a:
    image: example/a:1.0
    security_opt:
      - seccomp=unconfined
      - apparmor:unconfined
      - label=disable
      - no-new-privileges:true
  b:
    image: example/b:1.0
    security_opt: ["label:type:spc_t", "seccomp=./profile.json", "apparmor=docker-default"]
"""
    assert at(run(text, "HL401")) == [(5, 9)]
    assert at(run(text, "HL403")) == [(6, 9)]
    hl404 = run(text, "HL404")
    assert at(hl404) == [(7, 9), (11, 20)]
    _, data = fixed(text, run(text, "HL401")[0])
    assert data["services"]["a"]["security_opt"] == ["apparmor:unconfined", "label=disable", "no-new-privileges:true"]
    _, data = fixed(text, hl404[1])
    assert data["services"]["b"]["security_opt"] == ["seccomp=./profile.json", "apparmor=docker-default"]


def test_host_namespaces_one_finding_each():
    text = """\
services:
  a:
    image: example/a:1.0
    network_mode: host
    pid: "host"
    ipc: shareable
    uts: host
    cgroupns_mode: host
  b:
    image: example/b:1.0
    network_mode: "service:a"
    userns_mode: host
"""
    found = run(text, "HL312")
    assert at(found) == [(4, 5), (5, 5), (7, 5), (8, 5), (12, 5)]
    _, data = fixed(text, found[0])
    assert "network_mode" not in data["services"]["a"] and data["services"]["a"]["pid"] == "host"


# --------------------------------------------------------------------------- compose: mounts


VOLUMES = """\
services:
  a:
    image: example/a:1.0
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock:ro
      - type: bind
        source: /run/../var/run/containerd/containerd.sock
        target: /run/containerd/containerd.sock
      - /run/user/1000/podman/podman.sock:/podman.sock
      - /var/run:/host-run
      - /:/host
      - /etc/:/host-etc:ro
      - type: bind
        source: /var
        target: /host-var
        read_only: true
      - ~/.ssh:/root/.ssh:ro
      - /home/alice/../../boot:/b
      - ./etc:/etc/app
      - data:/data
      - /srv/app:/srv
      - ${DATA_DIR}:/data2
volumes:
  data: {}
"""


def test_runtime_sockets_short_and_long_syntax():
    found = run(VOLUMES, "HL313")
    assert at(found) == [(5, 9), (7, 9), (9, 9), (10, 9)]
    assert all(f.level == "error" for f in found)
    assert "Docker socket" in found[0].message and "containerd" in found[1].message
    assert "rootless Podman" in found[2].message and "directory holding" in found[3].message


def test_sensitive_host_paths_normalised_with_read_only_warning():
    found = run(VOLUMES, "HL314")
    assert [(f.span.line, f.level) for f in found] == [
        (11, "error"), (12, "warning"), (14, "warning"), (17, "warning"), (18, "error")]
    assert "`/etc`" in found[1].message and "contains /var/lib/docker" in found[2].message
    assert "`~/.ssh`" in found[3].message and "`/boot`" in found[4].message


def test_devices():
    text = "services:\n  a:\n    image: example/a:1.0\n    devices:\n      - /dev/dri:/dev/dri\n      - source: /dev/sda\n        target: /dev/xvda\n"
    found = run(text, "HL315")
    assert at(found) == [(5, 9), (6, 9)] and "`/dev/sda`" in found[1].message
    assert run(text, "HL314") == []


def test_compose_sysctls_map_and_list_with_allow_list():
    text = """\
services:
  a:
    image: example/a:1.0
    sysctls:
      net.ipv4.ip_forward: 1
      net/ipv4/tcp_syncookies: 1
      net.ipv4.conf.all.src_valid_mark: 1
  b:
    image: example/b:1.0
    sysctls:
      - kernel.msgmax=65536
      - net.ipv4.tcp_keepalive_time=600
"""
    found = run(text, "HL317")
    assert at(found) == [(5, 7), (7, 7), (11, 9)]
    allowed = run(text, "HL317", rule_options={"HL317": {"allowed-sysctls": ["net.ipv4.conf.all.src_valid_mark"]}})
    assert at(allowed) == [(5, 7), (11, 9)]


# --------------------------------------------------------------------------- compose: the rest


def test_ssh_ports():
    text = """\
services:
  a:
    image: example/a:1.0
    ports:
      - "2222:22"
      - "22:8080"
      - "8022:8022"
      - "22/udp"
      - "20-25:20-25"
      - target: 22
        published: "2200"
"""
    found = run(text, "HL205")
    assert at(found) == [(5, 9), (6, 9), (9, 9), (10, 9)]
    assert "host port 22" in found[1].message


def test_environment_secrets_never_echo_the_value():
    text = """\
services:
  a:
    image: example/a:1.0
    environment:
      - DB_PASSWORD=s3cr3t-Val
      - API_TOKEN=${API_TOKEN}
      - PASSWORD_FILE=/run/secrets/db
  b:
    image: example/b:1.0
    environment:
      GITHUB_TOKEN: ghp_abcdefghijklmnop
      NODE_TLS_REJECT_UNAUTHORIZED: "0"
"""
    found = run(text, "HL501")
    assert at(found) == [(5, 9), (11, 7)]
    assert all("s3cr3t" not in f.message and "ghp_" not in f.message for f in found)
    assert found[0].span.end - found[0].span.start == len("DB_PASSWORD")
    hl107 = run(text, "HL107")
    assert at(hl107) == [(12, 7)]
    _, data = fixed(text, hl107[0])
    assert data["services"]["b"]["environment"] == {"GITHUB_TOKEN": "ghp_abcdefghijklmnop"}


def test_images_shared_through_an_anchor_and_build_only_services():
    text = """\
x-img: &img
  image: example/app
services:
  a:
    <<: *img
  b:
    <<: *img
  c:
    build: .
  d:
    image: example/app:latest
"""
    assert at(run(text, "HL101")) == [(2, 10)]
    assert at(run(text, "HL102")) == [(11, 12)]
    assert at(run(text, "HL104", trusted_registries=("ghcr.io",))) == [(2, 10), (11, 12)]
    assert run(text, "HL104") == []


def test_end_of_life_image_fix_replaces_the_image_text():
    text = 'services:\n  db:\n    image: "postgres:11"\n'
    found = run(text, "HL206")
    assert at(found) == [(3, 13)]
    out, data = fixed(text, found[0])
    assert data["services"]["db"]["image"].startswith("postgres:") and data["services"]["db"]["image"] != "postgres:11"
    assert out.count('"') == 2


def test_crlf_file_fix_keeps_line_endings_and_loads():
    text = "services:\r\n  web:\r\n    image: nginx:1.27\r\n"
    found = run(text, "HL307")
    out, data = fixed(text, found[0])
    assert data["services"]["web"]["read_only"] is True
    assert "\n" not in out.replace("\r\n", "")


# --------------------------------------------------------------------------- Kubernetes: HL303


def test_pod_level_run_as_non_root_is_inherited_and_containers_override():
    text = pod("""\
  securityContext:
    runAsNonRoot: true
  containers:
    - name: inherits
      image: example/a:1.0
    - name: opts-out
      image: example/a:1.0
      securityContext:
        runAsNonRoot: false
    - name: root
      image: example/a:1.0
      securityContext:
        runAsUser: 0
""")
    found = run(text, "HL303", K8S)
    assert [(f.span.line, f.span.column, f.level) for f in found] == [(14, 9, "warning"), (18, 9, "error")]
    _, data = fixed(text, found[0])
    assert data["spec"]["containers"][1]["securityContext"] == {"runAsNonRoot": True}
    _, data = fixed(text, found[1])
    assert data["spec"]["containers"][2]["securityContext"] == {"runAsUser": 65532}


def test_pod_level_root_is_one_error_naming_every_container():
    text = pod("""\
  securityContext:
    runAsUser: 0
  containers:
    - name: a
      image: example/a:1.0
    - name: b
      image: example/a:1.0
      securityContext:
        runAsUser: 1000
    - name: c
      image: example/a:1.0
""")
    found = run(text, "HL303", K8S)
    assert [(f.span.line, f.span.column, f.level) for f in found] == [(7, 5, "error")]
    assert "containers `a`, `c`" in found[0].message


def test_missing_non_root_fix_creates_the_security_context():
    text = pod("  containers:\n    - name: a\n      image: example/a:1.0\n")
    found = run(text, "HL303", K8S)
    assert [(f.span.line, f.span.column, f.level) for f in found] == [(7, 7, "warning")]
    _, data = fixed(text, found[0])
    assert data["spec"]["containers"][0] == {"name": "a", "image": "example/a:1.0",
                                             "securityContext": {"runAsNonRoot": True}}


# --------------------------------------------------------------------------- Kubernetes: shapes


CRONJOB = """\
apiVersion: batch/v1
kind: CronJob
metadata:
  name: cleanup
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: cleanup
              image: busybox:1.36
              securityContext: {runAsNonRoot: true}
"""


def test_cronjob_template_pod_and_container_positions():
    assert at(run(CRONJOB, "HL402", K8S)) == [(10, 9)]
    assert at(run(CRONJOB, "HL307", K8S)) == [(15, 15)]  # the securityContext the fix writes into
    _, data = fixed(CRONJOB, run(CRONJOB, "HL307", K8S)[0])
    sc = data["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["securityContext"]
    assert sc == {"runAsNonRoot": True, "readOnlyRootFilesystem": True}
    out, data = fixed(CRONJOB, run(CRONJOB, "HL402", K8S)[0])
    spec = data["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert spec["securityContext"] == {"seccompProfile": {"type": "RuntimeDefault"}}
    assert run(out, "HL402", K8S) == []


def test_kind_list_items_and_multiple_documents():
    text = """\
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Pod
    metadata:
      name: one
    spec:
      containers:
        - name: one
          image: example/one:1.0
          securityContext:
            privileged: true
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: two
spec:
  template:
    spec:
      containers:
        - name: two
          image: example/two:1.0
          securityContext:
            privileged: true
---
apiVersion: v1
kind: Service
metadata:
  name: svc
spec:
  ports: [{port: 22}]
"""
    found = run(text, "HL304", K8S)
    assert at(found) == [(13, 13), (26, 13)]
    _, docs = fixed(text, found[1], all_docs=True)
    assert docs[1]["spec"]["template"]["spec"]["containers"][0]["securityContext"] == {}
    assert docs[0]["items"][0]["spec"]["containers"][0]["securityContext"] == {"privileged": True}
    assert run(text, "HL205", K8S) == []


def test_init_and_ephemeral_containers():
    text = pod("""\
  initContainers:
    - name: setup
      image: example/setup:1.0
      securityContext:
        privileged: true
  containers:
    - name: app
      image: example/app:1.0
      resources:
        limits: {memory: 128Mi, cpu: 250m}
  ephemeralContainers:
    - name: debug
      image: busybox:1.36
""")
    assert at(run(text, "HL304", K8S)) == [(10, 9)]
    assert at(run(text, "HL308", K8S)) == [(7, 7)]
    assert at(run(text, "HL303", K8S)) == [(9, 7), (12, 7), (17, 7)]  # setup: at its securityContext
    assert "init container `setup`" in run(text, "HL308", K8S)[0].message


# --------------------------------------------------------------------------- Kubernetes: rules


def test_privilege_escalation_implied_by_privileged_or_sys_admin():
    text = pod("""\
  containers:
    - name: priv
      image: example/a:1.0
      securityContext:
        privileged: true
        allowPrivilegeEscalation: false
    - name: admin
      image: example/a:1.0
      securityContext:
        allowPrivilegeEscalation: false
        capabilities:
          add: ["CAP_SYS_ADMIN"]
    - name: open
      image: example/a:1.0
      securityContext:
        allowPrivilegeEscalation: true
    - name: unset
      image: example/a:1.0
    - name: good
      image: example/a:1.0
      securityContext:
        allowPrivilegeEscalation: false
""")
    found = run(text, "HL311", K8S)
    assert at(found) == [(10, 9), (17, 17), (21, 9), (22, 7)]
    assert found[0].fix is None and found[1].fix is None
    _, data = fixed(text, found[2])
    assert data["spec"]["containers"][2]["securityContext"]["allowPrivilegeEscalation"] is False
    _, data = fixed(text, found[3])
    assert data["spec"]["containers"][3]["securityContext"] == {"allowPrivilegeEscalation": False}


def test_host_namespaces_host_users_is_not_a_finding():
    text = pod("""\
  hostUsers: true
  hostPID: true
  hostNetwork: false
  containers:
    - name: a
      image: example/a:1.0
    - name: b
      image: example/a:1.0
""")
    found = run(text, "HL312", K8S)
    assert at(found) == [(7, 3)] and "Pod `p`" in found[0].message
    _, data = fixed(text, found[0])
    assert "hostPID" not in data["spec"] and data["spec"]["hostUsers"] is True


def test_seccomp_profiles_pod_container_and_annotations():
    text = """\
apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    seccomp.security.alpha.kubernetes.io/pod: runtime/default
    container.seccomp.security.alpha.kubernetes.io/legacy: unconfined
spec:
  securityContext: {runAsNonRoot: true}
  containers:
    - name: own
      image: example/a:1.0
      securityContext:
        seccompProfile:
          type: Localhost
          localhostProfile: app.json
    - name: bare
      image: example/a:1.0
    - name: legacy
      image: example/a:1.0
"""
    found = run(text, "HL402", K8S)
    assert at(found) == [(9, 3)]  # the pod's securityContext, where the fix writes
    assert "containers `bare`, `legacy`" in found[0].message
    out, data = fixed(text, found[0])
    assert data["spec"]["securityContext"] == {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}
    assert "{runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}" in out
    hl401 = run(text, "HL401", K8S)
    assert at(hl401) == [(7, 5)]
    _, data = fixed(text, hl401[0])
    assert list(data["metadata"]["annotations"]) == ["seccomp.security.alpha.kubernetes.io/pod"]


def test_unconfined_pod_profile_is_hl401_not_hl402():
    text = pod("""\
  securityContext:
    seccompProfile:
      type: Unconfined
  containers:
    - name: a
      image: example/a:1.0
""")
    assert run(text, "HL402", K8S) == []
    found = run(text, "HL401", K8S)
    assert at(found) == [(8, 7)] and "Pod `p`" in found[0].message
    _, data = fixed(text, found[0])
    assert data["spec"]["securityContext"] == {}


def test_apparmor_and_selinux():
    text = """\
apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    container.apparmor.security.beta.kubernetes.io/a: unconfined
spec:
  containers:
    - name: a
      image: example/a:1.0
      securityContext:
        seLinuxOptions:
          type: spc_t
          level: "s0:c1,c2"
    - name: b
      image: example/a:1.0
      securityContext:
        appArmorProfile: {type: Unconfined}
        seLinuxOptions: {type: unconfined_t}
"""
    assert at(run(text, "HL403", K8S)) == [(6, 5), (18, 27)]
    hl404 = run(text, "HL404", K8S)
    assert at(hl404) == [(13, 11), (19, 26)]
    _, data = fixed(text, hl404[0])
    assert data["spec"]["containers"][0]["securityContext"]["seLinuxOptions"] == {"level": "s0:c1,c2"}
    _, data = fixed(text, hl404[1])
    assert data["spec"]["containers"][1]["securityContext"] == {"appArmorProfile": {"type": "Unconfined"}}


def test_service_account_token():
    text = pod("  automountServiceAccountToken: true\n  containers:\n    - name: a\n      image: example/a:1.0\n")
    found = run(text, "HL316", K8S)
    assert at(found) == [(6, 3)]
    _, data = fixed(text, found[0])
    assert data["spec"]["automountServiceAccountToken"] is False
    text = pod("  containers:\n    - name: a\n      image: example/a:1.0\n", kind="Pod")
    found = run(text, "HL316", K8S)
    assert at(found) == [(5, 1)]
    _, data = fixed(text, found[0])
    assert data["spec"]["automountServiceAccountToken"] is False


def test_proc_mount_and_pod_sysctls_once_per_pod():
    text = pod("""\
  securityContext:
    sysctls:
      - name: kernel.msgmax
        value: "65536"
      - name: net.ipv4.ip_local_port_range
        value: "1024 65000"
  containers:
    - name: a
      image: example/a:1.0
      securityContext:
        procMount: Unmasked
    - name: b
      image: example/a:1.0
""")
    found = run(text, "HL317", K8S)
    assert at(found) == [(8, 15), (16, 9)]  # on the sysctl's name
    assert "kernel.msgmax" in found[0].message


def test_kubernetes_limit_units():
    text = pod("  containers:\n    - name: a\n      image: example/a:1.0\n")
    for option, want in (("512M", "512Mi"), ("1G", "1Gi"), ("512m", "512Mi"), ("256Mi", "256Mi")):
        found = run(text, "HL308", K8S, rule_options={"HL308": {"default-memory-limit": option}})
        _, data = fixed(text, found[0])
        assert data["spec"]["containers"][0]["resources"] == {"limits": {"memory": want}}, option
    found = run(text, "HL309", K8S)
    out, data = fixed(text, found[0])
    assert data["spec"]["containers"][0]["resources"] == {"limits": {"cpu": "1"}}


def test_kubernetes_capabilities_drop():
    text = pod("""\
  containers:
    - name: a
      image: example/a:1.0
      securityContext:
        capabilities:
          drop: [NET_RAW]
    - name: b
      image: example/a:1.0
""")
    found = run(text, "HL306", K8S)
    assert at(found) == [(11, 11), (12, 7)]
    _, data = fixed(text, found[0])
    assert data["spec"]["containers"][0]["securityContext"]["capabilities"]["drop"] == ["NET_RAW", "ALL"]
    _, data = fixed(text, found[1])
    assert data["spec"]["containers"][1]["securityContext"] == {"capabilities": {"drop": ["ALL"]}}


def test_host_path_volumes():
    text = pod("""\
  containers:
    - name: reader
      image: example/a:1.0
      volumeMounts:
        - {name: etc, mountPath: /host/etc, readOnly: true}
        - {name: sock, mountPath: /var/run/docker.sock}
        - {name: fuse, mountPath: /dev/fuse}
    - name: writer
      image: example/a:1.0
      volumeMounts:
        - {name: etc, mountPath: /host/etc}
        - {name: logs, mountPath: /logs, readOnly: true, subPath: kubelet}
  volumes:
    - name: etc
      hostPath: {path: /etc/}
    - name: sock
      hostPath:
        path: /var/run/docker.sock
        type: Socket
    - name: fuse
      hostPath:
        path: /dev/fuse
        type: CharDevice
    - name: logs
      hostPath:
        path: /var/lib
""")
    hl314 = run(text, "HL314", K8S)
    assert [(f.span.line, f.span.column, f.level) for f in hl314] == [(20, 18, "error"), (31, 9, "warning")]
    assert "containers `reader`, `writer`" in hl314[0].message and "/var/lib/kubelet" in hl314[1].message
    assert at(run(text, "HL313", K8S)) == [(23, 9)]
    hl315 = run(text, "HL315", K8S)
    assert at(hl315) == [(27, 9)] and "`/dev/fuse`" in hl315[0].message


# --------------------------------------------------------------------------- fixes together


def test_every_fix_of_a_bare_container_stands_alone():
    text = pod("  containers:\n    - name: a\n      image: example/a:1.0\n")
    findings = [f for f in lint(text, K8S) if f.fix is not None]
    assert {f.rule for f in findings} >= {"HL303", "HL306", "HL307", "HL308", "HL309", "HL311", "HL316", "HL402"}
    for f in findings:
        out, data = fixed(text, f)
        assert data["spec"]["containers"][0]["name"] == "a", f.rule
        assert f.rule not in {g.rule for g in lint(out, K8S) if g.span.line == f.span.line and g.fix}, f.rule


def _fix_all(text, name):
    from hardenlint.config import Config
    from hardenlint.engine import Linter
    from hardenlint.fixer import fix_source
    from hardenlint.source import SourceFile
    from hardenlint.discover import kind_for_explicit

    return fix_source(Linter(Config(preset="strict")), SourceFile(name, text, kind_for_explicit(name)), unsafe=True)


def test_fixer_merges_all_missing_settings_into_one_security_context():
    text = pod("  containers:\n    - name: a\n      image: example/a:1.0\n")
    out = _fix_all(text, K8S)
    data = yaml.safe_load(out.text)
    c = data["spec"]["containers"][0]
    assert c["securityContext"] == {"runAsNonRoot": True, "capabilities": {"drop": ["ALL"]},
                                    "readOnlyRootFilesystem": True, "allowPrivilegeEscalation": False}
    assert c["resources"] == {"limits": {"memory": "512Mi", "cpu": "1"}}
    assert data["spec"]["securityContext"] == {"seccompProfile": {"type": "RuntimeDefault"}}
    assert data["spec"]["automountServiceAccountToken"] is False
    assert out.text.count("securityContext:") == 2 and out.text.count("resources:") == 1


def test_fixer_builds_one_deploy_resources_block_in_compose():
    text = "services:\n  web:\n    image: example/web:1.0\n    deploy:\n      replicas: 2\n"
    out = _fix_all(text, COMPOSE)
    web = yaml.safe_load(out.text)["services"]["web"]
    assert web["deploy"] == {"replicas": 2, "resources": {"limits": {"memory": "512M", "cpus": "1.0", "pids": 1024}}}
    assert web["user"] == "65532:65532" and web["cap_drop"] == ["ALL"] and web["read_only"] is True
    assert web["security_opt"] == ["no-new-privileges:true"]
    assert out.text.count("resources:") == 1


# --------------------------------------------------------------------------- suppressions


def test_findings_on_anchors_can_be_suppressed_where_they_point():
    compose = "services:\n  # hardenlint ignore=HL307 -- scratch dir planned\n  web:\n    image: nginx:1.27\n"
    assert run(compose, "HL307") == []
    k8s = pod("  containers:\n    # hardenlint ignore=HL307\n    - name: a\n      image: example/a:1.0\n"
              "    - name: b\n      image: example/a:1.0\n")
    assert at(run(k8s, "HL307", K8S)) == [(10, 7)]
    annotated = k8s.replace("  name: p\n", "  name: p\n  annotations:\n    hardenlint.io/ignore: HL307\n")
    assert run(annotated, "HL307", K8S) == []


def test_compose_unmasked_proc():
    text = "services:\n  a:\n    image: example/a:1.0\n    security_opt: [systempaths=unconfined]\n"
    assert at(run(text, "HL317")) == [(4, 20)]
