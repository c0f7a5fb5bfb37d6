"""Extraction: turn each file of a package into a :class:`~shenbao.model.Document`.

``extract_file`` reads one file or zip member (never raises); ``extract_all`` reads many, in
worker processes when ``jobs > 1`` (small files in batches; a worker that crashes or hangs in
native code costs only the file it was reading), through an optional content-addressed
:class:`~shenbao.extract.cache.Cache`.
The readers themselves are plugins (``shenbao_extract``); the built-in ones live in
:mod:`shenbao.extract.plugin`.
"""
from __future__ import annotations

import contextlib
import copy
import errno
import functools
import hashlib
import signal
import threading
import time
import warnings
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Optional, Union

# pyHanko (PDF signatures) brings lxml, and openpyxl switches its XML parser to lxml when it is
# installed; keep openpyxl on defusedxml, as before (XML entity expansion is refused, bad-input
# corpus), unless the user chose otherwise. Must run before openpyxl is first imported.
import os as _os

_os.environ.setdefault("OPENPYXL_LXML", "False")

from ..model import Document  # noqa: E402
from . import archive, ocr  # noqa: E402
from .cache import Cache
from .sniff import sniff

Source = Union[Path, "archive.Member"]  # a file, or a member of a zip in the package

EXTRACTOR_VERSION = "11"  # 11: a scribble read as Latin letters glued to its signature label is ink, not print; 9: a picture with a document's text is no stamp alone; 10: solid red emblems are no seals; 2: ruled tables of text-layer pages (Page.tables); 3: seals, signatures, QR;
# 4: rectangular stamps by their border, seals on red tables, grey 骑缝章, QR retries, unread codes;
# 5: seal labels, 骑缝章 at a photographed sheet's edge, no signature fields inside stamps;
# 6: OFD documents, seals and signatures of typed PDFs (CPA seals, 监制章, seal pictures), PDF
# digital signatures, OCR orientation probes, "unsigned" tempered by faint ink; 7: grey pen and pencil
# signatures, the rim of a grey seal on a table from its box; 8: a PDF page measured by its own size
EXTRACTOR = f"shenbao-extract/{EXTRACTOR_VERSION}"
_TIMEOUT_EN = "timed out"

__all__ = ["ExtractSettings", "extract_file", "extract_all", "Cache", "sniff", "EXTRACTOR_VERSION"]


@dataclass(frozen=True)
class ExtractSettings:
    """How to extract. Everything that changes the result is part of :meth:`cache_key`."""

    ocr_engine: str = "rapidocr"
    ocr: bool = True
    dpi: int = 200  # render resolution for OCR
    # long side (px) of the image the OCR text detector sees; 0 = the engine's own size. 1280:
    # about 40 % of a cold run's time saved for ~1 % of characters (docs: bench/speed.py)
    ocr_det_side: int = 1280
    max_pages: int = 2000
    max_image_pixels: int = 80_000_000
    timeout_seconds: float = 120  # per step: opening a file, reading or OCR-ing one page (page_done)
    visual: bool = True  # seals, signature fields and QR codes (linter/vision)
    # Whole-run time budget: wall-clock time (``time.time()``) after which no further page is read
    # (pages left get ``Page.note`` and ``Document.unread_pages``); 0 = none. Not part of the key:
    # a document cut short is never cached (:func:`cacheable`).
    deadline: float = 0.0
    # Pages ``[start, stop)`` (0-based) of a PDF: a part of a long PDF read by one of several
    # workers (see :func:`_split_pdfs`). Never set by users; parts are merged before caching.
    page_slice: Optional[tuple[int, int]] = None

    def cache_key(self) -> str:
        """Return a string naming every setting that changes extraction output (not the time
        limits), plus the versions of the reading libraries (so upgrading RapidOCR invalidates the cache)."""
        d = asdict(self)
        d.pop("timeout_seconds")
        d.pop("deadline")
        d.pop("page_slice")
        if not self.ocr:
            d.pop("ocr_engine")
            d.pop("dpi")
            d.pop("ocr_det_side")
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


