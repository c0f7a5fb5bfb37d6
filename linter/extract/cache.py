"""On-disk cache of extraction results, keyed by file content (not name) and settings.

One gzipped JSON file per entry, ``<dir>/<k[:2]>/<k>.json.gz`` where ``k`` is the sha256 of
(file sha256, extractor version, ``settings.cache_key()``). Writes are atomic (temp file +
``os.replace``); unreadable or corrupt entries are treated as misses.
"""
from __future__ import annotations

import functools
import gzip
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Optional

from ..model import Document


@functools.lru_cache(maxsize=8)
def _settings_key(settings) -> str:
    """``settings.cache_key()``, computed once per settings (it is asked twice per file)."""
    return settings.cache_key()


def default_dir() -> Path:
    """Return the per-user cache directory (``platformdirs.user_cache_dir("shenbao")``)."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("shenbao")) / "extract"


class Cache:
    """``get(sha256, settings) -> Document | None`` and ``put(doc, settings)``."""

    def __init__(self, dir: Optional[Path] = None):
        self.dir = Path(dir) if dir is not None else default_dir()

    def key(self, sha256: str, settings) -> str:
        """Return the entry key for a file's content hash under ``settings``."""
        from . import EXTRACTOR_VERSION

        return hashlib.sha256(f"{sha256}|{EXTRACTOR_VERSION}|{_settings_key(settings)}".encode()).hexdigest()

    def _path(self, key: str) -> Path:
        return self.dir / key[:2] / f"{key}.json.gz"

    def get(self, sha256: str, settings) -> Optional[Document]:
        """Return the cached Document for this content (its ``path`` is the one first cached;
        callers set their own), or ``None`` on a miss or a corrupt entry."""
        p = self._path(self.key(sha256, settings))
        try:
            with gzip.open(p, "rt", encoding="utf-8") as f:
                doc = Document.from_dict(json.load(f))
        except (OSError, EOFError, ValueError, TypeError, KeyError, AttributeError):
            return None
        return doc if doc.sha256 == sha256 else None

    def put(self, doc: Document, settings) -> None:
        """Store ``doc`` (keyed by ``doc.sha256``); failures to write are ignored."""
        if not doc.sha256:
            return
        p = self._path(self.key(doc.sha256, settings))
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=".tmp-", suffix=".json.gz")
            try:
                with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
                    gz.write(json.dumps(doc.to_dict(), ensure_ascii=False).encode("utf-8"))
                os.replace(tmp, p)
            except BaseException:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
                raise
        except OSError:
            pass
