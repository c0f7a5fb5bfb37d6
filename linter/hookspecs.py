"""Hook specifications for shenbao-lint plugins.

A plugin is any module or object with functions named like the hooks below, decorated with
``shenbao.hookimpl``. Installed plugins are found through the ``shenbao`` entry-point group::

    [project.entry-points.shenbao]
    my-plugin = "my_package.shenbao_plugin"

The built-in checks, extractors, reporters and program packs register through this same group, so
a third-party plugin has exactly the power the built-ins have. Every hook is optional.
"""
from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("shenbao")


@hookspec
def shenbao_add_programs():
    """Return program packs this plugin provides.

    Called once when the plugin manager is set up, before any command runs.

    :return: a list whose items are paths (``str`` or ``pathlib.Path``) to program YAML files, or
        already-loaded pack dicts. Each pack is validated against ``schemas/program.schema.json``
        after its ``extends:`` chain is resolved. Program ids must be unique across plugins.
    """


@hookspec
def shenbao_add_checks():
    """Return check classes this plugin provides.

    Called once when the plugin manager is set up.

    :return: a list of subclasses of :class:`shenbao.check.Check`. Each has a stable ``rule`` id;
        two plugins may not provide the same rule id.
    """


@hookspec
def shenbao_add_materials():
    """Return material kinds: what a kind of document looks like, for the classifier.

    Called once when the plugin manager is set up. A program's materials refer to these kinds
    (``kind: business_license``) and may add their own title patterns on top.

    :return: a list of dicts ``{"kind": str, "title": str, "titles": [regex...],
        "keywords": [str...], "filenames": [regex...], "facts": [reader...]}`` as in
        ``plugins/kinds/kinds.yaml``, checked against ``schemas/kinds.schema.json`` (a bad entry is
        an error naming the plugin). ``facts`` names the fact readers run on the pages of a
        material of the kind (``shenbao.facts.collect.FACT_READERS``); an entry for a kind that
        exists adds its patterns and readers to it.
    """


@hookspec(firstresult=True)
def shenbao_extract(path, fmt, settings):
    """Read one file into a :class:`shenbao.model.Document`.

    Called once per file in a worker process (results are cached by content hash), with the
    format sniffed from the file's bytes (``"pdf"``, ``"png"``, ``"jpeg"``, ``"xlsx"``, ``"docx"``
    ...). Implementations that do not handle ``fmt`` return ``None``; the first non-``None`` result
    is used (``firstresult``), so a plugin can take over a format with ``tryfirst=True``.

    :param path: absolute :class:`pathlib.Path` of the file (open it read-only).
    :param fmt: the sniffed format name.
    :param settings: :class:`shenbao.extract.ExtractSettings` (OCR engine, limits).
    :return: a :class:`~shenbao.model.Document` (paths are set by the caller) or ``None``.
    """


@hookspec
def shenbao_add_ocr_engines():
    """Return OCR engines this plugin provides.

    Called when an OCR engine is first needed in a process.

    :return: a dict ``{name: factory}``; ``factory()`` returns an object with
        ``recognize(image: numpy.ndarray RGB) -> list[shenbao.model.Line]`` whose boxes are in
        pixels of that image, and a ``version`` string (part of the cache key). ``--ocr NAME``
        selects one; the default is ``rapidocr``.
    """


@hookspec
def shenbao_add_reporters():
    """Return report formats this plugin provides.

    Called when the CLI parses ``--format``.

    :return: a dict ``{format_name: render}`` where ``render(report: dict, lang: str) -> str``
        turns the JSON report (see ``schemas/report.schema.json``) into the output text.
    """
