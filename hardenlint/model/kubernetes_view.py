"""PodViews and ContainerViews of Kubernetes objects (see `container` for what the views hold).

`kubernetes_objects(root)` lists a document's objects (`List` items expanded);
`kubernetes_pods(source, obj)` gives the PodView of a Pod or of a workload's pod template, with one
ContainerView per container, init container and ephemeral container. Pod-level settings are
inherited as the `container` docstring says; the legacy seccomp / AppArmor annotations are read too.
"""
from __future__ import annotations

from ..source import SourceFile
from .container import (
    BuildContext, ContainerView, EnvVar, Mount, PodView, Port, Setting, Sysctl, normalise_host_path,
    normalise_profile,
)
from .findings import Span
from .image import parse_image
from .record import replace
from .yamlnodes import (
    Entry, MappingNode, Node, ScalarNode, SequenceNode, as_bool, entry_range, get, get_entry, is_null,
    item_ranges, mapping_entries, node_end, scalar_text_range, scalar_value, text_value, value_range,
)

from typing import Dict, Iterable, List, Optional, Tuple

__all__ = ["WORKLOAD_KINDS", "kubernetes_objects", "kubernetes_pods", "object_lines"]

# kind -> path from the object to the mapping holding the pod spec (a Pod holds it itself)
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


def kubernetes_pods(source: SourceFile, obj: MappingNode) -> Optional[PodView]:
    """The PodView of a workload object (with its ContainerViews), or None for other kinds."""
    kind = text_value(get(obj, "kind"))
    path = WORKLOAD_KINDS.get(kind or "")
    if path is None:
        return None
    ctx = BuildContext(source)
    if kind == "Pod":
        holder, metadata = obj, get(obj, "metadata")
    else:
        template = get(obj, *path)
        if not isinstance(template, MappingNode):
            return None
        holder, metadata = template, get(template, "metadata")
    spec_entry = get_entry(holder, "spec")
    if spec_entry is None or not isinstance(spec_entry.value_node, MappingNode):
        return None
    spec = spec_entry.value_node
    name = text_value(get(obj, "metadata", "name")) or ""
    anchor = ctx.span(spec_entry.key_node.start_mark.index, spec_entry.key_node.end_mark.index)
    pod = PodView(kind, name, obj, spec, anchor, metadata if isinstance(metadata, MappingNode) else None,
                  lines=object_lines(source, obj))
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
    return pod


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
    text = ctx.text
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
        hp_node = vents["hostPath"].value_node
        pe = get_entry(hp_node, "path")
        raw = text_value(pe.value_node) if pe is not None else None
        hspan = ctx.span(*entry_range(text, pe.key_node, pe.value_node)) if pe is not None else \
            ctx.span(*entry_range(text, vents["hostPath"].key_node, hp_node))
        htype = text_value(get(hp_node, "type"))
        hp = None
        if raw:
            sub = text_value(get(item, "subPath"))
            hp = normalise_host_path(raw + ("/" + sub if sub else ""))
        v.mounts.append(Mount(target, hp, ro, "hostPath", hspan, sp, item, raw_source=raw, host_path_type=htype,
                              volume_name=vname, variable=bool(raw) and "$(" in raw))
        if htype in ("CharDevice", "BlockDevice") and raw:
            v.devices.append(Setting(hp, pe.value_node, pe.key_node, hspan,
                                     ctx.span(*value_range(text, pe.key_node, pe.value_node)), hp_node,
                                     inherited=True))


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
