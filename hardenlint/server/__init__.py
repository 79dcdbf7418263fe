"""`hardenlint server`: a language server (LSP over stdio) for editors.

It needs the optional `lsp` extra (pygls 2.x and lsprotocol); nothing else in hardenlint imports
this package, so the core install and its start-up do not pay for it.
"""
from __future__ import annotations

import sys

MISSING = "hardenlint server needs the lsp extra: pip install 'hardenlint[lsp]'"


def main() -> int:
    """Serve LSP on stdin/stdout until the client sends `exit`; 2 when the extra is missing."""
    try:
        import lsprotocol.types  # noqa: F401
        from pygls.lsp.server import LanguageServer  # noqa: F401  (pygls 2.x)
    except ImportError:
        print(f"hardenlint: {MISSING}", file=sys.stderr)
        return 2
    from .app import serve

    return serve()
