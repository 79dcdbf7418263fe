"""The common container view: Compose services and Kubernetes containers."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from hardenlint.discover import kind_by_name
from hardenlint.model.container import normalise_host_path
from hardenlint.parsers.yaml import parse
from hardenlint.source import SourceFile, read_source


def views(text: str, name: str = "compose.yaml"):
    p = parse(SourceFile(name, text, kind_by_name(name) or "yaml"))
    assert not p.errors, p.errors
    return p.model.containers


def one(text: str, name: str = "compose.yaml"):
    vs = views(text, name)
    assert len(vs) == 1
    return vs[0]


def at(text, sp):
    return text[sp.start:sp.end]


# --------------------------------------------------------------------------- Compose

def test_compose_basic_fields_and_spans():
    text = ("services:\n  web:\n    image: \"nginx:1.25\"\n    user: 1000:1000\n    privileged: true\n"
            "    read_only: yes\n    cap_add: [cap_sys_admin, NET_ADMIN]\n    cap_drop:\n      - all\n")
    v = one(text)
    assert (v.kind, v.name, v.role, v.label) == ("compose", "web", "service", "service `web`")
    assert at(text, v.anchor) == "web"
    assert v.image.name == "nginx" and v.image.tag == "1.25" and at(text, v.image_span) == "nginx:1.25"
    assert v.user.value == "1000:1000" and at(text, v.user.span) == "user: 1000:1000"
    assert v.privileged.is_true() and at(text, v.privileged.span) == "privileged: true"
    assert at(text, v.privileged.value_span) == "true" and v.privileged.parent is v.node
    assert v.read_only_root.is_true()
    assert [(c.value, at(text, c.span)) for c in v.cap_add] == [("SYS_ADMIN", "cap_sys_admin"), ("NET_ADMIN", "NET_ADMIN")]
    assert [c.value for c in v.cap_drop] == ["ALL"]
    assert v.memory_limit is None and v.no_new_privileges is None and v.seccomp is None


def test_compose_version_less_and_v1():
    assert one("services:\n  a:\n    image: x\n").name == "a"
    v1 = views("version: '1'\nweb:\n  image: nginx\n  net: host\nx-ext:\n  foo: 1\ndb:\n  build: .\n",
               "docker-compose.yml")
    assert [v.name for v in v1] == ["web", "db"]
    assert [h.value for h in v1[0].host_namespaces] == ["network"]


def test_compose_merge_keys_count_as_set_and_point_at_anchor():
    text = ("x-hardened: &hardened\n  read_only: true\n  cap_drop: [ALL]\n  security_opt:\n"
            "    - no-new-privileges:true\nservices:\n  web:\n    <<: *hardened\n    image: nginx\n"
            "  api:\n    <<: *hardened\n    read_only: false\n    image: api\n")
    web, api = views(text)
    assert web.read_only_root.is_true() and web.read_only_root.merged and web.read_only_root.shared
    assert web.read_only_root.span.line == 2 and at(text, web.read_only_root.span) == "read_only: true"
    assert web.cap_drop[0].value == "ALL" and web.cap_drop[0].span.line == 3 and web.cap_drop[0].shared
    assert web.no_new_privileges.is_true() and web.no_new_privileges.span.line == 5
    assert api.read_only_root.is_false() and not api.read_only_root.merged and api.read_only_root.span.line == 12


def test_compose_alias_value_points_at_the_alias():
    text = "x-caps: &caps [SYS_ADMIN]\nservices:\n  web:\n    image: x\n    cap_add: *caps\n"
    v = one(text)
    assert v.cap_add[0].value == "SYS_ADMIN" and v.cap_add[0].span.line == 1 and v.cap_add[0].shared


@pytest.mark.parametrize("opt,field,value", [
    ("no-new-privileges:true", "no_new_privileges", True),
    ("no-new-privileges=true", "no_new_privileges", True),
    ("no-new-privileges", "no_new_privileges", True),
    ("no-new-privileges:false", "no_new_privileges", False),
    ("seccomp:unconfined", "seccomp", "unconfined"),
    ("seccomp=unconfined", "seccomp", "unconfined"),
    ("seccomp=/etc/profile.json", "seccomp", "/etc/profile.json"),
    ("apparmor:unconfined", "apparmor", "unconfined"),
    ("apparmor=docker-default", "apparmor", "runtimedefault"),
    ("label:disable", "selinux", "disable"),
    ("label=disable", "selinux", "disable"),
    ("label:type:spc_t", "selinux", "spc_t"),
    ("systempaths=unconfined", "proc_mount", "unmasked"),
])
def test_compose_security_opt_forms(opt, field, value):
    text = f"services:\n  web:\n    image: x\n    security_opt:\n      - \"{opt}\"\n"
    s = getattr(one(text), field)
    assert s.value == value and at(text, s.span) == f'"{opt}"' and s.key_node is None


@pytest.mark.parametrize("body,memory,cpu,pids", [
    ("mem_limit: 512m\n    cpus: 0.5\n    pids_limit: 100\n", "512m", "0.5", "100"),
    ("cpu_quota: 50000\n", None, "50000", None),
    ("deploy:\n      resources:\n        limits:\n          memory: 1G\n          cpus: '2'\n          pids: 50\n",
     "1G", "2", "50"),
    ("deploy:\n      resources:\n        reservations:\n          memory: 1G\n", None, None, None),
])
def test_compose_limits(body, memory, cpu, pids):
    v = one(f"services:\n  web:\n    image: x\n    {body}")
    assert (v.memory_limit and v.memory_limit.value, v.cpu_limit and v.cpu_limit.value,
            v.pids_limit and v.pids_limit.value) == (memory, cpu, pids)


def test_compose_where():
    v = one("services:\n  web:\n    image: x\n")
    assert v.where("memory_limit").path == ("mem_limit",) and v.where("read_only_root").path == ("read_only",)
    v = one("services:\n  web:\n    image: x\n    deploy: {replicas: 2}\n")
    assert v.where("memory_limit").path == ("deploy", "resources", "limits", "memory")
    assert v.where("memory_limit").node is v.node


def test_compose_host_namespaces():
    text = ("services:\n  web:\n    image: x\n    network_mode: host\n    pid: \"host\"\n    ipc: host\n"
            "    userns_mode: host\n    uts: host\n    cgroup: host\n  ok:\n    image: y\n    network_mode: bridge\n"
            "    ipc: shareable\n    pid: 'service:web'\n")
    web, ok = views(text)
    assert [h.value for h in web.host_namespaces] == ["network", "pid", "ipc", "userns", "uts", "cgroup"]
    assert at(text, web.host_namespaces[1].span) == 'pid: "host"'
    assert ok.host_namespaces == []


def test_compose_volumes_short_and_long():
    text = ("services:\n  web:\n    image: x\n    volumes:\n"
            "      - /var/run/docker.sock:/var/run/docker.sock:ro\n"
            "      - ./data:/data\n"
            "      - ~/.ssh:/root/.ssh:ro,z\n"
            "      - named:/named\n"
            "      - /anon\n"
            "      - ${DOCKER_SOCK:-/var/run/docker.sock}:/sock\n"
            "      - ${HOME}/x:/x\n"
            "      - /etc/../etc//ssl/:/ssl\n"
            "      - type: bind\n        source: /\n        target: /host\n        read_only: true\n"
            "      - type: volume\n        source: bound\n        target: /b\n"
            "      - {type: tmpfs, target: /tmp}\n"
            "volumes:\n  named: {}\n  bound:\n    driver_opts: {type: none, o: bind, device: /proc}\n")
    mounts = one(text).mounts
    got = [(m.source_kind, m.host_path, m.target, m.read_only, m.variable) for m in mounts]
    assert got == [
        ("bind", "/var/run/docker.sock", "/var/run/docker.sock", True, False),
        ("bind", "./data", "/data", False, False),
        ("bind", "~/.ssh", "/root/.ssh", True, False),
        ("volume", None, "/named", False, False),
        ("volume", None, "/anon", False, False),
        ("bind", "/var/run/docker.sock", "/sock", False, False),
        ("bind", "${HOME}/x", "/x", False, True),
        ("bind", "/etc/ssl", "/ssl", False, False),
        ("bind", "/", "/host", True, False),
        ("volume", "/proc", "/b", False, False),
        ("tmpfs", None, "/tmp", False, False),
    ]
    assert at(text, mounts[0].span) == "/var/run/docker.sock:/var/run/docker.sock:ro"
    assert at(text, mounts[8].span) == "source: /" and mounts[8].mount_span.line == 13


@pytest.mark.parametrize("raw,norm", [
    ("/var/run/../run/docker.sock", "/var/run/docker.sock"), ("//etc/", "/etc"), ("/", "/"), ("/..", "/"),
    ("./a/../b/", "./b"), ("data", "./data"), ("../up", "../up"), ("~/x/../y", "~/y"),
])
def test_normalise_host_path(raw, norm):
    assert normalise_host_path(raw) == norm


def test_compose_devices_sysctls_env_ports():
    text = ("services:\n  web:\n    image: x\n    devices:\n      - /dev/ttyUSB0:/dev/ttyUSB0:rwm\n"
            "      - source: /dev/kvm\n        target: /dev/kvm\n"
            "    sysctls:\n      net.core.somaxconn: 1024\n      kernel.shm_rmid_forced: 1\n"
            "    environment:\n      DB_PASSWORD: hunter2\n      EMPTY:\n      REF: ${SECRET}\n"
            "    ports:\n      - 22\n      - 2222:22\n      - \"127.0.0.1:8080:80/tcp\"\n      - 9000-9001:9000-9001/udp\n"
            "      - \"[::1]:53:53/udp\"\n      - target: 443\n        published: 8443\n"
            "  db:\n    image: y\n    sysctls:\n      - net.ipv4.ip_forward=1\n"
            "    environment:\n      - PASSWORD=x=y\n      - BARE\n      - 'QUOTED=v'\n")
    web, db = views(text)
    assert [d.value for d in web.devices] == ["/dev/ttyUSB0", "/dev/kvm"]
    assert [(s.name, s.value) for s in web.sysctls] == [("net.core.somaxconn", "1024"), ("kernel.shm_rmid_forced", "1")]
    assert [(s.name, s.value) for s in db.sysctls] == [("net.ipv4.ip_forward", "1")]
    env = {e.name: e for e in web.env}
    assert env["DB_PASSWORD"].value == "hunter2" and at(text, env["DB_PASSWORD"].value_span) == "hunter2"
    assert env["EMPTY"].value is None and env["REF"].interpolated and not env["DB_PASSWORD"].interpolated
    denv = {e.name: e for e in db.env}
    assert denv["PASSWORD"].value == "x=y" and at(text, denv["PASSWORD"].name_span) == "PASSWORD"
    assert at(text, denv["PASSWORD"].value_span) == "x=y"
    assert denv["BARE"].value is None and denv["QUOTED"].value == "v" and at(text, denv["QUOTED"].value_span) == "v"
    assert [(p.container, p.container_end, p.protocol, p.published) for p in web.ports] == [
        (22, 22, "tcp", None), (22, 22, "tcp", "2222"), (80, 80, "tcp", "8080"), (9000, 9001, "udp", "9000-9001"),
        (53, 53, "udp", "53"), (443, 443, "tcp", "8443")]
    assert web.ports[1].includes(22) and web.ports[4].host_ip == "::1"


def test_compose_crlf_spans():
    text = "services:\r\n  web:\r\n    image: nginx\r\n    privileged: true\r\n"
    v = one(text)
    assert at(text, v.privileged.span) == "privileged: true" and v.privileged.span.line == 4
    assert at(text, v.image_span) == "nginx"


# --------------------------------------------------------------------------- Kubernetes

POD_DEFAULTS = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    metadata:
      annotations:
        container.apparmor.security.beta.kubernetes.io/app: unconfined
        seccomp.security.alpha.kubernetes.io/pod: runtime/default
    spec:
      hostNetwork: true
      hostPID: false
      hostUsers: false
      automountServiceAccountToken: false
      securityContext:
        runAsUser: 1000
        runAsNonRoot: true
        seLinuxOptions: {type: spc_t}
        appArmorProfile: {type: RuntimeDefault}
        sysctls:
        - {name: kernel.msgmax, value: "65536"}
        privileged: true
        readOnlyRootFilesystem: true
      initContainers:
      - name: init
        image: busybox:1.36
        securityContext:
          runAsUser: 0
          seccompProfile: {type: Unconfined}
      containers:
      - name: app
        image: ghcr.io/acme/app:1.0
        securityContext:
          allowPrivilegeEscalation: false
          capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}
          procMount: Unmasked
        resources:
          limits: {memory: 256Mi, cpu: 500m}
      ephemeralContainers:
      - name: debug
        image: busybox
"""


