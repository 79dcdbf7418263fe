"""Least privilege for compose services and Kubernetes containers: HL303-HL317.

Written once against the container view. A setting reached through a YAML anchor (`<<: *defaults`,
`*alias`) is reported once, where it is written, naming every service that gets it; its fix
edits that text. A missing setting is reported on the block that would hold it when that block is
written (`resources.limits`, `securityContext`, `security_opt`, ...), else on the service /
container (pod-level ones on the pod spec's `spec:` key): `ContainerView.missing_anchor`; its fix
adds it where `ContainerView.where` says it belongs
(for a compose service that `extends` another: on the service itself, never on the base); it is
not reported for a service that extends one of another file (`ContainerView.extends_file`).
Each fix stands alone: the fixer applies the non-overlapping ones and re-lints.
"""
from __future__ import annotations

import posixpath
import re
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from ...knowledge.images import default_user
from ...model import patch
from ...model.container import ContainerView, HostVolume, Mount, Setting, YamlFile
from ...model.findings import Edit, Fix, Span, Violation
from ...model.yamlnodes import MappingNode, Node, SequenceNode, entry_range, get, get_entry, text_value
from ...registry import Option, RuleContext, check

# --------------------------------------------------------------------------- shared helpers


def once(seen: set, span: Span) -> bool:
    """True the first time a span is seen (a setting shared through an anchor is reported once)."""
    key = (span.start, span.end)
    if key in seen:
        return False
    seen.add(key)
    return True


_PLURAL = {"is": "are", "has": "have"}


def who(views: Sequence[ContainerView], verb: str = "") -> str:
    """`service `web` runs` / `services `web`, `api` run`: the views a finding concerns."""
    if len(views) == 1:
        return f"{views[0].label} {verb}".rstrip()
    first = views[0].label.split(" `")[0]
    names = ", ".join(f"`{v.name}`" for v in views)
    plural_verb = _PLURAL.get(verb, verb[:-1] if verb.endswith("s") else verb)
    return f"{first}s {names} {plural_verb}".rstrip()


def grouped(f: YamlFile, pick: Callable[[ContainerView], Iterable[Setting]]) -> List[Tuple[Setting, List[ContainerView]]]:
    """(setting, views that get it) for every setting `pick` yields, one per place written."""
    groups: Dict[Tuple[int, int], Tuple[Setting, List[ContainerView]]] = {}
    for c in f.containers:
        for s in pick(c):
            if s is not None:
                groups.setdefault((s.span.start, s.span.end), (s, []))[1].append(c)
    return list(groups.values())


def fix(title: str, edits: Sequence[Edit], applicability: str) -> Optional[Fix]:
    return Fix(title, tuple(edits), applicability) if edits else None


def remove_setting(f: YamlFile, s: Setting) -> Tuple[Edit, ...]:
    """Edits deleting a `key: value` entry or a list item as written."""
    return patch.remove_entry(f, s) if s.key_node is not None else patch.remove_item(f, None, s)


def drop_setting_fix(f: YamlFile, node: Node, parent: Optional[Node], title: str) -> Optional[Fix]:
    """Unsafe fix deleting an environment entry/item (used by HL107)."""
    if isinstance(parent, MappingNode):
        edits = patch.remove_entry(f, node, parent)
    else:
        edits = patch.remove_item(f, parent, node)
    return fix(title, edits, "unsafe")


def replace_value(s: Setting, text: str) -> Tuple[Edit, ...]:
    return (Edit(s.value_span.start, s.value_span.end, text),)


def add_setting(f: YamlFile, c: ContainerView, name: str, value) -> Tuple[Edit, ...]:
    loc = c.where(name)
    return patch.set_key(f, loc.node, loc.path, value)


def _int(value) -> Optional[int]:
    if isinstance(value, bool):
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return None


# --------------------------------------------------------------------------- HL303


def _compose_root_user(text: Optional[str]) -> bool:
    if not text or "$" in text:
        return False
    return text.split(":", 1)[0].strip().lower() in ("root", "0")


