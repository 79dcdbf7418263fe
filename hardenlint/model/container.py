"""The common container view: Compose services and Kubernetes containers, normalised once.

The least-privilege rules (HL3xx, HL4xx, and the C/K parts of HL1xx/HL2xx/HL5xx) are written
against `ContainerView` and `PodView`, never against raw YAML. Contract:

- Every attribute the user *wrote* is a `Setting` (or a list of small records) that keeps the node
  it came from and two spans: `span` covers the whole `key: value` entry (or the list item), and
  `value_span` only the value. Spans point at the text the user wrote: a key that reaches a service
  through `<<: *defaults` points into the anchor (`merged=True`, `shared=True`); a value written as
  `*alias` points at the `*alias` for the entry and into the anchor for the items.
- An attribute that is absent, or written with a null value (`privileged:`, `runAsUser: ~`), is
  None (or an empty list); the patcher fills a written null in place. Where a missing setting belongs is
  answered by `ContainerView.where(name)` / `PodView.where(name)`: a `Location(node, path)` that
  `hardenlint.model.patch.set_key` / `append_item` take as is. Findings about a missing setting
  point at `ContainerView.anchor` (Compose: the service's key; Kubernetes: the container's
  `name: x` entry) or `PodView.anchor` (the pod spec's `spec` key).
- Kubernetes: pod-level `securityContext` fields that Kubernetes applies to containers
  (runAsUser, runAsGroup, runAsNonRoot, seccompProfile, seLinuxOptions, appArmorProfile) are
  inherited by every container that does not set them (`inherited=True`); a container's struct
  (e.g. its own `seccompProfile`) replaces the pod's whole. privileged, capabilities,
  readOnlyRootFilesystem, allowPrivilegeEscalation and procMount are container-only.
  Pod-level host namespaces and sysctls are copied into each container's view with
  `inherited=True` (same nodes, same spans: de-duplicate by span if reporting per pod).
- Values are normalised as documented per field; raw text is kept where Compose reads strings.
"""
from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, NamedTuple, Optional, Tuple

from ..source import SourceFile
from .findings import Span
from .image import ImageRef, parse_image
from .yamlnodes import (
    Entry, MappingNode, Node, ScalarNode, SequenceNode, as_bool, entry_range, get, get_entry,
    is_null, item_ranges, mapping_entries, node_end, scalar_text_range, scalar_value, text_value,
    value_range,
)

__all__ = [
    "Setting", "Mount", "EnvVar", "Port", "Sysctl", "Location", "ContainerView", "PodView",
    "YamlFile", "compose_views", "kubernetes_pods", "is_compose_root", "compose_services_node",
    "WORKLOAD_KINDS", "normalise_capability", "normalise_host_path",
]


@dataclass
class Setting:
    """A value the user wrote.

    - `value`: the normalised value (see the ContainerView field's doc).
    - `node`: the value node (for a list item, the item node). For a merged key or an alias, the
      node written at the anchor.
    - `key_node`: the key's node for `key: value` entries; None for list items and annotations
      that are themselves the value.
    - `span`: the whole `key: value` entry or the list item, as written; `value_span`: the value.
    - `parent`: the mapping holding the entry (or the sequence holding the item), as written; what
      `patch.remove_entry` / `patch.remove_item` need.
    - `inherited`: Kubernetes, taken from the pod spec / pod securityContext.
    - `merged`: reached through a `<<:` merge key; `shared`: merged or reached through an alias,
      so editing its text changes every user of the anchor (fixes should prefer adding an
      explicit key on the service/container).
    """

    value: Any
    node: Node
    key_node: Optional[Node]
    span: Span
    value_span: Span
    parent: Optional[Node] = None
    inherited: bool = False
    merged: bool = False
    shared: bool = False

    def is_true(self) -> bool:
        """The value reads as true (YAML booleans and Compose's "true"/"yes"/"on"/"1" strings)."""
        return as_bool(self.value) is True

    def is_false(self) -> bool:
        return as_bool(self.value) is False


@dataclass
class Mount:
    """A volume mounted into the container.

    - `source_kind`: Compose "bind" | "volume" | "tmpfs" | "npipe" | "cluster" | "image";
      Kubernetes "hostPath" or the volume's type key ("emptyDir", "configMap", "secret",
      "persistentVolumeClaim", ...), "unknown" when the named volume is not in the pod spec.
    - `host_path`: for binds / hostPath (and Compose named volumes bound with
      `driver_opts: {o: bind, device: ...}`): the host path normalised (`..`, `.`, duplicate and
      trailing `/` removed, `${VAR:-default}` replaced by its default; Kubernetes `subPath`
      joined). Relative paths stay relative (`./data`, `~/.ssh`). None for other volumes.
    - `variable`: the host path still holds an unresolved `$VAR` (do not judge it).
    - `span`: where the host path is written (Compose: the volume item, or its `source:` entry;
      Kubernetes: the hostPath volume's `path:` entry); `mount_span`: the mount itself (Compose:
      the volume item; Kubernetes: the `volumeMounts` item).
    """

    target: Optional[str]
    host_path: Optional[str]
    read_only: bool
    source_kind: str
    span: Span
    mount_span: Span
    node: Node
    raw_source: Optional[str] = None
    host_path_type: Optional[str] = None
    volume_name: Optional[str] = None
    variable: bool = False
    inherited: bool = False


@dataclass
class EnvVar:
    """An environment variable.

    `value` is the literal text (str), or None when the value comes from elsewhere: Kubernetes
    `valueFrom`, Compose bare `KEY` (list form) or `KEY:` with no value (taken from the host).
    `interpolated`: the value contains `${VAR}`/`$VAR` (Compose) or `$(VAR)` (Kubernetes).
    `name_span` / `value_span` locate the name and the value text (for the Compose list form
    `KEY=value` they are the two parts of the item); `span` the whole entry/item.
    """

    name: str
    value: Optional[str]
    name_span: Span
    value_span: Optional[Span]
    span: Span
    node: Node
    parent: Optional[Node] = None
    interpolated: bool = False
    value_from: bool = False


@dataclass
class Port:
    """A container port: Compose `ports` (short or long syntax; the CONTAINER side, ranges as
    `container`..`container_end`) or Kubernetes `containerPort`. `published` is the host side as
    written (Compose) or `hostPort` (Kubernetes); None when not published explicitly."""

    container: int
    container_end: int
    protocol: str
    span: Span
    node: Node
    published: Optional[str] = None
    host_ip: Optional[str] = None

    def includes(self, port: int) -> bool:
        return self.container <= port <= self.container_end


