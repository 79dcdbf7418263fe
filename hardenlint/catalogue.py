"""The rule catalogue: ids, names, kinds, levels, presets, fix safety and aliases.

This mirrors RULES.md (the decision record) and is pure data, so listing rules, validating config
and parsing suppressions never import a check.
"""
from __future__ import annotations

from .model.record import record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, Optional, Tuple

KIND_NAMES = {"D": "dockerfile", "C": "compose", "K": "kubernetes"}
LEVELS = ("error", "warning", "note")
PRACTICES = {
    "HL0": "tool",
    "HL1": "image-provenance",
    "HL2": "attack-surface",
    "HL3": "least-privilege",
    "HL4": "access-controls",
    "HL5": "secrets",
}


@record(frozen=True)
class RuleInfo:
    """What the catalogue says about one rule."""

    id: str
    name: str
    kinds: str  # letters from "DCK"
    level: str
    preset: str  # "recommended" or "strict"
    fix: str  # "safe", "unsafe", "resolver", "resolver (unsafe)", "none"
    aliases: Tuple[str, ...]
    summary: str

    @property
    def practice(self) -> str:
        return PRACTICES[self.id[:3]]

    @property
    def kind_names(self) -> Tuple[str, ...]:
        return tuple(KIND_NAMES[k] for k in self.kinds)


def _r(id, name, kinds, level, preset, fix, aliases, summary):
    return RuleInfo(id, name, kinds, level, preset, fix, tuple(aliases.split()), summary)