_alarm = {"depth": 0, "seconds": 0}


@contextlib.contextmanager
def _time_limit(seconds: float):
    """Raise ``_Timeout`` in the block after ``seconds`` (SIGALRM; main thread on Unix only).
    Nested limits keep the outer one (a zip member is read under its own single limit)."""
    usable = (seconds and seconds > 0 and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread() and _alarm["depth"] == 0)
    if not usable:
        yield
        return

    def handler(signum, frame):
        raise _Timeout()

    old = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    _alarm["depth"] += 1
    _alarm["seconds"] = seconds
    try:
        yield
    finally:
        _alarm["depth"] -= 1
        _alarm["seconds"] = 0
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def page_done() -> None:
    """Called by readers after each page: the time limit starts again for the next page.

    So ``timeout_seconds`` bounds every step (opening a file, reading or OCR-ing one page), not a
    whole document: a 150-page scanned PDF at ~2 s a page is read in full, while one page that
    never finishes is still stopped. The page limit (``max_pages``) bounds the total.
    """
    if _alarm["depth"] > 0 and _alarm.get("seconds"):
        signal.setitimer(signal.ITIMER_REAL, _alarm["seconds"])


def _failed(kind: str, fmt: str, zh: str, en: str) -> Document:
    return Document(path="", kind=kind, format=fmt, error=zh, error_en=en)


def _os_failure(exc: OSError, fmt: str) -> Document:
    """Return the ``unreadable`` Document for an error opening or reading the file itself."""
    if exc.errno in (errno.EACCES, errno.EPERM):
        return _failed("unreadable", fmt, "没有读取权限，未读取（请检查文件权限）", "permission denied, not read")
    if exc.errno == errno.ENOENT:
        return _failed("unreadable", fmt, "文件在检查过程中消失了", "the file disappeared during the check")
    return _failed("unreadable", fmt, f"无法读取文件（{exc.strerror or type(exc).__name__}）",
                   f"cannot read the file: {exc.strerror or type(exc).__name__}")


