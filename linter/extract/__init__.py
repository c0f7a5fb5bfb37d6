"""Extraction: turn each file of a package into a :class:`~shenbao.model.Document`.

``extract_file`` reads one file (never raises); ``extract_all`` reads many, in worker processes
when ``jobs > 1``, through an optional content-addressed :class:`~shenbao.extract.cache.Cache`.
The readers themselves are plugins (``shenbao_extract``); the built-in ones live in
:mod:`shenbao.extract.plugin`.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Optional

from ..model import Document
from . import ocr
from .cache import Cache
from .sniff import sniff

EXTRACTOR_VERSION = "2"  # 2: ruled tables of text-layer pages (Page.tables)
EXTRACTOR = f"shenbao-extract/{EXTRACTOR_VERSION}"
_TIMEOUT_EN = "timed out"

__all__ = ["ExtractSettings", "extract_file", "extract_all", "Cache", "sniff", "EXTRACTOR_VERSION"]


@dataclass(frozen=True)
class ExtractSettings:
    """How to extract. Everything that changes the result is part of :meth:`cache_key`."""

    ocr_engine: str = "rapidocr"
    ocr: bool = True
    dpi: int = 200  # render resolution for OCR
    max_pages: int = 2000
    max_image_pixels: int = 80_000_000
    timeout_seconds: float = 300  # per file

    def cache_key(self) -> str:
        """Return a string naming every setting that changes extraction output (not the timeout),
        plus the versions of the reading libraries (so upgrading RapidOCR invalidates the cache)."""
        d = asdict(self)
        d.pop("timeout_seconds")
        if not self.ocr:
            d.pop("ocr_engine")
            d.pop("dpi")
        return ";".join(f"{k}={d[k]}" for k in sorted(d)) + ";" + _library_versions()


@functools.lru_cache(maxsize=1)
def _library_versions() -> str:
    """Return ``name=version`` of the libraries whose output ends up in a Document."""
    from importlib import metadata

    out = []
    for dist in ("pypdfium2", "pillow", "openpyxl", "rapidocr", "onnxruntime", "pytesseract"):
        try:
            out.append(f"{dist}={metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            out.append(f"{dist}=-")
    return ",".join(out)


def file_sha256(path: Path) -> str:
    """Return the hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class _Timeout(BaseException):
    """Raised by the SIGALRM handler; a BaseException so readers' ``except Exception`` let it pass."""


@contextlib.contextmanager
def _time_limit(seconds: float):
    """Raise ``_Timeout`` in the block after ``seconds`` (SIGALRM; main thread on Unix only)."""
    usable = seconds and seconds > 0 and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def handler(signum, frame):
        raise _Timeout()

    old = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _failed(kind: str, fmt: str, zh: str, en: str) -> Document:
    return Document(path="", kind=kind, format=fmt, error=zh, error_en=en)


def extract_file(abs_path: Path, rel_path: str, settings: ExtractSettings, pm, sha256: Optional[str] = None) -> Document:
    """Return the Document for one file; never raises.

    Sniffs the format from the bytes, asks ``pm.hook.shenbao_extract`` for the Document and fills
    ``path``/``sha256``/``size``/``format``/``extractor``/``seconds``. Failures of any kind (and
    running over ``settings.timeout_seconds``) become ``kind="unreadable"`` with a Chinese
    ``error`` and an English ``error_en``. ``sha256`` may be passed when already known.
    """
    t0 = time.perf_counter()
    abs_path = Path(abs_path)
    fmt, size = "", 0
    try:
        size = abs_path.stat().st_size
        sha256 = sha256 or file_sha256(abs_path)
        fmt, _note = sniff(abs_path)
        if fmt == "empty":
            doc = _failed("unreadable", "empty", "文件为空（0 字节）", "file is empty (0 bytes)")
        else:
            ocr.configure(pm=pm)
            with _time_limit(settings.timeout_seconds):
                doc = pm.hook.shenbao_extract(path=abs_path, fmt=fmt, settings=settings)
            if doc is None:
                from .plugin import unsupported

                doc = unsupported(fmt)
    except _Timeout:
        doc = _failed("unreadable", fmt, f"读取超时（超过 {settings.timeout_seconds:g} 秒），文件可能过大或异常",
                      f"{_TIMEOUT_EN} after {settings.timeout_seconds:g} s (file too large or malformed)")
    except MemoryError:
        doc = _failed("unreadable", fmt, "读取时内存不足，文件可能过大或异常", "out of memory while reading (file too large or malformed)")
    except Exception as e:  # noqa: BLE001 - a bad file must never stop the run
        doc = _failed("unreadable", fmt, f"读取失败（{type(e).__name__}: {e}）", f"could not be read: {type(e).__name__}: {e}")
    doc.path = rel_path
    doc.sha256 = sha256 or ""
    doc.size = size
    doc.format = doc.format or fmt
    doc.extractor = doc.extractor or EXTRACTOR
    doc.seconds = round(time.perf_counter() - t0, 3)
    return doc