@check("HL303", "CK", options={
    "default-user": Option(str, "65532:65532", "user:group the fix sets (Kubernetes uses the UID part)"),
})
def runs_as_root(f: YamlFile, ctx: RuleContext) -> Iterable[Violation]:
    """Explicit root (error) or no non-root user (warning)."""
    default = str(ctx.options.get("default-user") or "65532:65532")
    uid = _int(default.split(":", 1)[0]) or 65532
    explicit = grouped(f, lambda c: [c.user] if c.user is not None and _is_root(c) else [])
    for s, views in explicit:
        if views[0].kind == "compose":
            edits, text = replace_value(s, f'"{default}"'), f"`user: {s.value}`"
        else:
            edits, text = replace_value(s, str(uid)), "`runAsUser: 0`"
        yield Violation(s.span, f"{who(views, 'runs')} as root ({text}); run as an unprivileged user",
                        fix(f"run as {default if views[0].kind == 'compose' else uid}", edits, "unsafe"), "error")
    for c in f.containers:
        if c.user is not None and _is_root(c):
            continue
        v = _compose_missing(f, c, default) if c.kind == "compose" else _k8s_missing(f, c)
        if v is not None:
            yield v


def _is_root(c: ContainerView) -> bool:
    if c.kind == "compose":
        return _compose_root_user(c.user.value)
    return _int(c.user.value) == 0


def _compose_missing(f: YamlFile, c: ContainerView, default: str) -> Optional[Violation]:
    if (c.user is not None and (c.user.value or "").strip()) or c.extends_file:
        return None
    if c.image is None or default_user(c.image) is not None:
        return None  # build-only: the Dockerfile's USER is HL301/HL302's business
    return Violation(c.missing_anchor("user"), f"{c.label} sets no `user:` and image `{c.image.raw}` is not known to run as "
                               f"non-root, so it probably runs as root; set `user:` to an unprivileged UID",
                     fix(f"add `user: \"{default}\"`", add_setting(f, c, "user", f'"{default}"'), "unsafe"))


def _k8s_missing(f: YamlFile, c: ContainerView) -> Optional[Violation]:
    uid = _int(c.user.value) if c.user is not None else None
    if (uid is not None and uid > 0) or (c.run_as_non_root is not None and c.run_as_non_root.is_true()):
        return None
    nr = c.run_as_non_root
    if nr is not None and not nr.inherited:
        span, edits = nr.span, replace_value(nr, "true")
    else:
        span, edits = c.missing_anchor("run_as_non_root"), add_setting(f, c, "run_as_non_root", True)
    why = "`runAsNonRoot: false`" if nr is not None else "neither `runAsNonRoot: true` nor a non-zero `runAsUser`"
    return Violation(span, f"{c.label} may run as root: {why} at container or pod level; "
                           f"set `runAsNonRoot: true` (and a numeric `runAsUser`)",
                     fix("set `runAsNonRoot: true`", edits, "unsafe"))


# --------------------------------------------------------------------------- HL304-HL307


@check("HL304", "CK")
def privileged(f: YamlFile, ctx: RuleContext) -> Iterable[Violation]:
    """`privileged: true`; the fix deletes it."""
    for s, views in grouped(f, lambda c: [c.privileged] if c.privileged is not None and c.privileged.is_true() else []):
        yield Violation(s.span, f"{who(views, 'runs')} privileged: every capability, every host device and no "
                                f"confinement; grant the one capability or device needed instead",
                        fix("remove `privileged: true`", remove_setting(f, s), "unsafe"))


DANGEROUS_CAPS = frozenset(("ALL", "SYS_ADMIN", "NET_ADMIN", "SYS_PTRACE", "SYS_MODULE", "DAC_READ_SEARCH",
                            "BPF", "PERFMON"))


@check("HL305", "CK")
def capabilities_added(f: YamlFile, ctx: RuleContext) -> Iterable[Violation]:
    """One finding per added capability; error for the ones that amount to root. NET_BIND_SERVICE
    added back to a container that drops ALL is what Pod Security Restricted allows: not a finding."""
    def added(c: ContainerView) -> List[Setting]:
        drops_all = any(d.value == "ALL" for d in c.cap_drop)
        return [s for s in c.cap_add if not (drops_all and s.value == "NET_BIND_SERVICE")]

    for s, views in grouped(f, added):
        cap = s.value
        level = "error" if cap in DANGEROUS_CAPS else None
        what = "all capabilities" if cap == "ALL" else f"capability {cap}"
        yield Violation(s.span, f"{who(views, 'adds')} {what}", fix(f"remove {cap}", remove_setting(f, s), "unsafe"), level)


