"""PodViews and ContainerViews of Kubernetes objects (see `container` for what the views hold).

`kubernetes_objects(root)` lists a document's objects (`List` items expanded);
`kubernetes_pods(source, obj)` gives the PodView of a Pod or of a workload's pod template, with one
ContainerView per container, init container and ephemeral container. Pod-level settings are
inherited as the `container` docstring says; the legacy seccomp / AppArmor annotations are read too.
"""
from __future__ import annotations

from typing import Dict, Iterable, List, Optional, Tuple

from ..source import SourceFile
from .container import (
    BuildContext, ContainerView, EnvVar, HostVolume, Mount, PodView, Port, Setting, Sysctl,
    normalise_host_path, normalise_profile,
)
from .findings import Span
from .image import parse_image
from .record import replace
from .yamlnodes import (
    Entry, MappingNode, Node, ScalarNode, SequenceNode, as_bool, entry_range, get, get_entry, is_null,
    item_ranges, mapping_entries, node_end, scalar_text_range, scalar_value, text_value, value_range,
)

__all__ = ["WORKLOAD_KINDS", "POD_TEMPLATES", "kubernetes_objects", "kubernetes_pods", "object_lines",
           "persistent_volume", "pod_template"]

# kind -> path from the object to the mapping holding the pod spec (a Pod holds it itself): the
# built-in workloads, matched by kind alone (any API group, or none written)
WORKLOAD_KINDS = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "ReplicationController": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
    "PodTemplate": ("template",),
}
# (API group, kind) -> path from the object to the mapping whose `spec` is the pod spec and whose
# `metadata` the pod's (() for the object itself), for kinds of other API groups. Matched by group
# too: Knative's `Service` shares its name with core v1 `Service`.
POD_TEMPLATES: Dict[Tuple[str, str], Tuple[str, ...]] = {
    ("apps.openshift.io", "DeploymentConfig"): ("spec", "template"),
    ("", "DeploymentConfig"): ("spec", "template"),  # OpenShift 3's `apiVersion: v1`
    ("argoproj.io", "Rollout"): ("spec", "template"),
    ("serving.knative.dev", "Service"): ("spec", "template"),
    ("serving.knative.dev", "Configuration"): ("spec", "template"),
    ("serving.knative.dev", "Revision"): (),
}
# Where other kinds (custom resources nobody listed) are looked at for a pod spec, by shape.
_SHAPE_PATHS = ((), ("spec", "template"), ("spec", "jobTemplate", "spec", "template"))
_CONTAINER_LISTS = (("initContainers", "initContainer"), ("containers", "container"),
                    ("ephemeralContainers", "ephemeralContainer"))
_VOLUME_TYPES = ("hostPath", "emptyDir", "configMap", "secret", "persistentVolumeClaim", "projected",
                 "downwardAPI", "nfs", "csi", "ephemeral", "image", "gitRepo", "iscsi", "cephfs", "rbd",
                 "glusterfs", "fc", "flexVolume", "azureFile", "azureDisk", "awsElasticBlockStore",
                 "gcePersistentDisk", "cinder", "local")
_SECCOMP_POD_ANN = "seccomp.security.alpha.kubernetes.io/pod"
_SECCOMP_CTR_ANN = "container.seccomp.security.alpha.kubernetes.io/"
_APPARMOR_CTR_ANN = "container.apparmor.security.beta.kubernetes.io/"
_MAX_LIST_DEPTH = 8


# --------------------------------------------------------------------------- objects and pods


def kubernetes_objects(root: Optional[Node], depth: int = 0) -> Iterable[MappingNode]:
    """Every object of a document: the root, or the items of a `kind: List` (recursively,
    also `*List` kinds with an `items` sequence)."""
    if not isinstance(root, MappingNode):
        return
    kind = text_value(get(root, "kind"))
    if kind and kind.endswith("List") and isinstance(get(root, "items"), SequenceNode):
        if depth >= _MAX_LIST_DEPTH:
            return
        for item in get(root, "items").value:
            yield from kubernetes_objects(item, depth + 1)
        return
    yield root


