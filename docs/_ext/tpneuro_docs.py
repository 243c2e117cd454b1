"""Sphinx extension of the tpneuro documentation: at every build, before any page is read, it writes the
generated pages (reference pages from the code, results pages from the benchmarks' results files, the
public API summary from ``tpneuro.__all__``) under ``docs/generated/``."""
from __future__ import annotations

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


def setup(app):
    app.connect("builder-inited", generate_pages)
    for part in ("description", "options", "arguments", "epilog"):
        app.connect(f"sphinx-click-process-{part}", escape_click_text)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