_RULES = (
    _r("HL001", "parse-error", "DCK", "error", "recommended", "none", "",
       "The file could not be parsed."),
    _r("HL002", "unknown-rule-in-suppression", "DCK", "warning", "recommended", "none", "",
       "A suppression comment names a rule id that does not exist."),
    _r("HL101", "image-tag-missing", "DCK", "warning", "recommended", "resolver",
       "DL3006 CKV_K8S_14 KSV-0013", "Image reference has no tag, so it means a moving `latest`."),
    _r("HL102", "image-tag-latest", "DCK", "warning", "recommended", "resolver",
       "DL3007 CKV_DOCKER_7 DS-0001", "Image reference uses the moving `latest` tag."),
    _r("HL103", "image-not-pinned-by-digest", "DCK", "note", "strict", "resolver",
       "CKV_K8S_43", "Image reference is not pinned by an immutable `@sha256:` digest."),
    _r("HL104", "image-from-untrusted-registry", "DCK", "error", "recommended", "none",
       "DL3026 KSV-0125", "Image comes from a registry outside the configured trusted registries."),
    _r("HL105", "add-remote-without-checksum", "D", "warning", "recommended", "none",
       "DL3020 CKV_DOCKER_4", "`ADD` of a remote URL without `--checksum`, or of a git URL without a commit pin."),
    _r("HL106", "remote-script-piped-to-shell", "D", "warning", "recommended", "none", "",
       "A downloaded script is piped straight into a shell at build time."),
    _r("HL107", "verification-disabled", "DCK", "error", "recommended", "unsafe",
       " ".join(f"CKV2_DOCKER_{i}" for i in range(2, 17)),
       "TLS or signature verification is turned off."),
    _r("HL108", "package-version-unpinned", "D", "note", "strict", "none",
       "DL3008 DL3013 DL3016 DL3018 DL3028 DL3033 DL3037 DL3041 DL3062",
       "A package is installed by name without a version, so the image changes whenever the mirror does."),
    _r("HL109", "image-digest-unknown", "DCK", "error", "recommended", "none", "",
       "(online) The registry does not have the pinned digest for that repository: nothing can pull it."),
    _r("HL201", "large-base-image", "D", "warning", "recommended", "unsafe", "",
       "The final stage is built on a full general-purpose image where a smaller one exists."),
    _r("HL202", "apt-install-recommends", "D", "note", "recommended", "unsafe", "DL3015 DS-0029",
       "`apt-get install` without `--no-install-recommends` pulls in packages nobody asked for."),
    _r("HL203", "package-cache-kept", "D", "note", "recommended", "safe",
       "DL3009 DL3019 DL3042 DL3032 DL3060", "A package manager's cache is left in the image layer."),
    _r("HL204", "sudo-in-build", "D", "warning", "recommended", "none", "DL3004 CKV2_DOCKER_1 DS-0010",
       "`sudo` is used inside a build step."),
    _r("HL205", "ssh-exposed", "DCK", "warning", "recommended", "none", "CKV_DOCKER_1 DS-0004",
       "An SSH server is installed or port 22 is exposed."),
    _r("HL206", "end-of-life-base-image", "DCK", "warning", "recommended", "unsafe", "",
       "The image's release cycle is past its end of life and gets no security fixes."),
    _r("HL207", "world-writable-permissions", "D", "warning", "recommended", "unsafe", "",
       "Files are made world-writable or setuid/setgid during the build."),
    _r("HL208", "image-digest-outdated", "DCK", "note", "strict", "resolver (unsafe)", "",
       "(online) The image's tag now points at another digest than the one pinned."),
    _r("HL301", "no-user", "D", "error", "recommended", "unsafe", "CKV_DOCKER_3 DS-0002",
       "The final stage never switches to a non-root user."),
    _r("HL302", "user-root", "D", "error", "recommended", "unsafe", "DL3002 CKV_DOCKER_8",
       "The final stage's last USER is root."),
    _r("HL303", "runs-as-root", "CK", "warning", "recommended", "unsafe",
       "CKV_K8S_23 KSV-0012 KSV-0020", "The container may run as root."),
    _r("HL304", "privileged", "CK", "error", "recommended", "unsafe", "CKV_K8S_16 KSV-0017",
       "The container runs in privileged mode."),
    _r("HL305", "capabilities-added", "CK", "warning", "recommended", "unsafe",
       "CKV_K8S_25 CKV_K8S_39 KSV-0022", "The container adds Linux capabilities."),
    _r("HL306", "capabilities-not-dropped", "CK", "warning", "recommended", "unsafe",
       "CKV_K8S_37 KSV-0003", "The container does not drop ALL capabilities."),
    _r("HL307", "writable-root-filesystem", "CK", "warning", "recommended", "unsafe",
       "CKV_K8S_22 KSV-0014", "The container's root filesystem is writable."),
    _r("HL308", "no-memory-limit", "CK", "warning", "recommended", "unsafe", "CKV_K8S_13 KSV-0018",
       "The container has no memory limit."),
    _r("HL309", "no-cpu-limit", "CK", "note", "strict", "unsafe", "CKV_K8S_11 KSV-0011",
       "The container has no CPU limit."),
    _r("HL310", "no-pids-limit", "C", "note", "strict", "unsafe", "",
       "The service has no process-count (PIDs) limit."),
    _r("HL311", "privilege-escalation-allowed", "CK", "warning", "recommended", "safe",
       "CKV_K8S_20 KSV-0001", "Processes in the container can gain more privileges (no-new-privileges is off)."),
    _r("HL312", "host-namespace-shared", "CK", "error", "recommended", "unsafe",
       "CKV_K8S_17 CKV_K8S_18 CKV_K8S_19 KSV-0008 KSV-0009 KSV-0010",
       "The container shares a host namespace (network, PID, IPC, user, UTS or cgroup)."),
    _r("HL313", "runtime-socket-mounted", "CK", "error", "recommended", "none", "CKV_K8S_27 KSV-0006",
       "A container runtime socket is mounted into the container."),
    _r("HL314", "sensitive-host-path", "CK", "error", "recommended", "none", "KSV-0023 KSV-0121",
       "A sensitive host path is mounted into the container."),
    _r("HL315", "host-devices", "CK", "warning", "recommended", "none", "",
       "Host devices are passed into the container."),
    _r("HL316", "service-account-token-automounted", "K", "note", "strict", "unsafe",
       "CKV_K8S_38 KSV-0036", "The pod mounts a service account token it may not need."),
    _r("HL317", "unsafe-kernel-settings", "CK", "error", "recommended", "none", "KSV-0026 KSV-0027",
       "Unsafe sysctls or an unmasked /proc are set."),
    _r("HL318", "non-numeric-user", "D", "note", "strict", "none", "DL3066",
       "USER names a user instead of a numeric UID."),
    _r("HL319", "host-port", "K", "warning", "recommended", "unsafe", "CKV_K8S_26 KSV-0024",
       "A container port binds a port of the node (`hostPort`)."),
    _r("HL320", "port-published-on-all-interfaces", "C", "note", "strict", "unsafe", "",
       "A published port listens on every interface of the host."),
    _r("HL401", "seccomp-disabled", "CK", "error", "recommended", "unsafe", "KSV-0104",
       "Seccomp syscall filtering is turned off."),
    _r("HL402", "seccomp-not-set", "K", "warning", "recommended", "safe", "CKV_K8S_31 KSV-0030",
       "No seccomp profile is set, so the pod runs without syscall filtering."),
    _r("HL403", "apparmor-disabled", "CK", "error", "recommended", "unsafe", "KSV-0002",
       "AppArmor confinement is turned off."),
    _r("HL404", "selinux-disabled", "CK", "error", "recommended", "unsafe", "KSV-0025",
       "SELinux labelling is turned off, set to an unconfined type, or outside the Pod Security baseline."),
    _r("HL405", "rbac-wildcard", "K", "error", "recommended", "none", "CKV_K8S_49 KSV-0044 KSV-0045 KSV-0046",
       "An RBAC rule grants `*` verbs or resources, including any added later."),
    _r("HL406", "rbac-reads-secrets", "K", "warning", "recommended", "none", "KSV-0041 KSV-0113",
       "An RBAC rule lets its holder read Secrets."),
    _r("HL407", "rbac-runs-workloads", "K", "warning", "recommended", "none",
       "KSV-0048 KSV-0053 KSV-0054 CKV2_K8S_2", "An RBAC rule lets its holder run or enter code in pods."),
    _r("HL408", "rbac-escalation", "K", "error", "recommended", "none",
       "CKV_K8S_155 CKV_K8S_156 CKV_K8S_157 CKV_K8S_158 CKV2_K8S_3 KSV-0043 KSV-0047 KSV-0050 KSV-0114",
       "An RBAC rule lets its holder bypass RBAC itself (escalate, bind, impersonate, mint tokens, ...)."),
    _r("HL409", "rbac-broad-binding", "K", "error", "recommended", "none",
       "CKV_K8S_42 KSV-0111 KSV-0122 KSV-0123 KSV-01011",
       "A binding grants a powerful role, or grants a role to everyone or to a default ServiceAccount."),
    _r("HL410", "workload-token-escalates", "K", "error", "recommended", "none", "",
       "A workload's ServiceAccount token carries permissions that let an attacker take over more."),
    _r("HL411", "namespace-privileged-pod-security", "K", "warning", "recommended", "unsafe", "",
       "A Namespace enforces the `privileged` Pod Security level, so admission lets any pod in."),
    _r("HL412", "namespace-pod-security-unset", "K", "note", "strict", "unsafe", "",
       "A Namespace sets no Pod Security `enforce` level, so the cluster default applies."),
    _r("HL501", "secret-in-environment", "DCK", "error", "recommended", "none", "DL3064 DS-0031",
       "A secret-looking variable has a literal value baked into the configuration."),
    _r("HL502", "secret-file-copied", "D", "error", "recommended", "none", "",
       "A key or credential file is copied into the image."),
)

RULES: Dict[str, RuleInfo] = {r.id: r for r in _RULES}
ALIASES: Dict[str, str] = {a.upper(): r.id for r in _RULES for a in r.aliases}


def resolve_id(token: str) -> Optional[str]:
    """Map an id or a peer's alias (case-insensitive) to our rule id, or None."""
    t = token.strip().upper()
    if t in RULES:
        return t
    return ALIASES.get(t)


def expand_selector(token: str) -> Tuple[str, ...]:
    """Ids matched by a selector: an id, an alias, a prefix like `HL3`, or `ALL`."""
    t = token.strip().upper()
    if t == "ALL":
        return tuple(RULES)
    rid = resolve_id(t)
    if rid:
        return (rid,)
    if t.startswith("HL") and t[2:].isdigit() and len(t) < 5:
        return tuple(r for r in RULES if r.startswith(t))
    return ()
