"""ContainerViews of Compose services (see `container` for what the views hold).

`compose_views(source, root)` gives one view per service of a Compose document; v1 files (services
at the top level) are read when `v1_allowed`. `${VAR:-default}` / `${VAR-default}` in image
references and host paths are replaced by their default; any other `$VAR` marks the value variable.

`extends` (`extends: base` or `extends: {service: base}`) of a service of the same file is
resolved as the Compose specification merges service definitions, recursively: scalars (and
`deploy.resources.limits` keys) of the nearer service win; `cap_add`, `cap_drop`, `security_opt`
and `ports` are the base's items then the service's; `environment` and `sysctls` (by name),
`volumes` and `devices` (by container path) are the base's entries overridden by the service's.
What a service gets from a base keeps the base's spans (the text the user wrote there) and is
`shared`, so a finding about it is reported once there. A cycle (which Compose rejects) is followed
until it comes back to a service already visited; an unknown base adds nothing. A chain that
reaches `extends: {file: ...}` sets `ContainerView.extends_file`: rules about a missing setting
stay silent for it (the other file may set it).
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Tuple

from ..source import SourceFile
from .container import (
    WINDOWS_PATH, BuildContext, ContainerView, EnvVar, Mount, Port, Setting, Sysctl,
    normalise_host_path, normalise_profile,
)
from .findings import Span
from .image import parse_image
from .yamlnodes import (
    Entry, MappingNode, Node, ScalarNode, as_bool, entry_range, get, get_entry, is_null,
    mapping_entries, scalar_text_range, scalar_value, text_value,
)

__all__ = ["compose_views", "compose_services_node", "is_compose_root", "has_interpolation"]

_NAMESPACES = (("network_mode", "network"), ("net", "network"), ("pid", "pid"), ("ipc", "ipc"),
               ("userns_mode", "userns"), ("uts", "uts"), ("cgroup", "cgroup"))
_SECURITY_OPT = re.compile(r"^\s*([A-Za-z-]+)\s*(?:[:=]\s*(.*))?$", re.S)
_VAR_DEFAULT = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(:?-)([^}]*)\}")
_VAR = re.compile(r"\$(\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)")
_PORT_RANGE = re.compile(r"^(\d+)(?:-(\d+))?$")


# --------------------------------------------------------------------------- documents


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
    """A root mapping with a `services` mapping or an empty `services:` (or, when `v1_allowed`,
    a v1 file whose every top-level value is a mapping with `image` or `build`)."""
    services, v1 = compose_services_node(root, v1_allowed)
    if services is not None or v1:
        return True
    return isinstance(root, MappingNode) and get_entry(root, "services") is not None and is_null(get(root, "services"))


def compose_views(source: SourceFile, root: Node, v1_allowed: bool = True) -> List[ContainerView]:
    """One ContainerView per service of a compose document."""
    services, v1 = compose_services_node(root, v1_allowed)
    if services is None:
        return []
    ctx = BuildContext(source)
    top_volumes = get(root, "volumes") if not v1 else None
    views = []
    entries = mapping_entries(services)
    for name, e in entries.items():
        if v1 and name.startswith("x-"):
            continue
        if not isinstance(e.value_node, MappingNode):
            continue
        chain, external = _extends_chain(entries, e)
        view = _service_view(ctx, name, e, top_volumes, chain)
        view.extends_file = external
        views.append(view)
    return views


def _extends_chain(services: Dict[str, Entry], svc: Entry) -> Tuple[List[MappingNode], bool]:
    """The service's mapping and those of the services it extends in this file, nearest first,
    and whether the chain reaches `extends: {file: ...}` (see the module docstring)."""
    chain: List[MappingNode] = []
    node = svc.value_node
    while isinstance(node, MappingNode) and all(n is not node for n in chain):
        chain.append(node)
        ext = get(node, "extends")
        if isinstance(ext, MappingNode):
            if not is_null(get(ext, "file")):
                return chain, True
            ext = get(ext, "service")
        base = services.get(text_value(ext) or "")
        node = base.value_node if base is not None else None
    return chain, False


def _merged(layers: List[Dict[str, Entry]]) -> Dict[str, Entry]:
    """Entries of layers (nearest first) merged as scalars: the nearest non-null value wins."""
    out: Dict[str, Entry] = {}
    for layer in reversed(layers):
        for k, e in layer.items():
            if k not in out or not is_null(e.value_node):
                out[k] = e
    return out


def _overlay(lists: List[list], key) -> list:
    """Lists of records, bases first: a later list's record replaces earlier ones of the same key."""
    out: list = []
    for records in lists:
        names = {key(r) for r in records} - {None}
        out = [r for r in out if key(r) not in names] + records
    return out