@dataclass
class Sysctl:
    """A kernel parameter (`name`, `value` as text) set for the container (Kubernetes: pod-level)."""

    name: str
    value: Optional[str]
    span: Span
    node: Node
    inherited: bool = False


class Location(NamedTuple):
    """Where a setting belongs: the mapping to edit and the key path under it.

    `patch.set_key(file, loc.node, loc.path, value)` creates it; for list settings
    `patch.append_item(file, loc.node, loc.path, item)`.
    """

    node: MappingNode
    path: Tuple[str, ...]


@dataclass
class ContainerView:
    """One Compose service or Kubernetes container (see the module docstring for the contract).

    Field values:
    - `kind`: "compose" | "kubernetes"; `role`: "service" | "container" | "initContainer" |
      "ephemeralContainer"; `name`: service / container name.
    - `image`: parsed reference (None when absent or unparsable, e.g. a Compose `build:` only);
      Compose `${VAR:-default}` / `${VAR-default}` are replaced by their default first (as
      Dockerfile ARG defaults are); any other `$VAR` left makes `image.variable` true;
      `image_span`: the image text only (inside quotes), so an Edit can replace it;
      `image_setting`: the `image:` entry.
    - `user`: Compose `user` as text ("1000:1000", "root"); Kubernetes runAsUser (int), container
      over pod. `run_as_non_root` (bool), `run_as_group` (Compose: None).
    - `privileged`, `read_only_root`, `allow_privilege_escalation` (K8s), `no_new_privileges`
      (Compose `security_opt: no-new-privileges[:=]true|false`, bare means true): bool values
      (or the text when not a boolean; use `is_true()`/`is_false()`).
    - `cap_add` / `cap_drop`: one Setting per item, value upper-case without `CAP_`.
    - `memory_limit`, `cpu_limit`, `pids_limit`: value as text (`512M`, `0.5`, `100`). Compose:
      `mem_limit` | `deploy.resources.limits.memory`; `cpus` | `cpu_quota` |
      `deploy.resources.limits.cpus`; `pids_limit` | `deploy.resources.limits.pids`.
      Kubernetes: `resources.limits.memory` / `.cpu`; pids None.
    - `host_namespaces`: one Setting per shared host namespace, value "network" | "pid" | "ipc" |
      "userns" | "uts" | "cgroup". Compose: `network_mode`/`net`, `pid`, `ipc`, `userns_mode`,
      `uts`, `cgroup` set to `host`. Kubernetes: `hostNetwork`/`hostPID`/`hostIPC: true` of the pod
      (inherited). Kubernetes `hostUsers` is only on the PodView (true is the default, not a finding).
    - `mounts`: Mount records; `devices`: Settings with the HOST device path as value (Compose
      `devices`; Kubernetes mounted hostPath volumes of type CharDevice/BlockDevice).
    - `seccomp`: "unconfined" | "runtimedefault" | "localhost" | a profile path (Compose).
      Compose `security_opt: seccomp[:=]...` ("builtin"/"default" -> "runtimedefault");
      Kubernetes `seccompProfile.type` (container, else pod: inherited), else the legacy
      annotations `container.seccomp.security.alpha.kubernetes.io/<name>` /
      `seccomp.security.alpha.kubernetes.io/pod` ("runtime/default", "docker/default" ->
      "runtimedefault", "localhost/..." -> "localhost").
    - `apparmor`: same scheme; Compose `apparmor[:=]<profile>` ("docker-default" ->
      "runtimedefault"); Kubernetes `appArmorProfile.type` (container, else pod), else the
      annotation `container.apparmor.security.beta.kubernetes.io/<name>`.
    - `selinux`: Compose `label[:=]disable` -> "disable", `label[:=]type:<t>` -> "<t>";
      Kubernetes `seLinuxOptions.type` (container struct, else pod's).
    - `proc_mount`: lower-case: Kubernetes `procMount` ("unmasked" / "default"); Compose
      `security_opt: systempaths=unconfined` -> "unmasked".
    - `sysctls`: Compose `sysctls` (map or list form); Kubernetes pod `securityContext.sysctls`.
    - `env`: EnvVar records; `ports`: Port records.
    - `security_context`: Kubernetes container `securityContext` mapping (None if absent).
    - `node`: the service / container mapping; `pod`: the PodView (Kubernetes).
    """

    kind: str
    name: str
    role: str
    anchor: Span
    node: MappingNode
    source: SourceFile = field(repr=False, default=None)
    image: Optional[ImageRef] = None
    image_span: Optional[Span] = None
    image_setting: Optional[Setting] = None
    user: Optional[Setting] = None
    run_as_non_root: Optional[Setting] = None
    run_as_group: Optional[Setting] = None
    privileged: Optional[Setting] = None
    cap_add: List[Setting] = field(default_factory=list)
    cap_drop: List[Setting] = field(default_factory=list)
    read_only_root: Optional[Setting] = None
    memory_limit: Optional[Setting] = None
    cpu_limit: Optional[Setting] = None
    pids_limit: Optional[Setting] = None
    no_new_privileges: Optional[Setting] = None
    allow_privilege_escalation: Optional[Setting] = None
    host_namespaces: List[Setting] = field(default_factory=list)
    mounts: List[Mount] = field(default_factory=list)
    devices: List[Setting] = field(default_factory=list)
    seccomp: Optional[Setting] = None
    apparmor: Optional[Setting] = None
    selinux: Optional[Setting] = None
    proc_mount: Optional[Setting] = None
    sysctls: List[Sysctl] = field(default_factory=list)
    env: List[EnvVar] = field(default_factory=list)
    ports: List[Port] = field(default_factory=list)
    security_context: Optional[MappingNode] = None
    pod: Optional["PodView"] = field(default=None, repr=False)

    @property
    def label(self) -> str:
        """How messages name it: "service `web`" or "container `app`"."""
        what = {"service": "service", "container": "container", "initContainer": "init container",
                "ephemeralContainer": "ephemeral container"}.get(self.role, self.role)
        return f"{what} `{self.name}`"

    def where(self, name: str) -> Location:
        """Where the setting `name` (a field name of this class) belongs when it is missing.

        Compose: on the service mapping (`read_only`, `user`, `privileged`, `cap_drop`,
        `security_opt`, `mem_limit` | `deploy.resources.limits.memory` when the service already
        has a `deploy` key, likewise `cpus` and `pids_limit`).
        Kubernetes: on the container (`securityContext.<field>`, `resources.limits.memory|cpu`),
        except `seccomp`, which goes to the pod's `securityContext.seccompProfile.type` (HL402).
        Raises KeyError for names that cannot be written.
        """
        if self.kind == "compose":
            has_deploy = get_entry(self.node, "deploy") is not None
            table = {
                "user": ("user",), "privileged": ("privileged",), "read_only_root": ("read_only",),
                "cap_drop": ("cap_drop",), "cap_add": ("cap_add",),
                "no_new_privileges": ("security_opt",), "seccomp": ("security_opt",),
                "apparmor": ("security_opt",), "selinux": ("security_opt",),
                "memory_limit": ("deploy", "resources", "limits", "memory") if has_deploy else ("mem_limit",),
                "cpu_limit": ("deploy", "resources", "limits", "cpus") if has_deploy else ("cpus",),
                "pids_limit": ("deploy", "resources", "limits", "pids") if has_deploy else ("pids_limit",),
                "sysctls": ("sysctls",), "env": ("environment",),
            }
            return Location(self.node, table[name])
        sc = ("securityContext",)
        table = {
            "user": sc + ("runAsUser",), "run_as_non_root": sc + ("runAsNonRoot",),
            "run_as_group": sc + ("runAsGroup",), "privileged": sc + ("privileged",),
            "read_only_root": sc + ("readOnlyRootFilesystem",),
            "allow_privilege_escalation": sc + ("allowPrivilegeEscalation",),
            "cap_drop": sc + ("capabilities", "drop"), "cap_add": sc + ("capabilities", "add"),
            "proc_mount": sc + ("procMount",), "apparmor": sc + ("appArmorProfile", "type"),
            "selinux": sc + ("seLinuxOptions", "type"),
            "memory_limit": ("resources", "limits", "memory"), "cpu_limit": ("resources", "limits", "cpu"),
            "env": ("env",),
        }
        if name == "seccomp" and self.pod is not None:
            return self.pod.where("seccomp")
        if name == "seccomp":
            return Location(self.node, sc + ("seccompProfile", "type"))
        return Location(self.node, table[name])