def _clean(text: Optional[str], abs_path, rel_path: str) -> Optional[str]:
    """Return a reason fit for the report: the absolute (or temporary) path a library put into its
    message replaced by the package-relative one, and undecodable name bytes shown as \\xNN."""
    if not text:
        return text
    for p in {str(abs_path), repr(str(abs_path))[1:-1]}:
        if p and p in text:
            text = text.replace(p, rel_path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text[:2000]


def extract_file(abs_path: Source, rel_path: str, settings: ExtractSettings, pm, sha256: Optional[str] = None) -> Document:
    """Return the Document for one file; never raises.

    Sniffs the format from the bytes, asks ``pm.hook.shenbao_extract`` for the Document and fills
    ``path``/``sha256``/``size``/``format``/``extractor``/``seconds``. Failures of any kind (and
    running over ``settings.timeout_seconds``) become ``kind="unreadable"`` with a Chinese
    ``error`` and an English ``error_en``. ``sha256`` may be passed when already known.

    ``abs_path`` may be an :class:`~shenbao.extract.archive.Member` (a file inside a zip of the
    package): it is copied into a private temporary directory, read there, and the directory is
    removed before this returns.
    """
    if isinstance(abs_path, archive.Member):
        return _extract_member(abs_path, rel_path, settings, pm, sha256)
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
            with _time_limit(settings.timeout_seconds), warnings.catch_warnings():
                warnings.simplefilter("ignore")  # libraries' complaints about a bad file are not for stderr
                doc = pm.hook.shenbao_extract(path=abs_path, fmt=fmt, settings=settings)
            if doc is None:
                from .plugin import unsupported

                doc = unsupported(fmt)
    except _Timeout:
        doc = _failed("unreadable", fmt, f"读取超时（打开文件或读取一页超过 {settings.timeout_seconds:g} 秒），文件可能过大或异常",
                      f"{_TIMEOUT_EN}: one step (opening, or one page) took over {settings.timeout_seconds:g} s (file too large or malformed)")
    except MemoryError:
        doc = _failed("unreadable", fmt, "读取时内存不足，文件可能过大或异常", "out of memory while reading (file too large or malformed)")
    except RecursionError:
        doc = _failed("unreadable", fmt, "文件结构嵌套过深，无法读取（文件可能异常）", "nesting too deep to read (malformed file)")
    except OSError as e:
        if e.filename is not None and str(e.filename) == str(abs_path):  # the file itself, not a library's error
            doc = _os_failure(e, fmt)
        else:
            doc = _failed("unreadable", fmt, f"读取失败（{type(e).__name__}: {e}）", f"could not be read: {type(e).__name__}: {e}")
    except Exception as e:  # noqa: BLE001 - a bad file must never stop the run
        doc = _failed("unreadable", fmt, f"读取失败（{type(e).__name__}: {e}）", f"could not be read: {type(e).__name__}: {e}")
    if not isinstance(doc, Document):  # a plugin returned something else
        doc = _failed("unreadable", fmt, f"读取插件返回了无效结果（{type(doc).__name__}）",
                      f"the extractor plugin returned {type(doc).__name__}, not a Document")
    doc.path = rel_path
    doc.sha256 = sha256 or ""
    doc.size = size
    doc.format = doc.format or fmt
    doc.extractor = doc.extractor or EXTRACTOR
    doc.error = _clean(doc.error, abs_path, rel_path)
    doc.error_en = _clean(doc.error_en, abs_path, rel_path)
    doc.seconds = round(time.perf_counter() - t0, 3)
    return doc


def _extract_member(member: "archive.Member", rel_path: str, settings: ExtractSettings, pm,
                    sha256: Optional[str]) -> Document:
    """Read a zip member through a private temporary copy (see :func:`extract_file`)."""
    t0 = time.perf_counter()
    try:
        with archive.private_dir() as tmp:  # removed after the time limit is off: cleanup is never cut short
            with _time_limit(settings.timeout_seconds):
                doc = extract_file(archive.copy_to(member, tmp), rel_path, settings, pm, sha256=sha256)
    except archive.ArchiveError as e:
        doc = _failed("unreadable", "", e.zh, e.en)
    except _Timeout:
        doc = _failed("unreadable", "", f"读取超时（打开文件或读取一页超过 {settings.timeout_seconds:g} 秒），文件可能过大或异常",
                      f"{_TIMEOUT_EN}: one step (opening, or one page) took over {settings.timeout_seconds:g} s (file too large or malformed)")
    except OSError as e:  # the temporary directory could not be made
        doc = _failed("unreadable", "", f"无法解压到临时目录（{e.strerror}）", f"cannot unpack into a temporary folder: {e.strerror}")
    except Exception as e:  # noqa: BLE001
        doc = _failed("unreadable", "", f"读取失败（{type(e).__name__}: {e}）", f"could not be read: {type(e).__name__}: {e}")
    doc.path = rel_path
    doc.size = doc.size or member.size
    doc.extractor = doc.extractor or EXTRACTOR
    doc.seconds = round(time.perf_counter() - t0, 3)
    return doc


def source_sha256(src: Source) -> str:
    """Return the sha256 of a file's or archive member's bytes."""
    if isinstance(src, archive.Member):
        return archive.member_sha256(src)
    return file_sha256(src)


_CRASH_EN = "the reading process crashed"
HANG_GRACE = 60.0  # seconds past its time limits after which a worker is taken for hung (native code) and killed
SMALL_FILE = 256 << 10  # files under this size go to worker processes in batches
BATCH = 32  # small files per batch: a folder of 10 000 tiny files costs ~300 round trips, not 10 000


CHEAP_SECONDS = 0.02  # results cheaper than this to recompute are not worth a cache entry


def cacheable(doc: Document) -> bool:
    """Return True when ``doc`` is a deterministic result worth caching: not a timeout, not a
    crash, not cut short by the time budget, and not a format that is only sniffed (a text file,
    a .docx: recomputing is cheaper than writing an entry, which matters for a folder of 10 000
    small files)."""
    if not doc.sha256:
        return False
    if doc.unread_pages:  # cut short by the time budget: not the complete result
        return False
    if doc.kind == "unreadable" and (doc.error_en or "").startswith((_TIMEOUT_EN, _CRASH_EN)):
        return False
    return doc.readable or doc.seconds >= CHEAP_SECONDS


def _crashed(rel: str, sha: Optional[str], exc: BaseException) -> Document:
    doc = _failed("unreadable", "", "读取时处理进程异常退出（文件可能异常或过大），未能读取",
                  f"{_CRASH_EN} while reading this file (malformed or too large): {type(exc).__name__}")
    doc.path, doc.sha256, doc.extractor = rel, sha or "", EXTRACTOR
    return doc


# --- worker-process side -------------------------------------------------------------------

_worker: dict = {}


def _worker_init(pm_factory: Callable, threads: int) -> None:
    """Build this worker's plugin manager and set its OCR thread count (runs once per process).

    The worker's stderr goes to /dev/null (unless ``SHENBAO_DEBUG`` is set): C libraries print
    their complaints about malformed files there (libtiff: "More samples per pixel than can be
    decoded"), which is noise for the user; results and errors travel back as Documents."""
    import os

    if not os.environ.get("SHENBAO_DEBUG"):
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 2)
            os.close(devnull)
        except OSError:
            pass
    _worker["pm"] = pm_factory()
    ocr.configure(pm=_worker["pm"], threads=threads)