@check("HL306", "CK")
def capabilities_not_dropped(f: YamlFile, ctx: RuleContext) -> Iterable[Violation]:
    """No `ALL` in the drop list; the fix appends it to the list, or writes the list. Not for a
    privileged container: it gets every capability whatever is dropped (HL304 reports it)."""
    for c in f.containers:
        if any(s.value == "ALL" for s in c.cap_drop) or c.extends_file:
            continue
        if c.privileged is not None and c.privileged.is_true():
            continue
        compose = c.kind == "compose"
        holder = c.node if compose else get(c.security_context, "capabilities")
        written = get_entry(holder, "cap_drop" if compose else "drop")
        item = "ALL" if compose else '"ALL"'
        if written is not None and isinstance(written.value_node, SequenceNode) and c.cap_drop:
            k = written.key_node
            span = Span.of(f.source.index, k.start_mark.index, k.end_mark.index)
            edits = patch.append_item(f, written.value_node, None, item)
        else:
            span, edits = c.missing_anchor("cap_drop"), add_setting(f, c, "cap_drop", f"[{item}]")
        where = "`cap_drop`" if compose else "`capabilities.drop`"
        yield Violation(span, f"{c.label} keeps the runtime's default capabilities: {where} lacks ALL; "
                              f"drop ALL and add back only what is needed",
                        fix("drop ALL capabilities", edits, "unsafe"))


@check("HL307", "CK")
def writable_root_filesystem(f: YamlFile, ctx: RuleContext) -> Iterable[Violation]:
    """Root filesystem not read-only: at an explicit false, else on the container."""
    def key(c: ContainerView) -> str:
        return "read_only" if c.kind == "compose" else "readOnlyRootFilesystem"

    explicit = lambda c: [c.read_only_root] if c.read_only_root is not None and not c.read_only_root.is_true() else []  # noqa: E731
    for s, views in grouped(f, explicit):
        yield Violation(s.span, f"{who(views, 'has')} a writable root filesystem (`{key(views[0])}` is not true)",
                        fix(f"set `{key(views[0])}: true`", replace_value(s, "true"), "unsafe"))
    for c in f.containers:
        if c.read_only_root is None and not c.extends_file:
            yield Violation(c.missing_anchor("read_only_root"), f"{c.label} has a writable root filesystem; set `{key(c)}: true` and mount "
                                      f"writable paths explicitly",
                            fix(f"set `{key(c)}: true`", add_setting(f, c, "read_only_root", True), "unsafe"))


# --------------------------------------------------------------------------- HL308-HL310

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kKmMgGtTpP]?)([iI]?)[bB]?\s*$")


def k8s_memory(value: str) -> Optional[str]:
    """A compose-style size as a Kubernetes quantity: `512M` -> `512Mi`, `1g` -> `1Gi`."""
    m = _SIZE.match(str(value))
    if not m:
        return None
    number, unit = m.group(1), m.group(2).upper()
    return number + (unit + "i" if unit else "")


def compose_memory(value: str) -> Optional[str]:
    """A size Docker understands: `512Mi` -> `512M`."""
    m = _SIZE.match(str(value))
    return m.group(1) + m.group(2).upper() if m else None


def compose_cpus(value: str) -> Optional[str]:
    """A CPU count for compose `cpus`: `1` -> `1.0`, `500m` -> `0.5`."""
    v = str(value).strip()
    try:
        n = int(v[:-1]) / 1000 if v.endswith("m") else float(v)
    except ValueError:
        return None
    return repr(round(n, 3)) if n > 0 else None


def k8s_cpu(value: str) -> Optional[str]:
    v = str(value).strip()
    return v if compose_cpus(v) is not None else None


def _limit_check(f: YamlFile, name: str, what: str, values: Dict[str, Optional[str]]) -> Iterable[Violation]:
    """A finding per container without the limit `name`; the fix writes `values[kind]`."""
    for c in f.containers:
        if getattr(c, name) is not None or c.role == "ephemeralContainer" or c.extends_file:
            continue  # Kubernetes forbids resources on ephemeral containers
        value = values[c.kind]
        loc = c.where(name)
        edits = add_setting(f, c, name, value) if value is not None else ()
        shown = str(value).strip('"')
        yield Violation(c.missing_anchor(name), f"{c.label} has no {what}; set `{'.'.join(loc.path)}`",
                        fix(f"set `{loc.path[-1]}: {shown}`", edits, "unsafe"))


def _quoted(value: Optional[str]) -> Optional[str]:
    return f'"{value}"' if value is not None else None