def object_lines(source: SourceFile, obj: Node) -> Tuple[int, int]:
    """First and last line of an object as written."""
    idx = source.index
    start = obj.start_mark.index
    return idx.position(start)[0], idx.position(max(start, node_end(source.text, obj) - 1))[0]


def api_group(obj: MappingNode) -> Optional[str]:
    """The API group of an object: `apps` for `apps/v1`, "" for core `v1`, None when unwritten."""
    version = text_value(get(obj, "apiVersion"))
    if version is None:
        return None
    return version.rsplit("/", 1)[0] if "/" in version else ""


def _is_pod_spec(node: Optional[Node]) -> bool:
    """The shape of a pod spec: `containers`, a non-empty list of mappings that all have `image`."""
    containers = get(node, "containers")
    return isinstance(node, MappingNode) and isinstance(containers, SequenceNode) and bool(containers.value) \
        and all(isinstance(c, MappingNode) and get_entry(c, "image") is not None for c in containers.value)


def pod_template(obj: MappingNode) -> Optional[MappingNode]:
    """The mapping of an object whose `spec` is a pod spec and whose `metadata` is the pod's: the
    object itself for a Pod or a Knative Revision, the pod template for a workload. Known kinds
    come from `POD_TEMPLATES` / `WORKLOAD_KINDS`; any other object qualifies by shape, when a
    pod spec (see `_is_pod_spec`) sits at `spec`, `spec.template.spec` or
    `spec.jobTemplate.spec.template.spec`. None when the object holds no pod spec."""
    kind = text_value(get(obj, "kind")) or ""
    group = api_group(obj)
    path = POD_TEMPLATES.get((group, kind)) if group is not None else None
    if path is None and kind in WORKLOAD_KINDS:
        path = () if kind == "Pod" else WORKLOAD_KINDS[kind]
    if path is not None:
        holder = get(obj, *path) if path else obj
        if isinstance(get(holder, "spec"), MappingNode):
            return holder  # (a kind of the same name in another group, shaped otherwise, falls through)
    for shape in _SHAPE_PATHS:
        holder = get(obj, *shape) if shape else obj
        if _is_pod_spec(get(holder, "spec")):
            return holder
    return None


def kubernetes_pods(source: SourceFile, obj: MappingNode) -> Optional[PodView]:
    """The PodView of an object that holds a pod spec (see `pod_template`), with its
    ContainerViews, or None for other objects."""
    holder = pod_template(obj)
    if holder is None:
        return None
    kind = text_value(get(obj, "kind")) or ""
    ctx = BuildContext(source)
    metadata = get(holder, "metadata")
    spec_entry = get_entry(holder, "spec")
    if spec_entry is None or not isinstance(spec_entry.value_node, MappingNode):
        return None
    spec = spec_entry.value_node
    name = text_value(get(obj, "metadata", "name")) or ""
    anchor = ctx.span(spec_entry.key_node.start_mark.index, spec_entry.key_node.end_mark.index)
    pod = PodView(kind, name, obj, spec, anchor, metadata if isinstance(metadata, MappingNode) else None,
                  lines=object_lines(source, obj), source=source)
    ann_node = get(metadata, "annotations")
    ann_entries: Dict[str, Entry] = {}
    if isinstance(ann_node, MappingNode):
        pod.annotations_node = ann_node
        ann_entries = mapping_entries(ann_node)
        pod.annotations = {k: text_value(e.value_node) for k, e in ann_entries.items()}
    ents = mapping_entries(spec)
    psc = get(spec, "securityContext")
    psc = psc if isinstance(psc, MappingNode) else None
    pod.security_context = psc
    for key, attr in (("automountServiceAccountToken", "automount_service_account_token"),
                      ("hostNetwork", "host_network"), ("hostPID", "host_pid"), ("hostIPC", "host_ipc"),
                      ("hostUsers", "host_users")):
        e = ents.get(key)
        if e is not None:
            setattr(pod, attr, ctx.entry(e, scalar_value(e.value_node), shared=ctx.is_alias(e)))
    pents = mapping_entries(psc)
    pod.seccomp = _profile_setting(ctx, pents.get("seccompProfile"))
    if pod.seccomp is None and _SECCOMP_POD_ANN in ann_entries:
        e = ann_entries[_SECCOMP_POD_ANN]
        pod.seccomp = ctx.entry(e, normalise_profile(text_value(e.value_node)))
    pod.apparmor = _profile_setting(ctx, pents.get("appArmorProfile"))
    for item, sp, _flags in ctx.list_items(pents.get("sysctls")):
        n = text_value(get(item, "name"))
        if n:
            pod.sysctls.append(Sysctl(n, text_value(get(item, "value")), sp, item, inherited=True))
    for vol in (get(spec, "volumes").value if isinstance(get(spec, "volumes"), SequenceNode) else ()):
        vn = text_value(get(vol, "name"))
        if vn and isinstance(vol, MappingNode):
            pod.volumes[vn] = vol
    for list_key, role in _CONTAINER_LISTS:
        ce = ents.get(list_key)
        if ce is None or not isinstance(ce.value_node, SequenceNode):
            continue
        for item, s, end in item_ranges(ctx.text, ce.value_node):
            if isinstance(item, MappingNode):
                pod.containers.append(_container_view(ctx, pod, item, role, ann_entries, ctx.span(s, end)))
    pod.host_volumes = _unmounted_host_volumes(ctx, pod, ents.get("volumes"))
    return pod