def test_k8s_pod_level_inheritance():
    init, app, debug = views(POD_DEFAULTS, "deploy.yaml")
    assert [(v.role, v.name) for v in (init, app, debug)] == [
        ("initContainer", "init"), ("container", "app"), ("ephemeralContainer", "debug")]
    assert init.user.value == 0 and not init.user.inherited
    assert app.user.value == 1000 and app.user.inherited and app.user.span.line == 17
    assert app.run_as_non_root.is_true() and app.run_as_non_root.inherited
    assert app.selinux.value == "spc_t" and app.selinux.inherited
    assert init.seccomp.value == "unconfined" and not init.seccomp.inherited
    assert app.seccomp.value == "runtimedefault" and app.seccomp.inherited  # pod annotation
    assert app.apparmor.value == "unconfined"  # container annotation wins over the pod's profile
    assert debug.apparmor.value == "runtimedefault" and debug.apparmor.inherited
    # never inherited from the pod securityContext
    for v in (init, app, debug):
        assert v.privileged is None and v.read_only_root is None
    assert app.allow_privilege_escalation.is_false() and app.proc_mount.value == "unmasked"
    assert [c.value for c in app.cap_drop] == ["ALL"] and [c.value for c in app.cap_add] == ["NET_BIND_SERVICE"]
    assert app.memory_limit.value == "256Mi" and app.cpu_limit.value == "500m" and init.memory_limit is None
    assert [h.value for h in app.host_namespaces] == ["network"] and app.host_namespaces[0].inherited
    assert [(s.name, s.value) for s in debug.sysctls] == [("kernel.msgmax", "65536")]
    pod = app.pod
    assert (pod.kind, pod.name, pod.label) == ("Deployment", "web", "Deployment `web`")
    assert pod.automount_service_account_token.is_false() and pod.host_users.is_false()
    assert pod.host_pid.is_false() and pod.lines == (1, 42)
    assert at(POD_DEFAULTS, pod.anchor) == "spec" and pod.anchor.line == 11
    assert at(POD_DEFAULTS, app.anchor) == "name: app" and at(POD_DEFAULTS, app.image_span) == "ghcr.io/acme/app:1.0"
    assert pod.where("seccomp").path == ("securityContext", "seccompProfile", "type") and pod.where("seccomp").node is pod.spec
    assert app.where("read_only_root").path == ("securityContext", "readOnlyRootFilesystem")
    assert app.where("memory_limit").node is app.node and app.where("seccomp").node is pod.spec