@check("HL308", "CK", options={
    "default-memory-limit": Option(str, "512M", "memory limit the fix writes (Kubernetes: M -> Mi, G -> Gi)"),
})
def no_memory_limit(f: YamlFile, ctx: RuleContext) -> Iterable[Violation]:
    """No memory limit."""
    opt = str(ctx.options.get("default-memory-limit") or "512M")
    return _limit_check(f, "memory_limit", "memory limit",
                        {"compose": compose_memory(opt), "kubernetes": k8s_memory(opt)})


@check("HL309", "CK", options={
    "default-cpu-limit": Option(str, "1", "CPU limit the fix writes (a count such as 1 or 0.5, or 500m)"),
})
def no_cpu_limit(f: YamlFile, ctx: RuleContext) -> Iterable[Violation]:
    """No CPU limit."""
    opt = str(ctx.options.get("default-cpu-limit") or "1")
    return _limit_check(f, "cpu_limit", "CPU limit",
                        {"compose": _quoted(compose_cpus(opt)), "kubernetes": _quoted(k8s_cpu(opt))})


@check("HL310", "C", options={
    "default-pids-limit": Option(int, 1024, "process/thread limit the fix writes"),
})
def no_pids_limit(f: YamlFile, ctx: RuleContext) -> Iterable[Violation]:
    """No PIDs limit, or an explicit unlimited one (0 / -1)."""
    value = int(ctx.options.get("default-pids-limit") or 1024)

    def unlimited(c: ContainerView) -> List[Setting]:
        n = _int(c.pids_limit.value) if c.pids_limit is not None else None
        return [c.pids_limit] if n is not None and n <= 0 else []

    for s, views in grouped(f, unlimited):
        yield Violation(s.span, f"{who(views, 'sets')} an unlimited PIDs limit ({s.value}); a fork bomb can "
                                f"exhaust the host", fix(f"set the PIDs limit to {value}",
                                                         replace_value(s, str(value)), "unsafe"))
    yield from _limit_check(f, "pids_limit", "PIDs limit (a fork bomb can exhaust the host)",
                            {"compose": value})


# --------------------------------------------------------------------------- HL311, HL312


def _escalation_cause(c: ContainerView) -> Optional[Setting]:
    if c.privileged is not None and c.privileged.is_true():
        return c.privileged
    return next((s for s in c.cap_add if s.value in ("SYS_ADMIN", "ALL")), None)


@check("HL311", "CK")
def privilege_escalation_allowed(f: YamlFile, ctx: RuleContext) -> Iterable[Violation]:
    """no-new-privileges off (compose) / allowPrivilegeEscalation not false (Kubernetes)."""
    seen: set = set()
    for c in f.containers:
        v = _compose_nnp(f, c) if c.kind == "compose" else _k8s_ape(f, c)
        if v is not None and once(seen, v.span):
            yield v


def _compose_nnp(f: YamlFile, c: ContainerView) -> Optional[Violation]:
    s = c.no_new_privileges
    if (s is not None and s.is_true()) or (s is None and c.extends_file):
        return None
    if s is not None:
        span, edits = s.span, replace_value(s, '"no-new-privileges:true"')
    else:
        span = c.missing_anchor("no_new_privileges")
        loc = c.where("no_new_privileges")
        edits = patch.append_item(f, loc.node, loc.path, "no-new-privileges:true")
    return Violation(span, f"{c.label} lets processes gain privileges through setuid binaries; add "
                           f"`no-new-privileges:true` to `security_opt`",
                     fix("add `no-new-privileges:true`", edits, "safe"))


def _k8s_ape(f: YamlFile, c: ContainerView) -> Optional[Violation]:
    cause = _escalation_cause(c)
    if cause is not None:
        what = "is privileged" if cause is c.privileged else f"adds {cause.value}"
        return Violation(cause.span, f"{c.label} {what}, which always allows privilege escalation "
                                     f"(`allowPrivilegeEscalation: false` cannot apply)")
    s = c.allow_privilege_escalation
    if s is not None and s.is_false():
        return None
    if s is not None:
        span, edits = s.span, replace_value(s, "false")
    else:
        span, edits = c.missing_anchor("allow_privilege_escalation"), add_setting(f, c, "allow_privilege_escalation", False)
    return Violation(span, f"{c.label} allows privilege escalation; set `allowPrivilegeEscalation: false`",
                     fix("set `allowPrivilegeEscalation: false`", edits, "safe"))