@dataclass
class PodView:
    """A Kubernetes pod spec (of a Pod or of a workload's pod template).

    - `kind`: the workload kind ("Deployment", "CronJob", ...); `name`: its metadata.name.
    - `object`: the workload's root mapping; `spec`: the pod spec mapping; `metadata`: the pod's
      metadata (Pod: the object's; workloads: the template's), `annotations` its annotations as
      text (`annotations_node` the mapping).
    - `anchor`: the pod spec's `spec` key (where pod-level "missing" findings point).
    - `security_context`: pod `securityContext` mapping; `automount_service_account_token`,
      `host_network`, `host_pid`, `host_ipc`, `host_users`: Settings with the scalar's value.
    - `seccomp` / `apparmor`: pod-level profile (normalised as on ContainerView), from
      `securityContext` or the legacy pod annotation.
    - `sysctls`: pod `securityContext.sysctls`; `volumes`: name -> volume mapping node.
    - `containers`: the views of containers, initContainers and ephemeralContainers.
    - `lines`: first and last line of the whole object (for annotation suppressions).
    """

    kind: str
    name: str
    object: MappingNode
    spec: MappingNode
    anchor: Span
    metadata: Optional[MappingNode] = None
    annotations: Dict[str, Optional[str]] = field(default_factory=dict)
    annotations_node: Optional[MappingNode] = None
    security_context: Optional[MappingNode] = None
    automount_service_account_token: Optional[Setting] = None
    host_network: Optional[Setting] = None
    host_pid: Optional[Setting] = None
    host_ipc: Optional[Setting] = None
    host_users: Optional[Setting] = None
    seccomp: Optional[Setting] = None
    apparmor: Optional[Setting] = None
    sysctls: List[Sysctl] = field(default_factory=list)
    volumes: Dict[str, MappingNode] = field(default_factory=dict)
    containers: List[ContainerView] = field(default_factory=list)
    lines: Tuple[int, int] = (0, 0)

    @property
    def label(self) -> str:
        return f"{self.kind} `{self.name}`" if self.name else self.kind

    def where(self, name: str) -> Location:
        """Where a pod-level setting belongs: "seccomp" -> `securityContext.seccompProfile.type`,
        "automount_service_account_token", "run_as_non_root", "user" (runAsUser),
        "run_as_group", "apparmor", "host_users"."""
        sc = ("securityContext",)
        table = {
            "seccomp": sc + ("seccompProfile", "type"),
            "apparmor": sc + ("appArmorProfile", "type"),
            "automount_service_account_token": ("automountServiceAccountToken",),
            "run_as_non_root": sc + ("runAsNonRoot",), "user": sc + ("runAsUser",),
            "run_as_group": sc + ("runAsGroup",), "host_users": ("hostUsers",),
        }
        return Location(self.spec, table[name])


# --------------------------------------------------------------------------- helpers


class _Ctx:
    __slots__ = ("source", "text", "index")

    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.text = source.text
        self.index = source.index

    def span(self, start: int, end: int) -> Span:
        return Span.of(self.index, start, end)

    def entry(self, e: Entry, value: Any, inherited: bool = False, shared: bool = False) -> Setting:
        s, end = entry_range(self.text, e.key_node, e.value_node)
        vs, ve = value_range(self.text, e.key_node, e.value_node)
        return Setting(value, e.value_node, e.key_node, self.span(s, end), self.span(vs, ve), e.mapping,
                       inherited, e.merged, shared or e.merged)

    def is_alias(self, e: Entry) -> bool:
        return e.value_node.start_mark.index < e.key_node.end_mark.index

    def list_items(self, e: Optional[Entry]) -> Iterable[Tuple[Node, Span, int]]:
        """(item node, item span, flags) for a list-valued entry (a lone scalar counts as one);
        flags: 0, SHARED (1) or SHARED|MERGED (3), passed on to `item()`."""
        if e is None:
            return
        v = e.value_node
        shared = (3 if e.merged else 1) if (e.merged or self.is_alias(e)) else 0
        if isinstance(v, SequenceNode):
            for item, s, end in item_ranges(self.text, v):
                yield item, self.span(s, end), shared
        elif isinstance(v, ScalarNode) and not is_null(v):
            s, end = value_range(self.text, e.key_node, v)
            yield v, self.span(s, end), shared

    def item(self, node: Node, sp: Span, value: Any, parent: Node, flags: int, inherited: bool = False) -> Setting:
        return Setting(value, node, None, sp, sp, parent, inherited, bool(flags & 2), bool(flags & 1))