# --------------------------------------------------------------------------- one service


def _service_view(ctx: BuildContext, name: str, svc: Entry, top_volumes: Optional[Node],
                  chain: List[MappingNode]) -> ContainerView:
    node = svc.value_node
    layers = [mapping_entries(n) for n in chain]  # the service, then the services it extends
    dls = [mapping_entries(get(n, "deploy", "resources", "limits")) for n in chain]
    ents, dl = _merged(layers), _merged(dls)
    based = {id(e) for layer in layers[1:] + dls[1:] for e in layer.values()}
    anchor = ctx.span(svc.key_node.start_mark.index, svc.key_node.end_mark.index)
    v = ContainerView("compose", name, "service", anchor, node, ctx.source)

    def shared(e: Entry) -> bool:
        return ctx.is_alias(e) or id(e) in based

    def stack(key: str) -> List[Tuple[Entry, int]]:
        """(entry, extra item flags) of `key` in every layer, bases first (SHARED for a base's)."""
        return [(layer[key], 1 if i else 0) for i, layer in reversed(list(enumerate(layers))) if key in layer]

    def setting(key: str, value_fn=text_value) -> Optional[Setting]:
        e = ents.get(key)
        if e is None or is_null(e.value_node):
            return None
        return ctx.entry(e, value_fn(e.value_node), shared=shared(e))

    e = ents.get("image")
    if e is not None and isinstance(e.value_node, ScalarNode) and not is_null(e.value_node):
        v.image_setting = ctx.entry(e, e.value_node.value, shared=shared(e))
        v.image = parse_image(_interpolate(e.value_node.value)[0])
        v.image_span = ctx.scalar_span(e)
    v.user = setting("user")
    v.privileged = setting("privileged", scalar_value)
    v.read_only_root = setting("read_only", scalar_value)
    for attr in ("cap_add", "cap_drop"):
        for e, extra in stack(attr):
            caps = ctx.capabilities(e)
            for s in caps:
                s.shared = s.shared or bool(extra)
            getattr(v, attr).extend(caps)

    def first(*cands) -> Optional[Setting]:
        for src, key in cands:
            e = src.get(key)
            if e is not None and not is_null(e.value_node):
                return ctx.entry(e, text_value(e.value_node), shared=shared(e))
        return None

    v.memory_limit = first((ents, "mem_limit"), (dl, "memory"))
    v.cpu_limit = first((ents, "cpus"), (ents, "cpu_quota"), (dl, "cpus"))
    v.pids_limit = first((ents, "pids_limit"), (dl, "pids"))
    for so, extra in stack("security_opt"):
        _security_opt(ctx, so, v, extra)
    for key, ns in _NAMESPACES:
        e = ents.get(key)
        if e is not None and (text_value(e.value_node) or "").strip().lower() == "host":
            v.host_namespaces.append(ctx.entry(e, ns, shared=shared(e)))
    mounts, devices, sysctls, env = [], [], [], []
    for e, _extra in stack("volumes"):
        mounts.append([m for item, sp, _f in ctx.list_items(e) if (m := _mount(ctx, item, sp, top_volumes)) is not None])
    for de, extra in stack("devices"):
        devices.append(_devices(ctx, de, extra))
    for se, _extra in stack("sysctls"):
        sysctls.append(_sysctls(ctx, se))
    for ee, _extra in stack("environment"):
        env.append([])
        _environment(ctx, ee, env[-1])
    v.mounts = _overlay(mounts, lambda m: m.target)
    v.devices = _overlay(devices, lambda s: _device_target(s.node))
    v.sysctls = _overlay(sysctls, lambda s: s.name)
    v.env = _overlay(env, lambda x: x.name)
    for pe, _extra in stack("ports"):
        v.ports.extend(p for item, sp, _f in ctx.list_items(pe) if (p := _port(item, sp)) is not None)
    return v


def _devices(ctx: BuildContext, de: Entry, extra: int) -> List[Setting]:
    out = []
    for item, sp, flags in ctx.list_items(de):
        if isinstance(item, ScalarNode):
            t = text_value(item)
            if t:
                out.append(ctx.item(item, sp, _device_host_path(t), de.value_node, flags | extra))
        elif isinstance(item, MappingNode):
            src = text_value(get(item, "source"))
            if src:
                out.append(ctx.item(item, sp, src, de.value_node, flags | extra))
    return out