_NAMESPACE_WORDS = {"network": "network", "pid": "PID", "ipc": "IPC", "userns": "user", "uts": "UTS",
                    "cgroup": "cgroup"}


def _host_namespaces(f: YamlFile, c: ContainerView) -> List[Setting]:
    """The view's host namespaces, plus compose's older `cgroupns_mode: host`."""
    out = list(c.host_namespaces)
    if c.kind == "compose" and not any(s.value == "cgroup" for s in out):
        e = get_entry(c.node, "cgroupns_mode")
        if e is not None and (text_value(e.value_node) or "").strip().lower() == "host":
            idx = f.source.index
            s, end = entry_range(f.text, e.key_node, e.value_node)
            vs = e.value_node.start_mark.index
            out.append(Setting("cgroup", e.value_node, e.key_node, Span.of(idx, s, end),
                               Span.of(idx, vs, e.value_node.end_mark.index), e.mapping, merged=e.merged))
    return out


@check("HL312", "CK")
def host_namespace_shared(f: YamlFile, ctx: RuleContext) -> Iterable[Violation]:
    """One finding per shared host namespace, at its key."""
    for s, views in grouped(f, lambda c: _host_namespaces(f, c)):
        ns = _NAMESPACE_WORDS.get(s.value, s.value)
        key = s.key_node.value if s.key_node is not None else ns
        pod = views[0].pod
        owner = f"{pod.label} shares" if pod is not None and s.inherited else who(views, "shares")
        yield Violation(s.span, f"{owner} the host's {ns} namespace (`{key}`)",
                        fix(f"remove `{key}`", remove_setting(f, s), "unsafe"))


# --------------------------------------------------------------------------- HL313-HL315

SENSITIVE_PATHS = ("/", "/etc", "/proc", "/sys", "/boot", "/root", "/dev", "/var/lib/docker",
                   "/var/lib/kubelet")
# Below a home directory only these are sensitive; other folders there are ordinary data.
HOME_CREDENTIALS = (".ssh", ".aws", ".kube", ".docker", ".gnupg", ".config/gcloud", ".azure")
# Writable, these let a container plant symlinks that the kubelet follows when it serves logs.
KUBELET_LOG_DIRS = ("/var/log", "/var/log/pods", "/var/log/containers")
SOCKETS = {
    "/run/docker.sock": "Docker", "/run/dockershim.sock": "dockershim", "/run/cri-dockerd.sock": "cri-dockerd",
    "/run/containerd/containerd.sock": "containerd", "/run/k3s/containerd/containerd.sock": "containerd (k3s)",
    "/run/crio/crio.sock": "CRI-O", "/run/podman/podman.sock": "Podman",
}
_ROOTLESS_SOCKET = re.compile(r"^/run/user/\d+/(?:(docker)\.sock|(podman)/podman\.sock)$")
_ROOTLESS_DIR = re.compile(r"^/run/user(?:/\d+(?:/podman)?)?$")
_DEVICE_TYPES = ("CharDevice", "BlockDevice")


def host_path_of(m: Mount) -> Optional[str]:
    """The absolute host path a mount exposes, or None. A home directory written as `~` or
    `$HOME` is `/home/~` (`~/.ssh` -> `/home/~/.ssh`)."""
    raw = (m.raw_source or "").strip()
    for var in ("${HOME}", "$HOME"):
        if raw.startswith(var) and (len(raw) == len(var) or raw[len(var)] == "/"):
            rest = raw[len(var):]
            return None if "$" in rest else posixpath.normpath("/home/~" + rest)
    if m.host_path is None or (m.variable and not raw.startswith("~")):
        return None
    if m.host_path.startswith("~"):
        rest = m.host_path.partition("/")[2]
        if m.host_path.split("/", 1)[0] != "~":
            return "/home/" + m.host_path[1:]  # `~user/...`: another user's home
        return posixpath.normpath("/home/~/" + rest) if rest else "/home/~"
    return m.host_path if m.host_path.startswith("/") else None


