"""Why a registry lookup failed; messages are safe to print (no credentials, no tokens)."""


class RegistryError(Exception):
    """A lookup failed."""


class NotFound(RegistryError):
    """The registry has no such repository, tag or digest."""
