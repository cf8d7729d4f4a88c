"""Numba's on-disk cache of the kernel, kept in step with every file of the kernel.

Numba checks a cached function against its own source file only, not against the files of
the compiled functions it calls, whose machine code the cache holds too (numba pull requests
8396 and 9563 to change that were not merged). After an edit of, say, ``contracts.py``, the
cached month loop of ``loop.py`` would still run the old step. So the kernel's files are
hashed together; when the hash differs from the one written next to the cache, every
function's cache is emptied and each is compiled anew (40-70 s) on its first call.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

#: The file, next to numba's cache files, that holds the hash the cache was made with.
STAMP = "simlib-kernel-sources.sha256"


def sources_digest(folder: Path) -> str:
    """SHA-256 over the names and contents of the ``*.py`` files of ``folder``."""
    h = hashlib.sha256()
    for path in sorted(Path(folder).glob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def keep_fresh(dispatchers: Iterable, folder: Path) -> bool:
    """Empty the on-disk cache of every numba dispatcher of ``dispatchers`` if the sources
    of ``folder`` changed since the cache was written; return whether it did.

    A dispatcher without an on-disk cache (``cache=False``, or numba's JIT switched off) is
    left alone. A cache folder that cannot be written is left as it is (numba then compiles
    without saving, as it does itself).
    """
    caches = [c for c in (getattr(d, "_cache", None) for d in dispatchers)
              if getattr(c, "cache_path", None)]
    if not caches:
        return False
    digest = sources_digest(folder)
    stamps = {Path(c.cache_path) / STAMP for c in caches}
    if all(_read(s) == digest for s in stamps):
        return False
    try:
        for stamp in stamps:
            stamp.parent.mkdir(parents=True, exist_ok=True)
        for cache in caches:
            cache.flush()
        for stamp in stamps:
            stamp.write_text(digest + "\n", encoding="ascii")
    except OSError:
        pass
    return True


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="ascii").strip()
    except OSError:
        return None