def cacheable(doc: Document) -> bool:
    """Return True when ``doc`` is a deterministic result worth caching (not a timeout)."""
    return bool(doc.sha256) and not (doc.kind == "unreadable" and (doc.error_en or "").startswith(_TIMEOUT_EN))


# --- worker-process side -------------------------------------------------------------------

_worker: dict = {}


def _worker_init(pm_factory: Callable, threads: int) -> None:
    """Build this worker's plugin manager and set its OCR thread count (runs once per process)."""
    _worker["pm"] = pm_factory()
    ocr.configure(pm=_worker["pm"], threads=threads)


def _worker_extract(abs_path: Path, rel_path: str, settings: ExtractSettings, sha256: Optional[str]) -> Document:
    return extract_file(abs_path, rel_path, settings, _worker["pm"], sha256=sha256)


def extract_all(
    files: list[tuple[Path, str]],
    settings: ExtractSettings,
    jobs: int = 1,
    cache: Optional[Cache] = None,
    progress: Optional[Callable[[int, int, str], None]] = None,
    *,
    pm_factory: Callable,
) -> list[Document]:
    """Return one Document per ``(abs_path, rel_path)`` in ``files``, in input order.

    Cached results are reused (their ``path`` set to ``rel_path``). The rest are extracted
    in-process when ``jobs <= 1`` (2 onnxruntime threads) or in ``jobs`` worker processes
    (1 thread each), each building its plugin manager with ``pm_factory()`` (a top-level,
    picklable callable). ``progress(done, total, rel_path)`` is called in this process after
    each file. Serial and parallel runs give equal Documents (apart from ``seconds``).
    """
    total = len(files)
    out: list[Optional[Document]] = [None] * total
    todo: list[tuple[int, Path, str, Optional[str]]] = []
    done = 0
    for i, (abs_path, rel) in enumerate(files):
        sha = None
        if cache is not None:
            try:
                sha = file_sha256(abs_path)
            except OSError:
                sha = None
            hit = cache.get(sha, settings) if sha else None
            if hit is not None:
                hit.path = rel
                out[i] = hit
                done += 1
                if progress:
                    progress(done, total, rel)
                continue
        todo.append((i, Path(abs_path), rel, sha))

    def finish(i: int, doc: Document) -> None:
        nonlocal done
        out[i] = doc
        if cache is not None and cacheable(doc):
            cache.put(doc, settings)
        done += 1
        if progress:
            progress(done, total, doc.path)

    if not todo:
        pass
    elif jobs <= 1 or len(todo) == 1:
        pm = pm_factory()
        ocr.configure(pm=pm, threads=2)
        for i, p, rel, sha in todo:
            finish(i, extract_file(p, rel, settings, pm, sha256=sha))
    else:
        import multiprocessing

        ctx = multiprocessing.get_context("spawn")  # no fork: the parent may hold onnxruntime threads
        with ProcessPoolExecutor(max_workers=min(jobs, len(todo)), mp_context=ctx,
                                 initializer=_worker_init, initargs=(pm_factory, 1)) as ex:
            futs = {ex.submit(_worker_extract, p, rel, settings, sha): (i, p, rel, sha) for i, p, rel, sha in todo}
            for fut in as_completed(futs):
                i, p, rel, sha = futs[fut]
                try:
                    doc = fut.result()
                except Exception as e:  # a worker died (crash in native code, killed for memory)
                    doc = _failed("unreadable", "", f"读取时处理进程异常退出（{type(e).__name__}），文件可能异常",
                                  f"the worker process failed while reading: {type(e).__name__}: {e}")
                    doc.path, doc.sha256, doc.extractor = rel, sha or "", EXTRACTOR
                finish(i, doc)
    return out  # type: ignore[return-value]