def _worker_extract(abs_path: Source, rel_path: str, settings: ExtractSettings, sha256: Optional[str]) -> Document:
    return extract_file(abs_path, rel_path, settings, _worker["pm"], sha256=sha256)


def _worker_extract_batch(items: list[tuple[Source, str, Optional[str]]], settings: ExtractSettings) -> list[Document]:
    return [extract_file(src, rel, settings, _worker["pm"], sha256=sha) for src, rel, sha in items]


def _size(src: Source) -> int:
    if isinstance(src, archive.Member):
        return src.size
    try:
        return Path(src).stat().st_size
    except OSError:
        return 0


# Formats whose pages may need OCR and vision: one such file costs seconds whatever its size (a
# 100 KB phone scan is two seconds of OCR), so it never waits in a batch behind 31 others while the
# other worker idles (the cold-run profile lost 10-28 s of 80 that way).
PAGE_IMAGE_FORMATS = {"pdf", "ofd", "jpeg", "png", "tiff", "bmp", "webp", "gif", "heic"}
TINY_FILE = 16 << 10  # under this even a scan is too small to cost much (an icon, a blank page)


def _format(src: Source) -> str:
    if isinstance(src, archive.Member):
        ext = src.suffix.lstrip(".")
        return {"jpg": "jpeg", "tif": "tiff"}.get(ext, ext)
    try:
        return sniff(Path(src))[0]
    except OSError:
        return ""


def _batches(todo: list[tuple[int, Source, str, Optional[str]]]) -> list[list[tuple[int, Source, str, Optional[str]]]]:
    """Group cheap files (small, and not a format with pages to OCR) into batches of up to
    ``BATCH``; every other file goes alone, the largest first (they take longest, and the workers
    then finish together)."""
    def alone(t) -> bool:
        size = _size(t[1])
        return isinstance(t[0], _Part) or size >= SMALL_FILE or (size >= TINY_FILE and _format(t[1]) in PAGE_IMAGE_FORMATS)

    def cost(t) -> float:  # bytes to read: a part of a PDF costs its share of the file
        key = t[0]
        return _size(t[1]) * ((key.stop - key.start) / key.pages if isinstance(key, _Part) else 1.0)

    singles = sorted((t for t in todo if alone(t)), key=lambda t: -cost(t))
    cheap = [t for t in todo if not alone(t)]
    return [[t] for t in singles] + [cheap[k:k + BATCH] for k in range(0, len(cheap), BATCH)]