def test_k8s_container_struct_replaces_pod_struct():
    text = ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext:\n"
            "    seLinuxOptions: {type: spc_t}\n    seccompProfile: {type: Unconfined}\n  containers:\n"
            "  - name: a\n    image: x\n    securityContext:\n      seLinuxOptions: {level: 's0:c1'}\n"
            "      seccompProfile: {type: Localhost, localhostProfile: p.json}\n")
    v = one(text, "pod.yaml")
    assert v.selinux is None and v.seccomp.value == "localhost" and not v.seccomp.inherited


def test_k8s_cronjob_list_podtemplate_and_other_kinds():
    text = ("apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: cj}\nspec:\n  schedule: '* * * * *'\n"
            "  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n"
            "          - {name: job, image: alpine}\n---\n"
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: List\n  items:\n"
            "  - {apiVersion: v1, kind: Pod, metadata: {name: nested}, spec: {containers: [{name: n, image: x}]}}\n"
            "- {apiVersion: v1, kind: ConfigMap, metadata: {name: c}}\n"
            "- {apiVersion: v1, kind: PodTemplate, metadata: {name: t}, template: {spec: {containers: [{name: t, image: y}]}}}\n"
            "---\napiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80}]}\n"
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: empty}\nspec: {}\n")
    vs = views(text, "all.yaml")
    assert [(v.pod.kind, v.name) for v in vs] == [("CronJob", "job"), ("Pod", "n"), ("PodTemplate", "t")]


