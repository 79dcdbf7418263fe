"""Syscall filtering and mandatory access control: HL401-HL404.

"Disabled" rules point at the value that turns the control off (reported once where it is
written, naming every container it applies to) and their unsafe fix removes that setting.
HL402 is per pod: it adds `seccompProfile: {type: RuntimeDefault}` to the pod's securityContext.
"""
from __future__ import annotations

from typing import Iterable, Optional, Tuple

from ...model import patch
from ...model.container import BuildContext, ContainerView, PodView, Setting, YamlFile
from ...model.findings import Edit, Violation
from ...model.yamlnodes import Entry, MappingNode, get, mapping_entries, text_value
from ...registry import Option, RuleContext, check
from .privilege import fix, grouped, once, remove_setting, who

UNCONFINED_SELINUX_TYPES = frozenset(("spc_t", "unconfined_t"))


def _from_annotation(s: Setting, pod: Optional[PodView]) -> bool:
    return pod is not None and pod.annotations_node is not None and s.parent is pod.annotations_node


def _owner(s: Setting, views) -> str:
    """Who a finding names: the pod for a pod-level setting, else the containers."""
    c = views[0]
    return c.pod.label if c.pod is not None and s.inherited else who(views)


def _struct_entry(holder: Optional[MappingNode], struct: MappingNode) -> Optional[Entry]:
    """The `key: struct` entry of `holder` whose value is `struct` (e.g. `seccompProfile:`)."""
    for e in mapping_entries(holder).values():
        if e.value_node is struct:
            return e
    return None


def _remove_profile(f: YamlFile, s: Setting, c: ContainerView) -> Tuple[Edit, ...]:
    """Remove what turns the control off: a compose item, an annotation, or the profile struct
    (`seccompProfile:` / `appArmorProfile:` / the `type:` of `seLinuxOptions`)."""
    if c.kind == "compose" or s.key_node is None or _from_annotation(s, c.pod):
        return remove_setting(f, s)
    struct = s.parent
    for holder in (c.security_context, c.pod.security_context if c.pod else None):
        e = _struct_entry(holder, struct)
        if e is None:
            continue
        if e.key_node.value == "seLinuxOptions" and len(mapping_entries(struct)) > 1:
            return remove_setting(f, s)
        return patch.remove_entry(f, e.key_node, e.mapping)
    return remove_setting(f, s)


def _disabled(f: YamlFile, attr: str, bad, what: str, title: str) -> Iterable[Violation]:
    def pick(c: ContainerView):
        s = getattr(c, attr)
        return [s] if s is not None and isinstance(s.value, str) and bad(s.value.lower()) else []

    for s, views in grouped(f, pick):
        yield Violation(s.span, f"{_owner(s, views)}: {what}",
                        fix(title, _remove_profile(f, s, views[0]), "unsafe"))


@check("HL401", "CK")
def seccomp_disabled(f: YamlFile, ctx: RuleContext) -> Iterable[Violation]:
    """`seccomp:unconfined`, `seccompProfile.type: Unconfined`, or the legacy annotations."""
    return _disabled(f, "seccomp", lambda v: v == "unconfined",
                     "seccomp is turned off (unconfined), so every syscall reaches the kernel",
                     "remove the unconfined seccomp setting")


@check("HL403", "CK")
def apparmor_disabled(f: YamlFile, ctx: RuleContext) -> Iterable[Violation]:
    """`apparmor:unconfined`, `appArmorProfile.type: Unconfined`, or the annotation."""
    return _disabled(f, "apparmor", lambda v: v == "unconfined",
                     "AppArmor is turned off (unconfined)", "remove the unconfined AppArmor setting")


# Pod Security Standards, baseline: the only SELinux types a pod or container may set.
BASELINE_SELINUX_TYPES = frozenset(("container_t", "container_init_t", "container_kvm_t", "container_engine_t"))


