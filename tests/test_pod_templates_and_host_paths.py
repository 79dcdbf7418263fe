"""Every pod template whatever the object's kind (known (group, kind) table and the structural
fallback), and host paths wherever they are declared (unmounted hostPath volumes, PersistentVolumes)."""
from __future__ import annotations

import pytest

from hardenlint.model.kubernetes_view import pod_template
from hardenlint.model.yamlnodes import compose_stream

from .conftest import REPO, lint, rules_of

POD_SPEC = """      hostNetwork: true
      containers:
        - name: app
          image: registry.example.com/app:1.2.3
          securityContext:
            privileged: true
"""


def workload(api_version: str, kind: str, holder: str = "template") -> str:
    """An object of `kind` whose pod spec sits at spec.<holder>.spec (or at `spec` for holder="")."""
    head = f"apiVersion: {api_version}\nkind: {kind}\nmetadata:\n  name: w\nspec:\n"
    if holder == "":
        return head + "\n".join(line[4:] for line in POD_SPEC.splitlines()) + "\n"
    if holder == "jobTemplate":
        return head + "  jobTemplate:\n    spec:\n      template:\n        spec:\n" + \
            "".join("    " + line + "\n" for line in POD_SPEC.splitlines())
    return head + "  template:\n    spec:\n" + POD_SPEC


@pytest.mark.parametrize("api_version,kind,holder", [
    ("apps.openshift.io/v1", "DeploymentConfig", "template"),
    ("v1", "DeploymentConfig", "template"),
    ("argoproj.io/v1alpha1", "Rollout", "template"),
    ("serving.knative.dev/v1", "Service", "template"),
    ("serving.knative.dev/v1", "Configuration", "template"),
    ("serving.knative.dev/v1", "Revision", ""),
    ("apps/v1", "Deployment", "template"),
    ("batch/v1", "CronJob", "jobTemplate"),
    # custom resources nobody listed: found by shape
    ("apps.kruise.io/v1alpha1", "CloneSet", "template"),
    ("example.com/v1", "Sandbox", ""),
    ("example.com/v1", "ScheduledTask", "jobTemplate"),
])
def test_pod_specs_of_every_kind_are_judged(api_version, kind, holder):
    found = lint(workload(api_version, kind, holder), "w.yaml")
    assert {"HL304", "HL312"} <= set(rules_of(found)), rules_of(found)
    host = next(f for f in found if f.rule == "HL312")
    assert host.message.startswith(f"{kind} `w` shares the host's network namespace")


def test_podtemplate_kind():
    text = "apiVersion: v1\nkind: PodTemplate\nmetadata:\n  name: w\ntemplate:\n  spec:\n" + \
        "\n".join(line[2:] for line in POD_SPEC.splitlines()) + "\n"
    assert {"HL304", "HL312"} <= set(rules_of(lint(text, "t.yaml")))


def test_core_service_is_not_mistaken_for_a_knative_service():
    text = ("apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n"
            "      hostNetwork: true\n      containers:\n        - name: x\n")  # no image: not a pod spec
    assert lint(text, "svc.yaml") == []
    knative = text.replace("apiVersion: v1", "apiVersion: serving.knative.dev/v1")
    assert "HL312" in rules_of(lint(knative, "svc.yaml"))


@pytest.mark.parametrize("text", [
    # containers without image, or not a list of mappings: not a pod spec by shape
    "apiVersion: example.com/v1\nkind: Thing\nspec:\n  containers:\n    - name: x\n",
    "apiVersion: example.com/v1\nkind: Thing\nspec:\n  containers: [a, b]\n",
    "apiVersion: example.com/v1\nkind: Thing\nspec:\n  containers: []\n",
    "apiVersion: example.com/v1\nkind: Thing\nspec:\n  pod:\n    spec:\n      containers:\n        - image: x\n",
    "apiVersion: v1\nkind: ConfigMap\ndata:\n  containers: x\n",
])
def test_structural_fallback_needs_the_pod_spec_shape(text):
    root = compose_stream(text)[0][0].root
    assert pod_template(root) is None


def test_a_builtin_kind_name_of_another_group_shaped_otherwise_falls_back_to_shape():
    text = ("apiVersion: batch.volcano.sh/v1alpha1\nkind: Job\nmetadata:\n  name: w\nspec:\n  tasks:\n"
            "    - template:\n        spec:\n          containers:\n            - image: x\n")
    assert pod_template(compose_stream(text)[0][0].root) is None  # no pod spec at a place we look


