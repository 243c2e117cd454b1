"""Sphinx extension of the tpneuro documentation: at every build, before any page is read, it writes the
generated pages (reference pages from the code, results pages from the benchmarks' results files, the
public API summary from ``tpneuro.__all__``) under ``docs/generated/``."""
from __future__ import annotations

import re
from pathlib import Path

import reference_pages
import results_pages
from reference_pages import heading, write_if_changed


def gallery_argv(gallery_conf, script_vars) -> list[str]:
    """The command-line arguments every example runs with while the documentation builds: digits-sized."""
    return ["--epochs", "3"]


def public_api_page() -> str:
    """The names ``import tpneuro`` gives, each linked to the module page that documents it."""
    import tpneuro

    out = [heading("The public API", "-"),
           "What ``import tpneuro`` gives (``tpneuro.__all__``); each name links to its documentation in the "
           "module that defines it.\n", ".. autosummary::", ""]
    for name in sorted(tpneuro.__all__):
        obj = getattr(tpneuro, name)
        module = getattr(obj, "__module__", None)
        if module is None or not hasattr(obj, "__qualname__"):
            continue
        out.append(f"   ~{module}.{obj.__qualname__}")
    return "\n".join(out) + "\n"


def generate_pages(app) -> None:
    out = Path(app.srcdir) / "generated"
    reference_pages.generate(out / "reference")
    results_pages.generate(out / "results")
    write_if_changed(out / "public_api.rst", public_api_page(), wide=False)   # included in api.rst


def escape_click_text(app, ctx, lines: list[str]) -> None:
    """The commands' help texts are plain text for a terminal (``models/*.yaml``): escape the characters
    that reStructuredText would read as markup, so the page shows what ``--help`` prints."""
    lines[:] = [line.replace("*", "\\*") for line in lines]


_LITERAL = re.compile(r"(``.+?``)")
_BARS = re.compile(r"(?<![\w|`\\])\|(?=[^\s|])([^|`]*?[^\s|\\])\|(?![\w|])")   # |x|: a substitution in rst
_PATH_STAR = re.compile(r"(?<=/)\*")                                       # models/*.yaml: emphasis in rst


def plain_text_math(line: str) -> str:
    """The project's docstrings write formulas as plain text (``max |W|``, ``models/*.yaml``); escape the two
    shapes that reStructuredText reads as markup, leaving ````literals```` as they are."""
    parts = _LITERAL.split(line)
    return "".join(part if i % 2 else _PATH_STAR.sub(r"\\*", _BARS.sub(r"\\|\1\\|", part))
                   for i, part in enumerate(parts))


def escape_docstring(app, what, name, obj, options, lines: list[str]) -> None:
    lines[:] = [plain_text_math(line) for line in lines]


def remove_stale_api_pages(app) -> None:
    """autosummary writes one page per module but never removes one: drop the pages of modules that no
    longer exist (moved or deleted), which would otherwise be built as orphans."""
    from importlib.util import find_spec

    for page in (Path(app.srcdir) / "generated" / "api").glob("tpneuro*.rst"):
        try:
            exists = find_spec(page.stem) is not None
        except ImportError:
            exists = False
        if not exists:
            page.unlink()


def setup(app):
    app.connect("builder-inited", remove_stale_api_pages, priority=100)    # before autosummary's (500)
    app.connect("builder-inited", generate_pages)
    app.connect("autodoc-process-docstring", escape_docstring, priority=400)    # before numpydoc's (500)
    for part in ("description", "options", "arguments", "epilog"):
        app.connect(f"sphinx-click-process-{part}", escape_click_text)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