def test_k8s_mounts_devices_env_ports():
    text = ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  volumes:\n"
            "  - name: run\n    hostPath: {path: /var/run/, type: Directory}\n"
            "  - name: disk\n    hostPath:\n      path: /dev/sda\n      type: BlockDevice\n"
            "  - name: cache\n    emptyDir: {}\n"
            "  containers:\n  - name: a\n    image: x\n    volumeMounts:\n"
            "    - {name: run, mountPath: /sock, subPath: docker.sock, readOnly: true}\n"
            "    - {name: disk, mountPath: /dev/sda}\n    - {name: cache, mountPath: /cache}\n"
            "    - {name: missing, mountPath: /m}\n"
            "    env:\n    - name: API_TOKEN\n      value: \"abc\"\n    - name: FROM\n      valueFrom: {secretKeyRef: {name: s, key: k}}\n"
            "    - name: DEP\n      value: $(OTHER)/x\n"
            "    ports:\n    - containerPort: 22\n      hostPort: 2222\n    - {containerPort: 8080, protocol: UDP}\n")
    v = one(text, "pod.yaml")
    got = [(m.source_kind, m.host_path, m.host_path_type, m.target, m.read_only) for m in v.mounts]
    assert got == [("hostPath", "/var/run/docker.sock", "Directory", "/sock", True),
                   ("hostPath", "/dev/sda", "BlockDevice", "/dev/sda", False),
                   ("emptyDir", None, None, "/cache", False), ("unknown", None, None, "/m", False)]
    assert at(text, v.mounts[0].span) == "path: /var/run/" and v.mounts[0].mount_span.line == 18
    assert [d.value for d in v.devices] == ["/dev/sda"]
    env = {e.name: e for e in v.env}
    assert env["API_TOKEN"].value == "abc" and at(text, env["API_TOKEN"].value_span) == "abc"
    assert env["FROM"].value is None and env["FROM"].value_from and env["DEP"].interpolated
    assert [(p.container, p.protocol, p.published) for p in v.ports] == [(22, "tcp", "2222"), (8080, "udp", None)]