def persistent_volume(source: SourceFile, obj: MappingNode) -> Optional[HostVolume]:
    """The host path of a PersistentVolume's `spec.hostPath`, or None."""
    if text_value(get(obj, "kind")) != "PersistentVolume" or api_group(obj) not in ("", None):
        return None
    e = get_entry(get(obj, "spec"), "hostPath")
    if e is None or not isinstance(e.value_node, MappingNode):
        return None
    ctx = BuildContext(source)
    name = text_value(get(obj, "metadata", "name")) or ""
    mount, device = _host_path_mount(ctx, e, None, False, None, ctx.span(*entry_range(ctx.text, e.key_node, e.value_node)),
                                     obj, None)
    return HostVolume(f"PersistentVolume `{name}`" if name else "PersistentVolume", name, mount, device)


def _unmounted_host_volumes(ctx: BuildContext, pod: PodView, ve: Optional[Entry]) -> List[HostVolume]:
    """The pod's hostPath volumes that no container mounts (named or not): admission judges a
    volume whether or not it is mounted."""
    mounted = {m.volume_name for c in pod.containers for m in c.mounts}
    out = []
    for item, sp, _flags in ctx.list_items(ve):
        e = get_entry(item, "hostPath")
        if e is None or not isinstance(e.value_node, MappingNode):
            continue
        name = text_value(get(item, "name"))
        if name and name in mounted:
            continue
        mount, device = _host_path_mount(ctx, e, None, False, None, sp, item, name)
        label = f"volume `{name}` of {pod.label}" if name else f"unnamed volume of {pod.label}"
        out.append(HostVolume(label, name or "", mount, device))
    return out


def _host_path_mount(ctx: BuildContext, hp: Entry, target: Optional[str], ro: bool, sub: Optional[str],
                     mount_span: Span, node: Node, vname: Optional[str]) -> Tuple[Mount, Optional[Setting]]:
    """A Mount for a `hostPath:` entry (its `path` joined with a mount's `subPath`), and the
    device Setting when its `type` is CharDevice / BlockDevice."""
    text = ctx.text
    hp_node = hp.value_node
    pe = get_entry(hp_node, "path")
    raw = text_value(pe.value_node) if pe is not None else None
    hspan = ctx.span(*entry_range(text, pe.key_node, pe.value_node)) if pe is not None else \
        ctx.span(*entry_range(text, hp.key_node, hp_node))
    htype = text_value(get(hp_node, "type"))
    path = normalise_host_path(raw + ("/" + sub if sub else "")) if raw else None
    mount = Mount(target, path, ro, "hostPath", hspan, mount_span, node, raw_source=raw, host_path_type=htype,
                  volume_name=vname, variable=bool(raw) and "$(" in raw)
    device = None
    if htype in ("CharDevice", "BlockDevice") and raw:
        device = Setting(path, pe.value_node, pe.key_node, hspan, ctx.span(*value_range(text, pe.key_node, pe.value_node)),
                         hp_node, inherited=True)
    return mount, device