def extract_all(
    files: list[tuple[Source, str]],
    settings: ExtractSettings,
    jobs: int = 1,
    cache: Optional[Cache] = None,
    progress: Optional[Callable[[int, int, str], None]] = None,
    *,
    pm_factory: Callable,
    ocr_threads: int = 2,
) -> list[Document]:
    """Return one Document per ``(source, rel_path)`` in ``files``, in input order.

    A source is a path or an :class:`~shenbao.extract.archive.Member`. Cached results are reused
    (their ``path`` set to ``rel_path``); files with the same bytes are read once, the others get a
    copy under their own path. The rest are extracted in-process when ``jobs <= 1``
    (``ocr_threads`` onnxruntime threads, 2 by default) or in ``jobs`` worker processes (1 thread each), each building its
    plugin manager with ``pm_factory()`` (a top-level, picklable callable); small files travel in
    batches. A worker that dies (a crash in native code, killed for memory) costs only the file
    it was reading: the files in flight are retried one by one in a fresh process, and the one
    that kills it again is reported unreadable. ``progress(done, total, rel_path)`` is called in
    this process after each file. Serial and parallel runs give equal Documents (apart from
    ``seconds``).
    """
    total = len(files)
    out: list[Optional[Document]] = [None] * total
    todo: list[tuple[int, Source, str, Optional[str]]] = []
    # files with the same bytes as one read earlier in this run: {index read: [(index, rel_path)]}.
    # A package often holds one scan twice (申报书 and its 附件; four copies of a package in a
    # batch); it is read once and the other paths get a copy.
    copies: dict[int, list[tuple[int, str]]] = {}
    first_of: dict[str, int] = {}
    hits: list[tuple[int, Document]] = []
    done = 0
    for i, (src, rel) in enumerate(files):
        try:
            sha = source_sha256(src)
        except (OSError, archive.ArchiveError):
            sha = None  # extract_file reports the file as unreadable
        if sha is not None and sha in first_of:
            copies.setdefault(first_of[sha], []).append((i, rel))
            continue
        if sha is not None:
            first_of[sha] = i
        if cache is not None:
            hit = cache.get(sha, settings) if sha else None
            if hit is not None:
                hit.path = rel
                hits.append((i, hit))
                continue
        todo.append((i, src if isinstance(src, archive.Member) else Path(src), rel, sha))

    def finish(i: int, doc: Document, store: bool = True) -> None:
        nonlocal done
        out[i] = doc
        if store and cache is not None and cacheable(doc):
            cache.put(doc, settings)
        done += 1
        if progress:
            progress(done, total, doc.path)
        for j, rel in copies.pop(i, ()):
            twin = copy.deepcopy(doc)
            twin.path = rel
            if doc.error:  # a reason that names the file names this one
                twin.error, twin.error_en = (e.replace(doc.path, rel) if e else e for e in (doc.error, doc.error_en))
            finish(j, twin, store=False)

    for i, hit in hits:
        finish(i, hit, store=False)
    items = _split_pdfs(todo, settings, jobs) if jobs > 1 else todo
    if not todo:
        pass
    elif jobs <= 1 or len(items) == 1:
        pm = pm_factory()
        ocr.configure(pm=pm, threads=ocr_threads)
        for i, p, rel, sha in todo:
            finish(i, extract_file(p, rel, settings, pm, sha256=sha))
    else:
        read_parts: dict[int, dict[int, Document]] = {}

        def finish_item(key, doc: Document) -> None:
            if not isinstance(key, _Part):
                finish(key, doc)
                return
            got = read_parts.setdefault(key.index, {})
            got[key.k] = doc
            if len(got) == key.n:
                finish(key.index, _merge_parts([got[k] for k in range(key.n)]))
                del read_parts[key.index]

        _extract_parallel(_batches(items), settings, jobs, pm_factory, finish_item)
    return out  # type: ignore[return-value]