def normalise_capability(name: str) -> str:
    """`cap_sys_admin` / `CAP_SYS_ADMIN` / `sys_admin` -> `SYS_ADMIN`."""
    n = name.strip().upper()
    return n[4:] if n.startswith("CAP_") else n


_VAR_DEFAULT = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(:?-)([^}]*)\}")
_VAR = re.compile(r"\$(\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)")


def _interpolate(value: str) -> Tuple[str, bool]:
    """Replace `${VAR:-default}` / `${VAR-default}` by the default; report leftover `$VAR`s."""
    if "$" not in value:
        return value, False
    out = _VAR_DEFAULT.sub(lambda m: m.group(3), value.replace("$$", "\0"))
    variable = bool(_VAR.search(out))
    return out.replace("\0", "$"), variable


def has_interpolation(value: Optional[str]) -> bool:
    """Compose `${VAR}` / `$VAR` (not `$$`)."""
    return bool(value) and "$" in value and bool(_VAR.search(value.replace("$$", "")))


def normalise_host_path(path: str) -> str:
    """Normalise a host path: `..`, `.`, duplicate and trailing `/` resolved. Absolute paths stay
    absolute (`/var/run/../run/docker.sock/` -> `/var/run/docker.sock`); relative ones are kept
    relative with a `./` prefix (`data/x` -> `./data/x`, `../x` stays); `~` is kept."""
    p = path.strip()
    if not p:
        return p
    if p.startswith("/"):
        n = posixpath.normpath(p)
        if n.startswith("//"):
            n = "/" + n.lstrip("/")
        return n
    if p.startswith("~"):
        head, _, rest = p.partition("/")
        return head + ("/" + posixpath.normpath(rest) if rest and posixpath.normpath(rest) != "." else "")
    if re.match(r"^[A-Za-z]:[\\/]", p) or p.startswith("\\\\"):
        return p  # Windows path
    if p.startswith("$"):
        return posixpath.normpath(p)  # unresolved variable: judged by nobody
    n = posixpath.normpath(p)
    return n if n.startswith("..") else ("./" + n if n != "." else ".")


def _text(node: Optional[Node]) -> Optional[str]:
    t = text_value(node)
    if t is None and isinstance(node, ScalarNode) and node.tag != "tag:yaml.org,2002:null":
        return node.value
    return t


def _profile(kind: str, raw: Optional[str]) -> Optional[str]:
    """Normalise seccomp / AppArmor profile names (see ContainerView docs)."""
    if raw is None:
        return None
    v = str(raw).strip()
    low = v.lower()
    if low in ("unconfined",):
        return "unconfined"
    if low in ("runtimedefault", "runtime/default", "docker/default", "builtin", "default", "docker-default"):
        return "runtimedefault"
    if low == "localhost" or low.startswith("localhost/"):
        return "localhost"
    return v


# --------------------------------------------------------------------------- Compose

_COMPOSE_NAMESPACES = (("network_mode", "network"), ("net", "network"), ("pid", "pid"), ("ipc", "ipc"),
                       ("userns_mode", "userns"), ("uts", "uts"), ("cgroup", "cgroup"))


def compose_services_node(root: Optional[Node], v1_allowed: bool) -> Tuple[Optional[MappingNode], bool]:
    """(mapping of services, is_v1) for a compose root, or (None, False)."""
    if not isinstance(root, MappingNode):
        return None, False
    e = get_entry(root, "services")
    if e is not None and (isinstance(e.value_node, MappingNode) or is_null(e.value_node)):
        return (e.value_node if isinstance(e.value_node, MappingNode) else None), False
    if v1_allowed and _is_v1(root):
        return root, True
    return None, False


def _is_v1(root: MappingNode) -> bool:
    entries = [e for k, e in mapping_entries(root).items() if not k.startswith("x-") and k != "version"]
    if not entries:
        return False
    for e in entries:
        v = e.value_node
        if not isinstance(v, MappingNode):
            return False
        ents = mapping_entries(v)
        if "image" not in ents and "build" not in ents:
            return False
    return True


def is_compose_root(root: Optional[Node], v1_allowed: bool = False) -> bool:
    """A root mapping with a `services` mapping (or, when `v1_allowed`, a v1 file whose every
    top-level value is a mapping with `image` or `build`)."""
    services, v1 = compose_services_node(root, v1_allowed)
    if services is not None or v1:
        return True
    return isinstance(root, MappingNode) and get_entry(root, "services") is not None and is_null(get(root, "services"))


def compose_views(source: SourceFile, root: Node, v1_allowed: bool = True) -> List[ContainerView]:
    """One ContainerView per service of a compose document."""
    services, v1 = compose_services_node(root, v1_allowed)
    if services is None:
        return []
    ctx = _Ctx(source)
    top_volumes = get(root, "volumes") if not v1 else None
    views = []
    for name, e in mapping_entries(services).items():
        if v1 and name.startswith("x-"):
            continue
        if not isinstance(e.value_node, MappingNode):
            continue
        views.append(_compose_view(ctx, name, e, top_volumes))
    return views