def test_k8s_container_without_name_and_odd_shapes():
    text = ("apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - image: x\n  - just-a-string\n"
            "  - name: b\n    securityContext: null\n    resources: {limits: null}\n    env: [{value: v}]\n")
    vs = views(text, "pod.yaml")
    assert [v.name for v in vs] == ["", "b"]
    assert vs[0].anchor.line == 5 and vs[1].security_context is None and vs[1].env == []


# --------------------------------------------------------------------------- the corpus

def _corpus() -> Path:
    env = os.environ.get("HARDENLINT_CORPUS")
    root = Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "corpus"
    if not (root / "compose").is_dir() or not (root / "k8s").is_dir():
        pytest.skip("shared corpus not present")
    return root


def test_corpus_parses_and_views_without_exception():
    root = _corpus()
    names = {}
    manifest = root / "MANIFEST.tsv"
    if manifest.is_file():
        for line in manifest.read_text(encoding="utf-8").splitlines()[1:]:
            parts = line.split("\t")
            if len(parts) >= 5:
                names[parts[0]] = parts[3]
    files = sorted((root / "compose").iterdir()) + sorted((root / "k8s").iterdir())
    sources = []
    for f in files:
        display = names.get(f.name, f.name)
        sources.append((f.parent.name, read_source(str(f), display, kind_by_name(display) or "yaml")))
    t0 = time.perf_counter()
    kinds = {}
    containers = 0
    for folder, s in sources:
        p = parse(s)
        kinds.setdefault((folder, p.kind), 0)
        kinds[(folder, p.kind)] += 1
        if p.model is not None:
            containers += len(p.model.containers)
            for v in p.model.containers:
                assert v.anchor.start <= v.anchor.end
                if v.image_span is not None:
                    assert s.text[v.image_span.start:v.image_span.end].strip()
    elapsed = time.perf_counter() - t0
    print(f"\ncorpus: {len(sources)} files, {containers} containers, {elapsed:.2f}s, {kinds}")
    assert kinds.get(("compose", None), 0) == 0 and kinds.get(("k8s", None), 0) == 0
    assert containers > 1000


def test_null_values_count_as_absent():
    v = one("services:\n  web:\n    image: x\n    privileged:\n    user: ~\n    read_only: null\n")
    assert v.privileged is None and v.user is None and v.read_only_root is None
    text = ("apiVersion: v1\nkind: Pod\nspec:\n  securityContext: {runAsUser: 1000}\n  containers:\n"
            "  - name: a\n    securityContext: {runAsUser: null, privileged: ~}\n")
    v = one(text, "pod.yaml")
    assert v.user.value == 1000 and v.user.inherited and v.privileged is None