# --------------------------------------------------------------------------- one container


def _container_view(ctx: BuildContext, pod: PodView, node: MappingNode, role: str, ann: Dict[str, Entry],
                    item_span: Span) -> ContainerView:
    text = ctx.text
    ents = mapping_entries(node)
    name_e = ents.get("name")
    name = text_value(name_e.value_node) if name_e is not None else None
    if name_e is not None:
        anchor = ctx.span(*entry_range(text, name_e.key_node, name_e.value_node))
    else:
        eol = text.find("\n", item_span.start)
        anchor = ctx.span(item_span.start, item_span.end if eol == -1 else min(item_span.end, eol))
    v = ContainerView("kubernetes", name or "", role, anchor, node, ctx.source, pod=pod)
    e = ents.get("image")
    if e is not None and isinstance(e.value_node, ScalarNode) and not is_null(e.value_node):
        v.image_setting = ctx.entry(e, e.value_node.value)
        v.image = parse_image(e.value_node.value)
        v.image_span = ctx.scalar_span(e)
    sce = ents.get("securityContext")
    sc = sce.value_node if sce is not None and isinstance(sce.value_node, MappingNode) else None
    v.security_context = sc
    cents = mapping_entries(sc)
    pents = mapping_entries(pod.security_context)

    def own_or_pod(key: str) -> Optional[Setting]:
        e2 = cents.get(key)
        if e2 is not None and not is_null(e2.value_node):
            return ctx.entry(e2, scalar_value(e2.value_node), shared=ctx.is_alias(e2))
        e2 = pents.get(key)
        if e2 is not None and not is_null(e2.value_node):
            return ctx.entry(e2, scalar_value(e2.value_node), inherited=True, shared=ctx.is_alias(e2))
        return None

    def own(key: str, fn=scalar_value) -> Optional[Setting]:
        e2 = cents.get(key)
        if e2 is None or is_null(e2.value_node):
            return None
        return ctx.entry(e2, fn(e2.value_node), shared=ctx.is_alias(e2))

    v.user = own_or_pod("runAsUser")
    v.run_as_non_root = own_or_pod("runAsNonRoot")
    v.run_as_group = own_or_pod("runAsGroup")
    v.privileged = own("privileged")
    v.read_only_root = own("readOnlyRootFilesystem")
    v.allow_privilege_escalation = own("allowPrivilegeEscalation")
    v.proc_mount = own("procMount", lambda n: (text_value(n) or "").lower() or None)
    caps = get(sc, "capabilities")
    v.cap_add = ctx.capabilities(get_entry(caps, "add"))
    v.cap_drop = ctx.capabilities(get_entry(caps, "drop"))
    v.seccomp = _container_profile(ctx, cents.get("seccompProfile"), ann.get(_SECCOMP_CTR_ANN + v.name),
                                   pod.seccomp)
    v.apparmor = _container_profile(ctx, cents.get("appArmorProfile"), ann.get(_APPARMOR_CTR_ANN + v.name),
                                    pod.apparmor)
    sel = cents.get("seLinuxOptions")
    inherited = False
    if sel is None:
        sel, inherited = pents.get("seLinuxOptions"), True
    if sel is not None and isinstance(sel.value_node, MappingNode):
        te = get_entry(sel.value_node, "type")
        if te is not None and text_value(te.value_node):
            v.selinux = ctx.entry(te, text_value(te.value_node), inherited=inherited)
    lents = mapping_entries(get(node, "resources", "limits"))
    for key, attr in (("memory", "memory_limit"), ("cpu", "cpu_limit")):
        e2 = lents.get(key)
        if e2 is not None and not is_null(e2.value_node):
            setattr(v, attr, ctx.entry(e2, text_value(e2.value_node), shared=ctx.is_alias(e2)))
    # pod-level things every container shares
    for ns, s in (("network", pod.host_network), ("pid", pod.host_pid), ("ipc", pod.host_ipc)):
        if s is not None and s.is_true():
            v.host_namespaces.append(replace(s, value=ns, inherited=True))
    v.sysctls = list(pod.sysctls)
    _mounts(ctx, pod, v, ents.get("volumeMounts"))
    v.env = _env(ctx, ents.get("env"))
    v.ports = _ports(ctx, ents.get("ports"))
    return v