def _compose_view(ctx: _Ctx, name: str, svc: Entry, top_volumes: Optional[Node]) -> ContainerView:
    node = svc.value_node
    ents = mapping_entries(node)
    text = ctx.text
    anchor = ctx.span(svc.key_node.start_mark.index, svc.key_node.end_mark.index)
    v = ContainerView("compose", name, "service", anchor, node, ctx.source)

    def setting(key: str, value_fn=_text) -> Optional[Setting]:
        e = ents.get(key)
        if e is None or is_null(e.value_node):
            return None
        return ctx.entry(e, value_fn(e.value_node), shared=ctx.is_alias(e))

    e = ents.get("image")
    if e is not None and isinstance(e.value_node, ScalarNode) and not is_null(e.value_node):
        v.image_setting = ctx.entry(e, e.value_node.value)
        v.image = parse_image(_interpolate(e.value_node.value)[0])
        s, end = value_range(text, e.key_node, e.value_node)
        s, end = scalar_text_range(text, e.value_node, s, end) if s == e.value_node.start_mark.index else (s, end)
        v.image_span = ctx.span(s, end)
    v.user = setting("user")
    v.privileged = setting("privileged", scalar_value)
    v.read_only_root = setting("read_only", scalar_value)
    for key, attr in (("cap_add", "cap_add"), ("cap_drop", "cap_drop")):
        ce = ents.get(key)
        out = getattr(v, attr)
        for item, sp, shared in ctx.list_items(ce):
            t = _text(item)
            if t:
                out.append(ctx.item(item, sp, normalise_capability(t), ce.value_node, shared))
    deploy_limits = get(node, "deploy", "resources", "limits")
    dl = mapping_entries(deploy_limits)

    def first(*cands) -> Optional[Setting]:
        for src, key in cands:
            e = src.get(key)
            if e is not None and not is_null(e.value_node):
                return ctx.entry(e, _text(e.value_node), shared=ctx.is_alias(e))
        return None

    v.memory_limit = first((ents, "mem_limit"), (dl, "memory"))
    v.cpu_limit = first((ents, "cpus"), (ents, "cpu_quota"), (dl, "cpus"))
    v.pids_limit = first((ents, "pids_limit"), (dl, "pids"))
    # security_opt
    so = ents.get("security_opt")
    for item, sp, shared in ctx.list_items(so):
        t = _text(item)
        if not t:
            continue
        m = re.match(r"^\s*([A-Za-z-]+)\s*(?:[:=]\s*(.*))?$", t, re.S)
        if not m:
            continue
        key, rest = m.group(1).lower(), m.group(2)
        rest = rest.strip() if rest is not None else None
        if key == "no-new-privileges":
            val: Any = True if rest is None or rest == "" else (as_bool(rest) if as_bool(rest) is not None else rest)
            v.no_new_privileges = ctx.item(item, sp, val, so.value_node, shared)
        elif key == "seccomp" and rest:
            v.seccomp = ctx.item(item, sp, _profile("seccomp", rest), so.value_node, shared)
        elif key == "apparmor" and rest:
            v.apparmor = ctx.item(item, sp, _profile("apparmor", rest), so.value_node, shared)
        elif key == "label" and rest:
            low = rest.lower()
            if low == "disable" or low == "disabled":
                v.selinux = ctx.item(item, sp, "disable", so.value_node, shared)
            elif low.startswith("type:") and (v.selinux is None or v.selinux.value != "disable"):
                v.selinux = ctx.item(item, sp, rest[5:].strip(), so.value_node, shared)
        elif key == "systempaths" and rest and rest.lower() == "unconfined":
            v.proc_mount = ctx.item(item, sp, "unmasked", so.value_node, shared)
    # host namespaces
    for key, ns in _COMPOSE_NAMESPACES:
        e = ents.get(key)
        if e is not None and (_text(e.value_node) or "").strip().lower() == "host":
            v.host_namespaces.append(ctx.entry(e, ns, shared=ctx.is_alias(e)))
    # volumes
    ve = ents.get("volumes")
    for item, sp, shared in ctx.list_items(ve):
        m = _compose_mount(ctx, item, sp, top_volumes)
        if m is not None:
            v.mounts.append(m)
    # devices
    de = ents.get("devices")
    for item, sp, shared in ctx.list_items(de):
        if isinstance(item, ScalarNode):
            t = _text(item)
            if t:
                host = _split_device(t)
                v.devices.append(ctx.item(item, sp, host, de.value_node, shared))
        elif isinstance(item, MappingNode):
            src = _text(get(item, "source"))
            if src:
                v.devices.append(ctx.item(item, sp, src, de.value_node, shared))
    # sysctls
    se = ents.get("sysctls")
    if se is not None:
        sv = se.value_node
        if isinstance(sv, MappingNode):
            for k, e2 in mapping_entries(sv).items():
                s, end = entry_range(text, e2.key_node, e2.value_node)
                v.sysctls.append(Sysctl(k, _text(e2.value_node), ctx.span(s, end), e2.value_node))
        else:
            for item, sp, shared in ctx.list_items(se):
                t = _text(item)
                if t:
                    k, _, val = t.partition("=")
                    v.sysctls.append(Sysctl(k.strip(), val.strip() if _ else None, sp, item))
    # environment
    ee = ents.get("environment")
    if ee is not None:
        _compose_env(ctx, ee, v.env)
    # ports
    pe = ents.get("ports")
    for item, sp, shared in ctx.list_items(pe):
        p = _compose_port(item, sp)
        if p is not None:
            v.ports.append(p)
    return v


def _split_device(t: str) -> str:
    s = t.strip()
    if re.match(r"^[A-Za-z]:[\\/]", s):
        return s
    return s.split(":", 1)[0]


def _compose_mount(ctx: _Ctx, item: Node, sp: Span, top_volumes: Optional[Node]) -> Optional[Mount]:
    text = ctx.text
    if isinstance(item, ScalarNode):
        raw = _text(item)
        if not raw:
            return None
        parts = _split_volume(raw)
        if len(parts) == 1:
            return Mount(parts[0], None, False, "volume", sp, sp, item, raw_source=None)
        source, target = parts[0], parts[1]
        mode = parts[2] if len(parts) > 2 else ""
        ro = "ro" in [m.strip().lower() for m in mode.split(",")]
        return _mount_from_source(ctx, source, target, ro, None, sp, sp, item, top_volumes)
    if isinstance(item, MappingNode):
        ents = mapping_entries(item)
        typ = (_text(get(item, "type")) or "volume").strip().lower()
        source = _text(get(item, "source"))
        target = _text(get(item, "target"))
        ro = as_bool(get(item, "read_only")) is True
        se = ents.get("source")
        src_span = ctx.span(*entry_range(text, se.key_node, se.value_node)) if se is not None else sp
        if typ == "bind":
            if source is None:
                return Mount(target, None, ro, "bind", src_span, sp, item)
            hp, variable = _interpolate(source)
            return Mount(target, normalise_host_path(hp), ro, "bind", src_span, sp, item, raw_source=source,
                         variable=variable)
        if typ == "volume" and source:
            return _mount_from_source(ctx, source, target, ro, typ, src_span, sp, item, top_volumes)
        return Mount(target, None, ro, typ, src_span, sp, item, raw_source=source)
    return None