def _sysctls(ctx: BuildContext, se: Entry) -> List[Sysctl]:
    out = []
    sv = se.value_node
    if isinstance(sv, MappingNode):
        for k, e2 in mapping_entries(sv).items():
            s, end = entry_range(ctx.text, e2.key_node, e2.value_node)
            out.append(Sysctl(k, text_value(e2.value_node), ctx.span(s, end), e2.value_node))
    else:
        for item, sp, _flags in ctx.list_items(se):
            t = text_value(item)
            if t:
                k, eq, val = t.partition("=")
                out.append(Sysctl(k.strip(), val.strip() if eq else None, sp, item))
    return out


def _security_opt(ctx: BuildContext, so: Optional[Entry], v: ContainerView, extra: int = 0) -> None:
    """no-new-privileges, seccomp, apparmor, label (SELinux) and systempaths from `security_opt`
    (`extra`: item flags added, SHARED for a base service's items)."""
    for item, sp, flags in ctx.list_items(so):
        flags |= extra
        t = text_value(item)
        if not t:
            continue
        m = _SECURITY_OPT.match(t)
        if not m:
            continue
        key, rest = m.group(1).lower(), m.group(2)
        rest = rest.strip() if rest is not None else None
        if key == "no-new-privileges":
            val: Any = True if rest is None or rest == "" else (as_bool(rest) if as_bool(rest) is not None else rest)
            v.no_new_privileges = ctx.item(item, sp, val, so.value_node, flags)
        elif key == "seccomp" and rest:
            v.seccomp = ctx.item(item, sp, normalise_profile(rest), so.value_node, flags)
        elif key == "apparmor" and rest:
            v.apparmor = ctx.item(item, sp, normalise_profile(rest), so.value_node, flags)
        elif key == "label" and rest:
            low = rest.lower()
            if low == "disable" or low == "disabled":
                v.selinux = ctx.item(item, sp, "disable", so.value_node, flags)
            elif low.startswith("type:") and (v.selinux is None or v.selinux.value != "disable"):
                v.selinux = ctx.item(item, sp, rest[5:].strip(), so.value_node, flags)
        elif key == "systempaths" and rest and rest.lower() == "unconfined":
            v.proc_mount = ctx.item(item, sp, "unmasked", so.value_node, flags)


# --------------------------------------------------------------------------- interpolation


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


# --------------------------------------------------------------------------- volumes and devices


def _device_target(item: Node) -> Optional[str]:
    """The container side of a `devices` item (what `extends` merges by)."""
    if isinstance(item, MappingNode):
        return text_value(get(item, "target"))
    parts = (text_value(item) or "").strip().split(":")
    return parts[1] if len(parts) > 1 else parts[0] or None


def _device_host_path(t: str) -> str:
    """The host side of a `devices` item (`/dev/x:/dev/y:rwm` -> `/dev/x`)."""
    s = t.strip()
    if WINDOWS_PATH.match(s):
        return s
    return s.split(":", 1)[0]


def _mount(ctx: BuildContext, item: Node, sp: Span, top_volumes: Optional[Node]) -> Optional[Mount]:
    """A `volumes` item, short (`SOURCE:TARGET[:MODE]`) or long syntax."""
    if isinstance(item, ScalarNode):
        raw = text_value(item)
        if not raw:
            return None
        parts = _split_volume(raw)
        if len(parts) == 1:
            return Mount(parts[0], None, False, "volume", sp, sp, item, raw_source=None)
        source, target = parts[0], parts[1]
        mode = parts[2] if len(parts) > 2 else ""
        ro = "ro" in [m.strip().lower() for m in mode.split(",")]
        return _mount_from_source(source, target, ro, None, sp, sp, item, top_volumes)
    if isinstance(item, MappingNode):
        typ = (text_value(get(item, "type")) or "volume").strip().lower()
        source = text_value(get(item, "source"))
        target = text_value(get(item, "target"))
        ro = as_bool(get(item, "read_only")) is True
        se = get_entry(item, "source")
        src_span = ctx.span(*entry_range(ctx.text, se.key_node, se.value_node)) if se is not None else sp
        if typ == "bind":
            if source is None:
                return Mount(target, None, ro, "bind", src_span, sp, item)
            hp, variable = _interpolate(source)
            return Mount(target, normalise_host_path(hp), ro, "bind", src_span, sp, item, raw_source=source,
                         variable=variable)
        if typ == "volume" and source:
            return _mount_from_source(source, target, ro, typ, src_span, sp, item, top_volumes)
        return Mount(target, None, ro, typ, src_span, sp, item, raw_source=source)
    return None