@dataclass(frozen=True)
class _Part:
    """Pages ``[start, stop)`` of the PDF at input position ``index``: part ``k`` of ``n``."""

    index: int
    k: int
    n: int
    start: int
    stop: int
    pages: int  # the file's pages read in all (the part's share of the file's cost)


SPLIT_MIN_PAGES = 6  # a PDF with fewer pages is read by one worker
PART_MIN_PAGES = 3  # no part smaller than this: each part opens the file again


def _split_pdfs(todo, settings: ExtractSettings, jobs: int) -> list:
    """``todo`` with each long PDF replaced by parts of its pages, so that the workers share a bound
    volume (one 60-page PDF kept one worker busy while the other idled). Parts are read with
    ``settings.page_slice`` and merged in page order before anything sees or caches them."""
    import pypdfium2 as pdfium

    out = []
    for t in todo:
        i, src, rel, sha = t
        n = 0
        if isinstance(src, Path) and _size(src) >= SMALL_FILE and _format(src) == "pdf":
            try:
                pdf = pdfium.PdfDocument(str(src))
                try:
                    n = min(len(pdf), settings.max_pages)
                finally:
                    pdf.close()
            except Exception:  # noqa: BLE001 - encrypted or broken: read whole, reported as such
                n = 0
        if n < SPLIT_MIN_PAGES:
            out.append(t)
            continue
        k = min(2 * jobs, n // PART_MIN_PAGES)
        bounds = [round(j * n / k) for j in range(k + 1)]
        out.extend((_Part(i, j, k, bounds[j], bounds[j + 1], n), src, rel, sha) for j in range(k))
    return out


def _merge_parts(parts: list[Document]) -> Document:
    """One Document from the parts of a PDF, in page order; a part that could not be read (a page
    that timed out, a crash) makes the file unreadable, as it would be read whole."""
    bad = next((d for d in parts if d.kind == "unreadable"), None)
    if bad is not None:
        return bad
    doc = parts[0]  # holds the file-wide results (signatures, truncation, notes)
    for d in parts[1:]:
        doc.pages.extend(d.pages)
        doc.unread_pages.extend(d.unread_pages)
        doc.seconds = round(doc.seconds + d.seconds, 3)
    return doc


def _settings_for(key, settings: ExtractSettings) -> ExtractSettings:
    """The settings to read ``key`` (an input index, or a :class:`_Part` of a PDF) with."""
    if isinstance(key, _Part):
        import dataclasses

        return dataclasses.replace(settings, page_slice=(key.start, key.stop))
    return settings


def _extract_parallel(batches, settings: ExtractSettings, jobs: int, pm_factory: Callable, finish) -> None:
    """Run ``batches`` in a pool of ``jobs`` spawned workers, at most two batches per worker in
    flight, so that when a worker dies the suspects are few; they are then retried alone."""
    import multiprocessing
    from collections import deque

    ctx = multiprocessing.get_context("spawn")  # no fork: the parent may hold onnxruntime threads
    workers = min(jobs, len(batches))

    def pool(n: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=n, mp_context=ctx, initializer=_worker_init, initargs=(pm_factory, 1))

    def submit(ex: ProcessPoolExecutor, batch):
        # a PDF's part travels alone (see _batches), with its pages in its settings
        return ex.submit(_worker_extract_batch, [(src, rel, sha) for _, src, rel, sha in batch],
                         _settings_for(batch[0][0], settings))

    pending = deque(batches)
    suspects: list = []
    ex = pool(workers)
    try:
        running: dict = {}
        started: dict = {}
        while pending or running:
            while pending and len(running) < 2 * workers:
                b = pending.popleft()
                fut = submit(ex, b)
                running[fut], started[fut] = b, time.monotonic()
            finished, _ = wait(running, timeout=_POLL, return_when=FIRST_COMPLETED)
            if not finished:  # the SIGALRM limit cannot stop native code that never returns
                now = time.monotonic()
                if any(now - started[f] > _hang_limit(settings, b) for f, b in running.items()):
                    _kill_workers(ex)  # the running batches fail with BrokenProcessPool below
                continue
            broken = False
            for fut in finished:
                b = running.pop(fut)
                try:
                    docs = fut.result()
                except BrokenProcessPool:
                    broken = True
                    suspects.append(b)
                    continue
                except Exception as e:  # noqa: BLE001 - e.g. a result that would not pickle
                    docs = [_crashed(rel, sha, e) for _, _, rel, sha in b]
                for (i, _, _, _), doc in zip(b, docs):
                    finish(i, doc)
            if broken:
                suspects.extend(running.values())
                running.clear()
                ex.shutdown(wait=True, cancel_futures=True)
                _retry_alone([t for b in suspects for t in b], settings, pool, finish)
                suspects = []
                ex = pool(workers)
    except BaseException:  # Ctrl-C: do not wait for the files being read
        _kill_workers(ex)
        raise
    finally:
        ex.shutdown(wait=True, cancel_futures=True)


_POLL = 2.0  # seconds between looks for hung workers


def _hang_limit(settings: ExtractSettings, items) -> float:
    """Seconds after which a batch of files is taken for hung: twice its time limits (it may have
    waited in the queue behind another) plus ``HANG_GRACE``; no limit without timeouts. The time
    limit restarts at every page (:func:`page_done`), so a large file counts as one unit per
    ``HANG_BYTES`` (a scanned page is 100-500 KB)."""
    t = settings.timeout_seconds or 0
    return 2 * t * _units(items) + HANG_GRACE if t > 0 else float("inf")


HANG_BYTES = 1 << 20


def _units(items) -> float:
    """One unit per file, more for large files (see :func:`_hang_limit`)."""
    total = 0.0
    for it in items:
        src = it[1]
        try:
            size = src.size if isinstance(src, archive.Member) else Path(src).stat().st_size
        except (OSError, AttributeError):
            size = 0
        total += max(1.0, size / HANG_BYTES)
    return total


def _kill_workers(ex: ProcessPoolExecutor) -> None:
    for proc in list((getattr(ex, "_processes", None) or {}).values()):
        try:
            proc.kill()
        except (OSError, AttributeError):
            pass


def _retry_alone(items, settings: ExtractSettings, pool, finish) -> None:
    """Extract each item alone in a one-worker pool (a new one after each crash or hang)."""
    from concurrent.futures import TimeoutError as FutureTimeout

    ex = None
    try:
        for i, src, rel, sha in items:
            if ex is None:
                ex = pool(1)
            fut = ex.submit(_worker_extract, src, rel, _settings_for(i, settings), sha)
            limit = _hang_limit(settings, [(i, src, rel, sha)])
            try:
                doc = fut.result(timeout=None if limit == float("inf") else limit)
            except FutureTimeout:
                _kill_workers(ex)
                doc = _failed("unreadable", "", f"读取超时（超过 {settings.timeout_seconds:g} 秒仍未结束，已终止），文件可能异常",
                              f"{_TIMEOUT_EN}: still running {limit:g} s later, stopped (malformed file)")
                doc.path, doc.sha256, doc.extractor = rel, sha or "", EXTRACTOR
                ex.shutdown(wait=True)
                ex = None
            except BrokenProcessPool as e:
                doc = _crashed(rel, sha, e)
                ex.shutdown(wait=True)
                ex = None
            except Exception as e:  # noqa: BLE001
                doc = _crashed(rel, sha, e)
            finish(i, doc)
    finally:
        if ex is not None:
            ex.shutdown(wait=True)