def _split_volume(raw: str) -> List[str]:
    """Split `SOURCE:TARGET[:MODE]`, keeping a Windows drive letter with its path."""
    s = raw.strip()
    drive = ""
    if re.match(r"^[A-Za-z]:[\\/]", s):
        drive, s = s[:2], s[2:]
    parts = s.split(":")
    parts[0] = drive + parts[0]
    if len(parts) > 3:  # `${VAR:-/a}:/b` style defaults contain colons: re-join the variable
        merged: List[str] = []
        buf = ""
        depth = 0
        for p in parts:
            buf = p if not buf and depth == 0 else buf + ":" + p
            depth = buf.count("${") - buf.count("}")
            if depth <= 0:
                merged.append(buf)
                buf, depth = "", 0
        if buf:
            merged.append(buf)
        parts = merged
    elif "${" in parts[0] and "}" not in parts[0]:
        return _split_volume_vars(s, drive)
    return parts


def _split_volume_vars(s: str, drive: str) -> List[str]:
    out, buf, depth = [], "", 0
    for ch in s:
        if ch == ":" and depth == 0:
            out.append(buf)
            buf = ""
            continue
        if ch == "{" and buf.endswith("$"):
            depth += 1
        elif ch == "}" and depth:
            depth -= 1
        buf += ch
    out.append(buf)
    out[0] = drive + out[0]
    return out


def _is_host_source(source: str) -> bool:
    s = source.strip()
    return (s.startswith(("/", ".", "~", "$", "\\\\")) or bool(re.match(r"^[A-Za-z]:[\\/]", s))
            or "/" in s)


def _mount_from_source(ctx: _Ctx, source: str, target: Optional[str], ro: bool, typ: Optional[str],
                       src_span: Span, sp: Span, item: Node, top_volumes: Optional[Node]) -> Mount:
    if typ != "volume" and _is_host_source(source):
        hp, variable = _interpolate(source)
        return Mount(target, normalise_host_path(hp), ro, "bind", src_span, sp, item, raw_source=source,
                     variable=variable)
    # named volume; bound to a host directory through driver_opts?
    vol = get(top_volumes, source) if top_volumes is not None else None
    dev = _text(get(vol, "driver_opts", "device"))
    opts = (_text(get(vol, "driver_opts", "o")) or "").lower()
    if dev and "bind" in opts.split(","):
        hp, variable = _interpolate(dev)
        return Mount(target, normalise_host_path(hp), ro, "volume", src_span, sp, item, raw_source=source,
                     volume_name=source, variable=variable)
    return Mount(target, None, ro, "volume", src_span, sp, item, raw_source=source, volume_name=source)


def _compose_env(ctx: _Ctx, ee: Entry, out: List[EnvVar]) -> None:
    text = ctx.text
    node = ee.value_node
    if isinstance(node, MappingNode):
        for name, e in mapping_entries(node).items():
            s, end = entry_range(text, e.key_node, e.value_node)
            ks, ke = scalar_text_range(text, e.key_node)
            val = None if is_null(e.value_node) or not isinstance(e.value_node, ScalarNode) else e.value_node.value
            vspan = None
            if val is not None:
                vs, ve = value_range(text, e.key_node, e.value_node)
                if vs == e.value_node.start_mark.index:
                    vs, ve = scalar_text_range(text, e.value_node, vs, ve)
                vspan = ctx.span(vs, ve)
            out.append(EnvVar(name, val, ctx.span(ks, ke), vspan, ctx.span(s, end), e.value_node, e.mapping,
                              has_interpolation(val)))
        return
    for item, sp, shared in ctx.list_items(ee):
        t = _text(item)
        if not t:
            continue
        name, eq, val = t.partition("=")
        cs, ce = scalar_text_range(text, item, sp.start, sp.end)
        exact = text[cs:ce] == t
        if exact:
            nspan = ctx.span(cs, cs + len(name))
            vspan = ctx.span(cs + len(name) + 1, ce) if eq else None
        else:
            nspan, vspan = ctx.span(cs, ce), (ctx.span(cs, ce) if eq else None)
        value = val if eq else None
        out.append(EnvVar(name.strip(), value, nspan, vspan, sp, item, ee.value_node, has_interpolation(value)))


_PORT_RANGE = re.compile(r"^(\d+)(?:-(\d+))?$")


def _compose_port(item: Node, sp: Span) -> Optional[Port]:
    if isinstance(item, MappingNode):
        target = _text(get(item, "target"))
        if target is None:
            return None
        m = _PORT_RANGE.match(target.strip())
        if not m:
            return None
        a = int(m.group(1))
        b = int(m.group(2)) if m.group(2) else a
        return Port(a, b, (_text(get(item, "protocol")) or "tcp").lower(), sp, item,
                    _text(get(item, "published")), _text(get(item, "host_ip")))
    t = _text(item)
    if not t:
        return None
    t = t.strip()
    proto = "tcp"
    if "/" in t:
        t, proto = t.rsplit("/", 1)
    host_ip = None
    if t.startswith("["):  # [::1]:8080:80
        close = t.find("]")
        host_ip, t = t[1:close], t[close + 1:].lstrip(":")
    parts = t.split(":")
    container = parts[-1]
    published = parts[-2] if len(parts) >= 2 else None
    if len(parts) >= 3 and host_ip is None:
        host_ip = ":".join(parts[:-2])
    m = _PORT_RANGE.match(container.strip())
    if not m:
        return None
    a = int(m.group(1))
    b = int(m.group(2)) if m.group(2) else a
    return Port(a, b, proto.lower(), sp, item, published or None, host_ip or None)


# --------------------------------------------------------------------------- Kubernetes

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


def kubernetes_objects(root: Optional[Node], depth: int = 0) -> Iterable[MappingNode]:
    """Every object of a document: the root, or the items of a `kind: List` (recursively,
    also `*List` kinds with an `items` sequence)."""
    if not isinstance(root, MappingNode):
        return
    kind = _text(get(root, "kind"))
    if kind and kind.endswith("List") and isinstance(get(root, "items"), SequenceNode):
        if depth >= _MAX_LIST_DEPTH:
            return
        for item in get(root, "items").value:
            yield from kubernetes_objects(item, depth + 1)
        return
    yield root