@check("HL404", "CK", options={
    "allowed-types": Option(list, [], "SELinux types accepted besides the Pod Security baseline's "
                                      "(site policy modules)"),
})
def selinux_disabled(f: YamlFile, ctx: RuleContext) -> Iterable[Violation]:
    """`label:disable`, or an unconfined SELinux type (`spc_t`, `unconfined_t`): error. Kubernetes
    `seLinuxOptions` outside the Pod Security baseline (another type, any `user` or `role`):
    warning."""
    found = list(_disabled(f, "selinux", lambda v: v == "disable" or v in UNCONFINED_SELINUX_TYPES,
                           "SELinux separation is turned off (`label:disable` or an unconfined type)",
                           "remove the setting that disables SELinux"))
    yield from found
    allowed = BASELINE_SELINUX_TYPES | {str(t) for t in ctx.options.get("allowed-types") or ()}
    seen = {(v.span.start, v.span.end) for v in found}
    ctx_ = BuildContext(f.source)
    for owner, holder, options in _selinux_options(f):
        entries = mapping_entries(options)
        bad = []
        for key, e in entries.items():
            value = (text_value(e.value_node) or "").strip()
            if key in ("type", "user", "role") and value and not (key == "type" and value in allowed):
                bad.append((key, value, ctx_.entry(e, value)))
        # every entry goes: one fix removes the whole `seLinuxOptions` (entry by entry would leave it null)
        whole = _struct_entry(holder, options) if len(bad) == len(entries) > 1 else None
        for n, (key, value, st) in enumerate(bad):
            if not once(seen, st.span):
                whole = None  # reported by the unconfined check above, with its own fix
                continue
            if whole is not None:
                edits = patch.remove_entry(f, whole.key_node, whole.mapping) if n == 0 else ()
            else:
                edits = remove_setting(f, st)
            if key == "type" and value in UNCONFINED_SELINUX_TYPES:
                yield Violation(st.span, f"{owner}: SELinux separation is turned off (`type: {value}`)",
                                fix("remove the setting that disables SELinux", edits, "unsafe"))
            elif key == "type":
                yield Violation(st.span, f"{owner}: SELinux type `{value}` is outside the Pod Security baseline "
                                         f"({', '.join(sorted(BASELINE_SELINUX_TYPES))}); baseline admission "
                                         f"rejects the pod. List site types in `allowed-types`",
                                fix(f"remove `type: {value}`" if n or whole is None else "remove `seLinuxOptions`",
                                    edits, "unsafe"), "warning")
            else:
                yield Violation(st.span, f"{owner}: SELinux `{key}: {value}` picks an identity the Pod Security "
                                         f"baseline does not allow (only `type` and `level` may be set)",
                                fix(f"remove `{key}`" if n or whole is None else "remove `seLinuxOptions`",
                                    edits, "unsafe"), "warning")


def _selinux_options(f: YamlFile) -> Iterable[Tuple[str, MappingNode, MappingNode]]:
    """(who, its securityContext, `seLinuxOptions` mapping) for every Kubernetes pod and container
    that writes one; admission judges each level, whether or not a container overrides the pod's."""
    for pod in f.pods:
        opts = get(pod.security_context, "seLinuxOptions")
        if isinstance(opts, MappingNode):
            yield pod.label, pod.security_context, opts
        for c in pod.containers:
            opts = get(c.security_context, "seLinuxOptions")
            if isinstance(opts, MappingNode):
                yield c.label, c.security_context, opts


def _has_profile(c: ContainerView) -> bool:
    """A seccompProfile field applies (own or the pod's); the legacy annotations do not count."""
    s = c.seccomp
    if s is not None and not _from_annotation(s, c.pod):
        return True
    p = c.pod.seccomp if c.pod is not None else None
    own = mapping_entries(c.security_context).get("seccompProfile")
    return own is None and p is not None and not _from_annotation(p, c.pod)


@check("HL402", "K")
def seccomp_not_set(f: YamlFile, ctx: RuleContext) -> Iterable[Violation]:
    """Pods with containers that have no seccomp profile at all; one finding per pod."""
    for pod in f.pods:
        bare = [c for c in pod.containers if not _has_profile(c)]
        if not bare:
            continue
        loc = pod.where("seccomp")
        edits = patch.set_key(f, loc.node, loc.path, "RuntimeDefault")
        yield Violation(pod.missing_anchor("seccomp"), f"{pod.label}: {who(bare, 'has')} no seccomp profile and would run "
                                    f"unconfined; set `securityContext.seccompProfile.type: RuntimeDefault` "
                                    f"on the pod", fix("add `seccompProfile: {type: RuntimeDefault}`", edits, "safe"))