def test_knative_example_without_container_names():
    found = lint((REPO / "examples" / "knative-service.yaml").read_text(), "knative-service.yaml")
    priv = [f for f in found if f.rule == "HL304"]
    assert [f.span.line for f in priv] == [22]
    assert priv[0].message.startswith("unnamed container of Service `hello` runs privileged")
    assert any(f.rule == "HL305" and "SYS_ADMIN" in f.message for f in found)  # the Argo Rollout
    assert not any("hello-internal" in f.message for f in found)


def test_annotation_suppression_on_a_custom_kinds_pod_template():
    text = workload("argoproj.io/v1alpha1", "Rollout").replace(
        "    spec:\n      hostNetwork", "    metadata:\n      annotations:\n        hardenlint.io/ignore: HL312\n"
                                       "    spec:\n      hostNetwork")
    rules = rules_of(lint(text, "r.yaml"))
    assert "HL312" not in rules and "HL304" in rules


# --- host paths wherever declared -------------------------------------------------------------

def host(found):
    return [(f.rule, f.span.line, f.level, f.message) for f in found if f.rule in ("HL313", "HL314", "HL315")]


def test_persistent_volume_host_path_is_judged():
    text = """apiVersion: v1
kind: PersistentVolume
metadata:
  name: docker
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  hostPath:
    path: /var/run/docker.sock
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: config
spec:
  hostPath:
    path: /etc/kubernetes/
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: disk
spec:
  hostPath:
    path: /dev/sdb
    type: BlockDevice
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: data
spec:
  hostPath:
    path: /srv/data
"""
    got = host(lint(text, "pv.yaml"))
    assert [(r, line) for r, line, _l, _m in got] == [("HL313", 9), ("HL314", 17), ("HL315", 25)]
    assert got[0][3].startswith("PersistentVolume `docker` exposes the Docker socket")
    assert got[1][3] == "PersistentVolume `config` exposes host path `/etc/kubernetes`, which is under /etc (read-write)"
    assert got[2][3].startswith("PersistentVolume `disk` exposes host device `/dev/sdb`")


def test_other_groups_persistent_volume_kind_is_not_judged():
    text = "apiVersion: example.com/v1\nkind: PersistentVolume\nspec:\n  hostPath:\n    path: /etc\n"
    assert host(lint(text, "pv.yaml")) == []


POD = """apiVersion: v1
kind: Pod
metadata:
  name: agent
spec:
  containers:
    - name: a
      image: busybox:1.36
      volumeMounts:
        - name: etc
          mountPath: /host/etc
          readOnly: true
    - name: b
      image: busybox:1.36
      volumeMounts:
        - name: etc
          mountPath: /host/etc
        - name: base
          mountPath: /k
          subPath: kubelet
        - name: base
          mountPath: /d
          subPath: data
  volumes:
    - name: etc
      hostPath:
        path: /etc
    - name: unused
      hostPath:
        path: /var/run
    - hostPath:
        path: /root/.ssh
    - name: base
      hostPath:
        path: /var/lib
    - name: tty
      hostPath:
        path: /dev/tty0
        type: CharDevice
"""


def test_pod_host_path_volumes_mounted_or_not():
    got = host(lint(POD, "pod.yaml"))
    assert (("HL314", 27, "error", "containers `a`, `b` mount host path `/etc` (read-write)")) in got
    assert ("HL313", 30, "error", "volume `unused` of Pod `agent` exposes a directory holding the Docker socket and other runtime sockets "
            "(`/var/run`): whoever talks to it controls the host's containers, read-only or not") in got
    assert ("HL314", 32, "error", "unnamed volume of Pod `agent` exposes host path `/root/.ssh`, which is under "
            "/root (read-write)") in got
    # one volume, two mounts with different subPaths: judged per mount
    assert ("HL314", 35, "error", "container `b` mounts host path `/var/lib/kubelet` (read-write)") in got
    assert not any("/var/lib/data" in m for _r, _l, _v, m in got)
    assert ("HL315", 38, "warning", "volume `tty` of Pod `agent` exposes host device `/dev/tty0`; pass only what is "
            "needed, read-only where possible") in got
    assert len(got) == 5


def test_a_read_only_mount_alone_stays_a_warning():
    text = POD.replace("        - name: etc\n          mountPath: /host/etc\n        - name: base", "        - name: base")
    got = host(lint(text, "pod.yaml"))
    assert ("HL314", 25, "warning", "container `a` mounts host path `/etc` (read-only)") in got


def test_unmounted_harmless_host_path_is_no_finding():
    text = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: a\n"
            "      image: busybox:1.36\n  volumes:\n    - name: cache\n      hostPath:\n        path: /srv/cache\n")
    assert host(lint(text, "pod.yaml")) == []