def _profile_setting(ctx: BuildContext, e: Optional[Entry]) -> Optional[Setting]:
    """seccompProfile / appArmorProfile struct -> Setting on its `type` (or the struct)."""
    if e is None or not isinstance(e.value_node, MappingNode):
        return None
    te = get_entry(e.value_node, "type")
    if te is not None:
        return ctx.entry(te, normalise_profile(text_value(te.value_node)), shared=ctx.is_alias(e))
    return ctx.entry(e, None)


def _container_profile(ctx: BuildContext, own: Optional[Entry], annotation: Optional[Entry],
                       pod_profile: Optional[Setting]) -> Optional[Setting]:
    """A container's seccomp / AppArmor profile: its own struct when written, else the
    container's annotation, else the pod's (inherited)."""
    if own is not None:
        return _profile_setting(ctx, own)
    if annotation is not None:
        return ctx.entry(annotation, normalise_profile(text_value(annotation.value_node)))
    return replace(pod_profile, inherited=True) if pod_profile is not None else None


# --------------------------------------------------------------------------- mounts, env, ports


def _mounts(ctx: BuildContext, pod: PodView, v: ContainerView, vme: Optional[Entry]) -> None:
    """`volumeMounts` -> `v.mounts`, resolved against the pod's volumes; hostPath volumes of type
    CharDevice / BlockDevice also -> `v.devices`."""
    for item, sp, _flags in ctx.list_items(vme):
        if not isinstance(item, MappingNode):
            continue
        vname = text_value(get(item, "name"))
        target = text_value(get(item, "mountPath"))
        ro = as_bool(get(item, "readOnly")) is True
        vol = pod.volumes.get(vname or "")
        if vol is None:
            v.mounts.append(Mount(target, None, ro, "unknown", sp, sp, item, volume_name=vname))
            continue
        vents = mapping_entries(vol)
        vtype = next((t for t in vents if t in _VOLUME_TYPES), None) or next(
            (t for t in vents if t != "name"), "unknown")
        if vtype != "hostPath":
            v.mounts.append(Mount(target, None, ro, vtype, sp, sp, item, volume_name=vname))
            continue
        sub = text_value(get(item, "subPath"))
        mount, device = _host_path_mount(ctx, vents["hostPath"], target, ro, sub, sp, item, vname)
        v.mounts.append(mount)
        if device is not None:
            v.devices.append(device)


def _env(ctx: BuildContext, ee: Optional[Entry]) -> List[EnvVar]:
    out = []
    for item, sp, _flags in ctx.list_items(ee):
        if not isinstance(item, MappingNode):
            continue
        ne = get_entry(item, "name")
        if ne is None or not text_value(ne.value_node):
            continue
        ns = ctx.span(*scalar_text_range(ctx.text, ne.value_node))
        vf = get_entry(item, "valueFrom") is not None
        vne = get_entry(item, "value")
        val, vspan = None, None
        if vne is not None and isinstance(vne.value_node, ScalarNode) and not is_null(vne.value_node):
            val = vne.value_node.value
            vspan = ctx.scalar_span(vne)
        out.append(EnvVar(text_value(ne.value_node), val, ns, vspan, sp, item, ee.value_node,
                          bool(val) and "$(" in val, vf))
    return out


def _ports(ctx: BuildContext, pe: Optional[Entry]) -> List[Port]:
    out = []
    for item, sp, _flags in ctx.list_items(pe):
        cp = scalar_value(get(item, "containerPort"))
        if isinstance(cp, int) and not isinstance(cp, bool):
            out.append(Port(cp, cp, (text_value(get(item, "protocol")) or "TCP").lower(), sp, item,
                            text_value(get(item, "hostPort")), text_value(get(item, "hostIP"))))
    return out