def kubernetes_pods(source: SourceFile, obj: MappingNode) -> Optional[PodView]:
    """The PodView of a workload object (with its ContainerViews), or None for other kinds."""
    kind = _text(get(obj, "kind"))
    path = WORKLOAD_KINDS.get(kind or "")
    if path is None:
        return None
    ctx = _Ctx(source)
    text = ctx.text
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
    name = _text(get(obj, "metadata", "name")) or ""
    anchor = ctx.span(spec_entry.key_node.start_mark.index, spec_entry.key_node.end_mark.index)
    first_line = ctx.index.position(obj.start_mark.index)[0]
    last_line = ctx.index.position(max(obj.start_mark.index, node_end(text, obj) - 1))[0]
    pod = PodView(kind, name, obj, spec, anchor, metadata if isinstance(metadata, MappingNode) else None,
                  lines=(first_line, last_line))
    ann_node = get(metadata, "annotations")
    ann_entries: Dict[str, Entry] = {}
    if isinstance(ann_node, MappingNode):
        pod.annotations_node = ann_node
        ann_entries = mapping_entries(ann_node)
        pod.annotations = {k: _text(e.value_node) for k, e in ann_entries.items()}
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
    pod.seccomp = _profile_setting(ctx, pents.get("seccompProfile"), inherited=False)
    if pod.seccomp is None and _SECCOMP_POD_ANN in ann_entries:
        e = ann_entries[_SECCOMP_POD_ANN]
        pod.seccomp = ctx.entry(e, _profile("seccomp", _text(e.value_node)))
    pod.apparmor = _profile_setting(ctx, pents.get("appArmorProfile"), inherited=False)
    se = pents.get("sysctls")
    if se is not None:
        for item, sp, shared in ctx.list_items(se):
            n = _text(get(item, "name"))
            if n:
                pod.sysctls.append(Sysctl(n, _text(get(item, "value")), sp, item, inherited=True))
    for vol in (get(spec, "volumes").value if isinstance(get(spec, "volumes"), SequenceNode) else ()):
        vn = _text(get(vol, "name"))
        if vn and isinstance(vol, MappingNode):
            pod.volumes[vn] = vol
    for list_key, role in _CONTAINER_LISTS:
        ce = ents.get(list_key)
        if ce is None or not isinstance(ce.value_node, SequenceNode):
            continue
        for item, s, end in item_ranges(text, ce.value_node):
            if isinstance(item, MappingNode):
                pod.containers.append(_k8s_container(ctx, pod, item, role, ann_entries, ctx.span(s, end)))
    return pod


def _profile_setting(ctx: _Ctx, e: Optional[Entry], inherited: bool) -> Optional[Setting]:
    """seccompProfile / appArmorProfile struct -> Setting on its `type` (or the struct)."""
    if e is None or not isinstance(e.value_node, MappingNode):
        return None
    te = get_entry(e.value_node, "type")
    if te is not None:
        return ctx.entry(te, _profile("", _text(te.value_node)), inherited=inherited, shared=ctx.is_alias(e))
    return ctx.entry(e, None, inherited=inherited)


def _k8s_container(ctx: _Ctx, pod: PodView, node: MappingNode, role: str, ann: Dict[str, Entry],
                   item_span: Span) -> ContainerView:
    text = ctx.text
    ents = mapping_entries(node)
    name_e = ents.get("name")
    name = _text(name_e.value_node) if name_e is not None else None
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
        s, end = value_range(text, e.key_node, e.value_node)
        if s == e.value_node.start_mark.index:
            s, end = scalar_text_range(text, e.value_node, s, end)
        v.image_span = ctx.span(s, end)
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
    pm = own("procMount", lambda n: (_text(n) or "").lower() or None)
    v.proc_mount = pm
    caps = get(sc, "capabilities")
    for key, out in (("add", v.cap_add), ("drop", v.cap_drop)):
        ce = get_entry(caps, key)
        for item, sp, shared in ctx.list_items(ce):
            t = _text(item)
            if t:
                out.append(ctx.item(item, sp, normalise_capability(t), ce.value_node, shared))
    # seccomp / apparmor / selinux: container struct, else pod struct, else annotations
    v.seccomp = _profile_setting(ctx, cents.get("seccompProfile"), False)
    if v.seccomp is None and cents.get("seccompProfile") is None:
        if (_SECCOMP_CTR_ANN + v.name) in ann:
            e2 = ann[_SECCOMP_CTR_ANN + v.name]
            v.seccomp = ctx.entry(e2, _profile("seccomp", _text(e2.value_node)))
        elif pod.seccomp is not None:
            v.seccomp = _inherit(pod.seccomp)
    v.apparmor = _profile_setting(ctx, cents.get("appArmorProfile"), False)
    if v.apparmor is None and cents.get("appArmorProfile") is None:
        if pod.apparmor is not None:
            v.apparmor = _inherit(pod.apparmor)
        if (_APPARMOR_CTR_ANN + v.name) in ann:
            e2 = ann[_APPARMOR_CTR_ANN + v.name]
            v.apparmor = ctx.entry(e2, _profile("apparmor", _text(e2.value_node)))
    sel = cents.get("seLinuxOptions")
    inherited = False
    if sel is None:
        sel, inherited = pents.get("seLinuxOptions"), True
    if sel is not None and isinstance(sel.value_node, MappingNode):
        te = get_entry(sel.value_node, "type")
        if te is not None and _text(te.value_node):
            v.selinux = ctx.entry(te, _text(te.value_node), inherited=inherited)
    # resources
    lim = get(node, "resources", "limits")
    lents = mapping_entries(lim)
    for key, attr in (("memory", "memory_limit"), ("cpu", "cpu_limit")):
        e2 = lents.get(key)
        if e2 is not None and not is_null(e2.value_node):
            setattr(v, attr, ctx.entry(e2, _text(e2.value_node), shared=ctx.is_alias(e2)))
    # pod-level things every container shares
    for s in (("network", pod.host_network), ("pid", pod.host_pid), ("ipc", pod.host_ipc)):
        if s[1] is not None and s[1].is_true():
            h = _inherit(s[1])
            h.value = s[0]
            v.host_namespaces.append(h)
    v.sysctls = list(pod.sysctls)
    # mounts
    vme = ents.get("volumeMounts")
    for item, sp, shared in ctx.list_items(vme):
        if not isinstance(item, MappingNode):
            continue
        vname = _text(get(item, "name"))
        target = _text(get(item, "mountPath"))
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
        raw = _text(pe.value_node) if pe is not None else None
        hspan = ctx.span(*entry_range(text, pe.key_node, pe.value_node)) if pe is not None else \
            ctx.span(*entry_range(text, vents["hostPath"].key_node, hp_node))
        htype = _text(get(hp_node, "type"))
        hp = None
        if raw:
            sub = _text(get(item, "subPath"))
            hp = normalise_host_path(raw + ("/" + sub if sub else ""))
        v.mounts.append(Mount(target, hp, ro, "hostPath", hspan, sp, item, raw_source=raw, host_path_type=htype,
                              volume_name=vname, variable=bool(raw) and "$(" in raw))
        if htype in ("CharDevice", "BlockDevice") and raw:
            v.devices.append(Setting(hp, pe.value_node, pe.key_node, hspan,
                                     ctx.span(*value_range(text, pe.key_node, pe.value_node)), hp_node,
                                     inherited=True))
    # env
    ee = ents.get("env")
    for item, sp, shared in ctx.list_items(ee):
        if not isinstance(item, MappingNode):
            continue
        ne = get_entry(item, "name")
        if ne is None or not _text(ne.value_node):
            continue
        ns = ctx.span(*scalar_text_range(text, ne.value_node))
        vf = get_entry(item, "valueFrom") is not None
        vne = get_entry(item, "value")
        val, vspan = None, None
        if vne is not None and isinstance(vne.value_node, ScalarNode) and not is_null(vne.value_node):
            val = vne.value_node.value
            vs, ve = value_range(text, vne.key_node, vne.value_node)
            if vs == vne.value_node.start_mark.index:
                vs, ve = scalar_text_range(text, vne.value_node, vs, ve)
            vspan = ctx.span(vs, ve)
        v.env.append(EnvVar(_text(ne.value_node), val, ns, vspan, sp, item, ee.value_node,
                            bool(val) and "$(" in val, vf))
    # ports
    pe2 = ents.get("ports")
    for item, sp, shared in ctx.list_items(pe2):
        cp = scalar_value(get(item, "containerPort"))
        if isinstance(cp, int) and not isinstance(cp, bool):
            hp2 = get(item, "hostPort")
            v.ports.append(Port(cp, cp, (_text(get(item, "protocol")) or "TCP").lower(), sp, item,
                                _text(hp2) if hp2 is not None else None, _text(get(item, "hostIP"))))
    return v


