"""Replacing a file atomically: the one way hardenlint writes a file (fixes, the resolver's cache,
baselines), so a crash or an error never leaves a half-written file."""
from __future__ import annotations

import os
import stat
import tempfile

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional


def replace_file(target: str, data: bytes, like: "Optional[os.stat_result]" = None) -> None:
    """Write `data` to a temp file in `target`'s folder and `os.replace` it onto `target`. With
    `like` (the replaced file's stat), the data is fsynced first and the file keeps that mode and,
    where allowed, that owner. On any error the temp file is removed and `target` is untouched."""
    folder = os.path.dirname(target) or "."
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(target)}.", suffix=".hardenlint-tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            if like is not None:
                f.flush()
                os.fsync(f.fileno())
        if like is not None:
            os.chmod(tmp, stat.S_IMODE(like.st_mode))
            if hasattr(os, "chown"):
                try:
                    os.chown(tmp, like.st_uid, like.st_gid)
                except OSError:
                    pass
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