def sensitive(path: str, read_only: bool = False) -> Optional[str]:
    """Why mounting `path` is sensitive (the text after "host path `x`"), or None.

    The listed system paths, below them or above them; `/home`, a whole home directory
    (`/home/<user>`, `~`) and the credential folders in a home (nothing else below a home);
    `/var/log`, `/var/log/pods`, `/var/log/containers` (and below the last two) unless read-only.
    """
    for s in SENSITIVE_PATHS:
        if path == s:
            return ""
        if s != "/" and path.startswith(s + "/"):
            return f", which is under {s}"
        if path != "/" and s.startswith(path + "/"):
            return f", which contains {s}"
    if path == "/home":
        return ", which holds every user's home directory"
    parts = path.split("/")
    if len(parts) >= 3 and parts[1] == "home":
        if len(parts) == 3:
            return ", a whole home directory (with its credential folders)"
        rest = "/".join(parts[3:])
        for cred in HOME_CREDENTIALS:
            if rest == cred or rest.startswith(cred + "/") or cred.startswith(rest + "/"):
                return f", {'a credential folder' if rest == cred else 'credentials'} in a home directory ({cred})"
        return None
    if not read_only and (path in KUBELET_LOG_DIRS or path.startswith(("/var/log/pods/", "/var/log/containers/"))):
        return ", writable: the kubelet follows symlinks planted there when it serves logs"
    return None


def runtime_socket(path: str) -> Optional[str]:
    """A description of the runtime socket `path` is, or of the socket a directory holds."""
    p = "/run" + path[len("/var/run"):] if path == "/var/run" or path.startswith("/var/run/") else path
    if p in SOCKETS:
        return f"the {SOCKETS[p]} socket"
    m = _ROOTLESS_SOCKET.match(p)
    if m:
        return f"the rootless {'Docker' if m.group(1) else 'Podman'} socket"
    held = [name for s, name in SOCKETS.items() if s.startswith(p + "/")]
    if held:
        return f"a directory holding the {held[0]} socket" + (" and other runtime sockets" if len(held) > 1 else "")
    if _ROOTLESS_DIR.match(p):
        return "a directory holding rootless runtime sockets"
    return None


def _mount_groups(f: YamlFile, judge: Callable[[Mount, str], Optional[str]]):
    """[mount, holders, all read-only, judge's verdict, host path] per host path written (and,
    for Kubernetes, per `subPath` joined to it), for the mounts `judge(mount, path)` flags.
    Holders are the views mounting it, or the HostVolume declaring it when no container mounts it
    (a pod's unmounted hostPath volume, a PersistentVolume)."""
    groups: Dict[Tuple[int, int, str], list] = {}
    holders = [(c, m) for c in f.containers for m in c.mounts] + [(hv, hv.mount) for hv in f.host_volumes]
    for c, m in holders:
        path = host_path_of(m)
        what = judge(m, path) if path else None
        if what:
            g = groups.setdefault((m.span.start, m.span.end, path), [m, [], True, what, path])
            if c not in g[1]:
                g[1].append(c)
            g[2] = g[2] and m.read_only
    return groups.values()


def _mounts(holders: Sequence) -> str:
    """`container `x` mounts` / `volume `v` of Pod `p` exposes` (declared, mounted by nobody)."""
    return who(holders, "exposes" if isinstance(holders[0], HostVolume) else "mounts")


@check("HL313", "CK")
def runtime_socket_mounted(f: YamlFile, ctx: RuleContext) -> Iterable[Violation]:
    """Runtime sockets (and directories holding them); paths HL314 reports are left to it."""
    judge = lambda m, p: None if sensitive(p, m.read_only) is not None else runtime_socket(p)  # noqa: E731
    for m, views, ro, what, path in _mount_groups(f, judge):
        yield Violation(m.span, f"{_mounts(views)} {what} (`{path}`): whoever talks to it controls the "
                                f"host's containers, read-only or not")


@check("HL314", "CK")
def sensitive_host_path(f: YamlFile, ctx: RuleContext) -> Iterable[Violation]:
    """Sensitive host paths, below or above; warning when every mount of it is read-only."""
    def judge(m: Mount, p: str) -> Optional[str]:
        why = None if m.host_path_type in _DEVICE_TYPES else sensitive(p, m.read_only)
        return None if why is None else (why or "=")  # "=" : the listed path itself

    for m, views, ro, why, path in _mount_groups(f, judge):
        shown = m.raw_source if path.startswith("/home/~") else path
        rel = "" if why == "=" else why
        mode = "read-only" if ro else "read-write"
        yield Violation(m.span, f"{_mounts(views)} host path `{shown}`{rel} ({mode})", None,
                        "warning" if ro else None)


