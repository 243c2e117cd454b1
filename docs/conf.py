"""Sphinx configuration of the tpneuro documentation.

Build: ``.venv/bin/python -m sphinx -W -b html docs docs/_build/html`` (the test suite runs this build,
warnings as errors). Reference and results pages are generated at every build (``_ext/``), the examples
are executed by sphinx-gallery, and the API reference is generated recursively from the package.
"""
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))
os.environ.setdefault("MPLBACKEND", "Agg")

import tpneuro  # noqa: E402

project = "tpneuro"
author = "the tpneuro maintainers"
copyright = "2026, the tpneuro maintainers"
version = release = tpneuro.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.doctest",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "sphinx_click",
    "tpneuro_docs",
]

exclude_patterns = ["_build", "**.ipynb_checkpoints", "auto_examples/*.ipynb", "auto_examples/*.py",
                    "auto_examples/*.zip", "auto_examples/*.json", "auto_examples/*.md5"]
templates_path = ["_templates"]
default_role = "code"
smartquotes = False        # keep command-line options as typed (--engine, not an en dash)

# API reference: one page per module, generated recursively from the package (templates/autosummary).
autosummary_generate = True
autosummary_imported_members = False
autodoc_default_options = {"members": True, "show-inheritance": True, "ignore-module-all": True}
autodoc_member_order = "bysource"
autodoc_typehints = "none"        # numpydoc sections and signatures carry the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

# Examples gallery: every examples/*.py is run at build time (digits-sized, a few epochs) and its output
# and figures are put on its page.
sphinx_gallery_conf = {
    "examples_dirs": str(HERE.parent / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/",           # execute every example
    "reset_argv": "tpneuro_docs.gallery_argv",
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "only_warn_on_example_error": False,
    "abort_on_example_error": True,
    "show_memory": False,
    "line_numbers": False,
    "capture_repr": (),
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
}

html_theme = "pydata_sphinx_theme"
html_title = f"tpneuro {release}"
html_static_path = ["_static"]
html_css_files = ["tpneuro.css"]
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_show_sourcelink = False