def _inherit(s: Setting) -> Setting:
    return Setting(s.value, s.node, s.key_node, s.span, s.value_span, s.parent, True, s.merged, s.shared)


# --------------------------------------------------------------------------- the file model


@dataclass
class YamlFile:
    """The model of a Compose file or Kubernetes manifest handed to the checks.

    - `kind`: "compose" | "kubernetes"; `documents`: the root nodes of the documents that parsed.
    - `containers`: every ContainerView (Compose services; Kubernetes containers of every pod, in
      document order); `pods`: Kubernetes PodViews (empty for Compose).
    - `objects`: Kubernetes objects (root mappings, `List` items expanded) of every document.
    - `unknown_suppressions`: (token, span) of `hardenlint.io/ignore` annotation entries that name
      no rule (for HL002).
    """

    source: SourceFile
    kind: str
    documents: List[Node] = field(default_factory=list)
    containers: List[ContainerView] = field(default_factory=list)
    pods: List[PodView] = field(default_factory=list)
    objects: List[MappingNode] = field(default_factory=list)
    unknown_suppressions: List[Tuple[str, Span]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.source.text

    def span(self, node: Node) -> Span:
        from .yamlnodes import span as _span
        return _span(self.source.index, node)

    def suppression_scope(self, line: int) -> Optional[Tuple[int, int]]:
        """Lines covered by a suppression comment alone on `line`: when the next non-blank,
        non-comment line starts a mapping key or a list item, (its first line, the last line of
        its whole value); else None."""
        idx = self.source.index
        n = idx.line_count
        target_line = None
        for ln in range(line + 1, n + 1):
            t = idx.line_text(ln).strip()
            if not t or t.startswith("#"):
                continue
            target_line = ln
            break
        if target_line is None:
            return None
        lt = idx.line_text(target_line)
        stripped = lt.lstrip()
        if stripped.startswith(("---", "...")):
            return None
        offset = idx.offset(target_line, len(lt) - len(stripped) + 1)
        is_item = stripped == "-" or stripped.startswith(("- ", "-\t"))
        is_key = bool(re.match(r"""^(?:"[^"]*"|'[^']*'|[^\s#'"][^#]*?)\s*:(?:\s|$)""", stripped)) or stripped.startswith("? ")
        if not (is_item or is_key):
            return None
        end = self._scope_end(offset, is_item)
        if end is None:
            return (target_line, target_line)
        last = idx.position(max(offset, end - 1))[0]
        return (target_line, max(target_line, last))

    def _scope_end(self, offset: int, is_item: bool) -> Optional[int]:
        text = self.source.text
        for root in self.documents:
            if root is None or not (root.start_mark.index <= offset <= root.end_mark.index):
                continue
            node: Node = root
            for _ in range(400):
                found = None
                if isinstance(node, MappingNode):
                    for k, val in node.value:
                        ks = k.start_mark.index
                        if ks == offset and not is_item:
                            return entry_range(text, k, val)[1]
                        if val.start_mark.index >= k.end_mark.index:
                            vs, ve = val.start_mark.index, node_end(text, val)
                            if vs <= offset < max(ve, vs + 1) or (ks < offset < ve):
                                found = val
                                break
                elif isinstance(node, SequenceNode):
                    for item, s, e in item_ranges(text, node):
                        dash = s - 1
                        while dash > 0 and text[dash] in " \t":
                            dash -= 1
                        if is_item and dash == offset and text[dash] == "-":
                            return e
                        if s <= offset < e and item.start_mark.index == s:
                            found = item
                            break
                if found is None:
                    return None
                node = found
        return None