@check("HL315", "CK")
def host_devices(f: YamlFile, ctx: RuleContext) -> Iterable[Violation]:
    """Compose `devices` entries; Kubernetes hostPath volumes of a device type (mounted or not,
    and PersistentVolumes')."""
    for s, views in grouped(f, lambda c: c.devices):
        yield Violation(s.span, f"{who(views, 'gets')} host device `{s.value}`; pass only what is needed, read-only "
                                f"where possible")
    for hv in f.host_volumes:
        if hv.device is not None:
            yield Violation(hv.device.span, f"{hv.label} exposes host device `{hv.device.value}`; pass only what is "
                                            f"needed, read-only where possible")


# --------------------------------------------------------------------------- HL316, HL317


@check("HL316", "K")
def service_account_token_automounted(f: YamlFile, ctx: RuleContext) -> Iterable[Violation]:
    """Pod spec without `automountServiceAccountToken: false`. When the pod does not set it, the
    finding waits for the run-wide index: its ServiceAccount may turn automounting off
    (resolver in `checks/cluster/tokens.py`)."""
    from ...model.objects import Deferred, effective_namespace
    from ...model.rbac import pod_service_account

    for pod in f.pods:
        s = pod.automount_service_account_token
        if s is not None and s.is_false():
            continue
        deferred = None
        if s is not None:
            span, edits = s.span, replace_value(s, "false")
        else:
            loc = pod.where("automount_service_account_token")
            span, edits = pod.missing_anchor("automount_service_account_token"), patch.set_key(f, loc.node, loc.path, False)
            ns = effective_namespace(pod.kind, text_value(get(pod.object, "metadata", "namespace")))
            deferred = Deferred("HL316", (ns, pod_service_account(pod.spec)))
        yield Violation(span, f"{pod.label} mounts a Kubernetes API token into every container; set "
                              f"`automountServiceAccountToken: false` unless the pod calls the API",
                        fix("set `automountServiceAccountToken: false`", edits, "unsafe"), deferred=deferred)


SAFE_SYSCTLS = frozenset((
    "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes", "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem",
))


def sysctl_name(name: str) -> str:
    """`net/ipv4/tcp_syncookies` -> `net.ipv4.tcp_syncookies` (the kernel accepts both)."""
    return name.strip().replace("/", ".")


@check("HL317", "CK", options={
    "allowed-sysctls": Option(list, [], "sysctl names accepted besides the Pod Security Standards' safe set"),
})
def unsafe_kernel_settings(f: YamlFile, ctx: RuleContext) -> Iterable[Violation]:
    """Unmasked /proc; sysctls outside the safe set (one finding per sysctl, at it)."""
    allowed = SAFE_SYSCTLS | {sysctl_name(str(n)) for n in ctx.options.get("allowed-sysctls") or ()}
    for s, views in grouped(f, lambda c: [c.proc_mount] if c.proc_mount is not None and c.proc_mount.value == "unmasked" else []):
        yield Violation(s.span, f"{who(views, 'unmasks')} /proc, exposing host kernel interfaces the runtime hides")
    seen: set = set()
    for c in f.containers:
        host_net = any(n.value == "network" for n in c.host_namespaces)
        for s in c.sysctls:
            name = sysctl_name(s.name)
            if name in allowed or not once(seen, s.span):
                continue
            owner = c.pod.label if c.pod is not None else c.label
            if name.startswith("net.") and not host_net:
                yield Violation(_sysctl_name_span(f, s), f"{owner} sets network sysctl `{name}`, which is outside "
                                f"the safe set; it changes only the container's own network stack, but review "
                                f"it and list it in `allowed-sysctls` if it is needed", None, "warning")
            else:
                where = " in the host's network namespace" if name.startswith("net.") else ""
                yield Violation(_sysctl_name_span(f, s), f"{owner} sets sysctl `{name}`{where}, which is outside the "
                                f"safe set and can reach beyond the container; review it and list it in "
                                f"`allowed-sysctls` if it is needed", None, "error")


def _sysctl_name_span(f: YamlFile, s) -> Span:
    """The sysctl's name as written in its entry (`net.ipv4.ip_forward` of `net.ipv4.ip_forward: 1`,
    `- net.ipv4.ip_forward=1` or `- {name: net.ipv4.ip_forward, value: "1"}`), else the entry."""
    k = f.text.find(s.name, s.span.start, s.span.end)
    return Span.of(f.source.index, k, k + len(s.name)) if k >= 0 else s.span
