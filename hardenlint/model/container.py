"""The common container view: Compose services and Kubernetes containers, normalised once.

The least-privilege rules (HL3xx, HL4xx, and the C/K parts of HL1xx/HL2xx/HL5xx) are written
against `ContainerView` and `PodView`, never against raw YAML. `compose_view.compose_views` and
`kubernetes_view.kubernetes_pods` build them; this module holds the types and the helpers both
builders share. Contract:

- Every attribute the user *wrote* is a `Setting` (or a list of small records) that keeps the node
  it came from and two spans: `span` covers the whole `key: value` entry (or the list item), and
  `value_span` only the value. Spans point at the text the user wrote: a key that reaches a service
  through `<<: *defaults` points into the anchor (`merged=True`, `shared=True`); a value written as
  `*alias` points at the `*alias` for the entry and into the anchor for the items.
- An attribute that is absent, or written with a null value (`privileged:`, `runAsUser: ~`), is
  None (or an empty list); the patcher fills a written null in place. Where a missing setting belongs is
  answered by `ContainerView.where(name)` / `PodView.where(name)`: a `Location(node, path)` that
  `hardenlint.model.patch.set_key` / `append_item` take as is. Findings about a missing setting
  point at `missing_anchor(name)`: the key of the block that would hold it when that block is
  already written in the service / container / pod spec (`resources.limits`,
  `deploy.resources.limits`, `securityContext`, `securityContext.capabilities`, `security_opt`),
  which is where the fix inserts; otherwise at `ContainerView.anchor` (Compose: the service's key;
  Kubernetes: the container's `name: x` entry) or `PodView.anchor` (the pod spec's `spec` key).
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

import importlib
import posixpath
import re
from typing import Any, Dict, Iterable, List, NamedTuple, Optional, Tuple

from ..source import SourceFile
from .findings import Span
from .image import ImageRef
from .record import field, record
from .yamlnodes import (
    Entry, MappingNode, Node, ScalarNode, SequenceNode, as_bool, entry_range, get_entry, is_null,
    item_ranges, node_end, scalar_text_range, text_value, value_range,
)

__all__ = [
    "Setting", "Mount", "HostVolume", "EnvVar", "block_anchor", "Port", "Sysctl", "Location", "ContainerView", "PodView",
    "YamlFile", "normalise_capability", "normalise_host_path",
]


@record
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
    - `merged`: reached through a `<<:` merge key; `shared`: merged, reached through an alias or
      taken from a Compose `extends` base, so editing its text changes every user of it (fixes should prefer adding an
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


@record
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


@record
class HostVolume:
    """A host path declared where no container mounts it: a pod's hostPath volume that no
    container mounts (named or not), or a PersistentVolume's `spec.hostPath`. Admission judges
    the volume whether or not it is mounted, so HL313-HL315 judge these too.

    `label` names it in messages ("volume `logs` of DaemonSet `agent`", "PersistentVolume
    `data`"); `name` the volume's or PersistentVolume's name; `mount` the host path as a Mount
    (target None, read-write, `span` at its `path:`); `device` the host device for a hostPath of
    type CharDevice / BlockDevice.
    """

    label: str
    name: str
    mount: Mount
    device: Optional[Setting] = None


@record
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


@record
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


@record
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


@record
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
    - `extends_file`: Compose, the service (or a service it extends) extends a service of another
      file, which may hold any setting: rules about a missing setting stay silent for it.
      `extends` within the file is resolved into the fields (see `compose_view`).
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
    extends_file: bool = False

    @property
    def label(self) -> str:
        """How messages name it: "service `web`" or "container `app`" ("unnamed container of
        Service `hello`" for a container written without a name, as Knative allows)."""
        what = {"service": "service", "container": "container", "initContainer": "init container",
                "ephemeralContainer": "ephemeral container"}.get(self.role, self.role)
        if not self.name and self.pod is not None:
            return f"unnamed {what} of {self.pod.label}"
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

    def missing_anchor(self, name: str) -> Span:
        """Where a finding about the missing setting `name` points (see the module docstring)."""
        return block_anchor(self.source, self.where(name), self.anchor)


@record
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
    - `host_volumes`: hostPath volumes that no container mounts (HostVolume).
    - `lines`: first and last line of the whole object; `source`: the file it is written in.
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
    host_volumes: List[HostVolume] = field(default_factory=list)
    lines: Tuple[int, int] = (0, 0)
    source: Optional[SourceFile] = field(default=None, repr=False)

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

    def missing_anchor(self, name: str) -> Span:
        """Where a finding about the missing pod-level setting `name` points (see the module
        docstring)."""
        return block_anchor(self.source, self.where(name), self.anchor)


def block_anchor(source: Optional[SourceFile], loc: Location, default: Span) -> Span:
    """The key of the deepest block of `loc.path` already written under `loc.node` (the mapping
    `patch.set_key`, or the list `patch.append_item`, writes into), or `default` when none is.
    A block reached through a merge key or an alias is shared with others: `default` then."""
    if source is None:
        return default
    node: Node = loc.node
    found: Optional[Entry] = None
    for key in loc.path:
        e = get_entry(node, key)
        if e is None or e.merged or e.value_node.start_mark.index < e.key_node.end_mark.index:
            break
        found, node = e, e.value_node
        if not isinstance(node, MappingNode):
            break
    if found is None:
        return default
    k = found.key_node
    return Span.of(source.index, k.start_mark.index, k.end_mark.index)


# --------------------------------------------------------------------------- the file model


@record
class YamlFile:
    """The model of a Compose file or Kubernetes manifest handed to the checks.

    - `kind`: "compose" | "kubernetes"; `documents`: the root nodes of the documents that parsed.
    - `containers`: every ContainerView (Compose services; Kubernetes containers of every pod, in
      document order); `pods`: Kubernetes PodViews (empty for Compose).
    - `objects`: Kubernetes objects (root mappings, `List` items expanded) of every document.
    - `host_volumes`: host paths no container mounts: pods' unmounted hostPath volumes and
      PersistentVolumes' `spec.hostPath` (HostVolume).
    - `interpolated`: Compose values rewritten by interpolation (`interpolation.Interpolated`).
    - `unknown_suppressions`: (token, span) of `hardenlint.io/ignore` annotation entries that name
      no rule (for HL002).
    """

    source: SourceFile
    kind: str
    documents: List[Node] = field(default_factory=list)
    containers: List[ContainerView] = field(default_factory=list)
    pods: List[PodView] = field(default_factory=list)
    objects: List[MappingNode] = field(default_factory=list)
    host_volumes: List[HostVolume] = field(default_factory=list)
    interpolated: List[Any] = field(default_factory=list)
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


# --------------------------------------------------------------------------- shared by the builders


class BuildContext:
    """Spans and Settings for one source file (used by `compose_view` and `kubernetes_view`)."""

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

    def item(self, node: Node, sp: Span, value: Any, parent: Node, flags: int) -> Setting:
        return Setting(value, node, None, sp, sp, parent, False, bool(flags & 2), bool(flags & 1))

    def scalar_span(self, e: Entry) -> Span:
        """The value of a scalar entry: its text inside the quotes, or the `*alias` text."""
        s, end = value_range(self.text, e.key_node, e.value_node)
        if s == e.value_node.start_mark.index:
            s, end = scalar_text_range(self.text, e.value_node, s, end)
        return self.span(s, end)

    def capabilities(self, e: Optional[Entry]) -> List[Setting]:
        """One Setting per named item of a capability list, value normalised."""
        out = []
        for item, sp, flags in self.list_items(e):
            t = text_value(item)
            if t:
                out.append(self.item(item, sp, normalise_capability(t), e.value_node, flags))
        return out


def normalise_capability(name: str) -> str:
    """`cap_sys_admin` / `CAP_SYS_ADMIN` / `sys_admin` -> `SYS_ADMIN`."""
    n = name.strip().upper()
    return n[4:] if n.startswith("CAP_") else n


def normalise_profile(raw: Optional[str]) -> Optional[str]:
    """Normalise a seccomp / AppArmor profile name (see `ContainerView.seccomp`)."""
    if raw is None:
        return None
    v = str(raw).strip()
    low = v.lower()
    if low == "unconfined":
        return "unconfined"
    if low in ("runtimedefault", "runtime/default", "docker/default", "builtin", "default", "docker-default"):
        return "runtimedefault"
    if low == "localhost" or low.startswith("localhost/"):
        return "localhost"
    return v


WINDOWS_PATH = re.compile(r"^[A-Za-z]:[\\/]")


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
    if WINDOWS_PATH.match(p) or p.startswith("\\\\"):
        return p  # Windows path
    if p.startswith("$"):
        return posixpath.normpath(p)  # unresolved variable: judged by nobody
    n = posixpath.normpath(p)
    return n if n.startswith("..") else ("./" + n if n != "." else ".")


# The builders used to live here; their public names are still importable from this module.
_MOVED = {
    "compose_views": "compose_view", "compose_services_node": "compose_view",
    "is_compose_root": "compose_view", "has_interpolation": "compose_view",
    "kubernetes_pods": "kubernetes_view", "kubernetes_objects": "kubernetes_view",
    "WORKLOAD_KINDS": "kubernetes_view",
}


def __getattr__(name: str) -> Any:
    module = _MOVED.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __package__), name)