def _split_volume(raw: str) -> List[str]:
    """Split `SOURCE:TARGET[:MODE]`, keeping a Windows drive letter with its path."""
    s = raw.strip()
    drive = ""
    if WINDOWS_PATH.match(s):
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
    """Split at the colons outside `${...}`."""
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
    return s.startswith(("/", ".", "~", "$", "\\\\")) or bool(WINDOWS_PATH.match(s)) or "/" in s


def _mount_from_source(source: str, target: Optional[str], ro: bool, typ: Optional[str],
                       src_span: Span, sp: Span, item: Node, top_volumes: Optional[Node]) -> Mount:
    """A bind (a host path source, unless the long syntax says `type: volume`) or a named volume."""
    if typ != "volume" and _is_host_source(source):
        hp, variable = _interpolate(source)
        return Mount(target, normalise_host_path(hp), ro, "bind", src_span, sp, item, raw_source=source,
                     variable=variable)
    # named volume; bound to a host directory through driver_opts (`o: bind` + `device`, or the
    # local-persist driver's `mountpoint`)?
    vol = get(top_volumes, source) if top_volumes is not None else None
    dev = text_value(get(vol, "driver_opts", "device"))
    opts = (text_value(get(vol, "driver_opts", "o")) or "").lower()
    if not (dev and "bind" in opts.split(",")):  # the local-persist plugin binds `mountpoint`
        driver = (text_value(get(vol, "driver")) or "").split(":", 1)[0]
        dev = text_value(get(vol, "driver_opts", "mountpoint")) if driver.endswith("local-persist") else None
    if dev:
        hp, variable = _interpolate(dev)
        return Mount(target, normalise_host_path(hp), ro, "volume", src_span, sp, item, raw_source=source,
                     volume_name=source, variable=variable)
    return Mount(target, None, ro, "volume", src_span, sp, item, raw_source=source, volume_name=source)


# --------------------------------------------------------------------------- environment and ports


def _environment(ctx: BuildContext, ee: Entry, out: List[EnvVar]) -> None:
    """`environment` as a mapping or as a list of `KEY=value` / `KEY` items."""
    text = ctx.text
    node = ee.value_node
    if isinstance(node, MappingNode):
        for name, e in mapping_entries(node).items():
            s, end = entry_range(text, e.key_node, e.value_node)
            ks, ke = scalar_text_range(text, e.key_node)
            val = None if is_null(e.value_node) or not isinstance(e.value_node, ScalarNode) else e.value_node.value
            vspan = ctx.scalar_span(e) if val is not None else None
            written = text[vspan.start:vspan.end] if vspan is not None else None
            out.append(EnvVar(name, val, ctx.span(ks, ke), vspan, ctx.span(s, end), e.value_node, e.mapping,
                              has_interpolation(val) or has_interpolation(written)))
        return
    for item, sp, _flags in ctx.list_items(ee):
        t = text_value(item)
        if not t:
            continue
        name, eq, val = t.partition("=")
        cs, ce = scalar_text_range(text, item, sp.start, sp.end)
        if text[cs:ce] == t:
            nspan = ctx.span(cs, cs + len(name))
            vspan = ctx.span(cs + len(name) + 1, ce) if eq else None
        else:
            nspan, vspan = ctx.span(cs, ce), (ctx.span(cs, ce) if eq else None)
        value = val if eq else None
        written = text[cs:ce] if eq else None  # as written: interpolation may have rewritten the value
        out.append(EnvVar(name.strip(), value, nspan, vspan, sp, item, ee.value_node,
                          has_interpolation(value) or has_interpolation(written)))


def _port_range(text: str) -> Optional[Tuple[int, int]]:
    m = _PORT_RANGE.match(text.strip())
    if not m:
        return None
    a = int(m.group(1))
    return a, (int(m.group(2)) if m.group(2) else a)


def _port(item: Node, sp: Span) -> Optional[Port]:
    """A `ports` item: long syntax, or `[HOST_IP:][PUBLISHED:]TARGET[/PROTOCOL]`."""
    if isinstance(item, MappingNode):
        target = text_value(get(item, "target"))
        rng = _port_range(target) if target is not None else None
        if rng is None:
            return None
        return Port(rng[0], rng[1], (text_value(get(item, "protocol")) or "tcp").lower(), sp, item,
                    text_value(get(item, "published")), text_value(get(item, "host_ip")))
    t = text_value(item)
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
    published = parts[-2] if len(parts) >= 2 else None
    if len(parts) >= 3 and host_ip is None:
        host_ip = ":".join(parts[:-2])
    rng = _port_range(parts[-1])
    if rng is None:
        return None
    return Port(rng[0], rng[1], proto.lower(), sp, item, published or None, host_ip or None)
