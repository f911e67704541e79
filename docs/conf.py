"""Sphinx configuration of the kit's website: the chapters as pages, built from the committed notebooks and
their saved outputs without executing them (`bash scripts/docs.sh`). Everything the pages load is served
from the site itself (MathJax from sphinx-mathjax-offline's files, mermaid from its npm tarball, fetched and checked
by scripts/docs.py), so the site reads offline."""

import diamond

project = "diamond"
author = "diamond kit developers"
release = version = diamond.__version__
copyright = "the diamond kit developers, MIT licence"

extensions = [
    "myst_nb",  # the chapters (.ipynb) and these pages (.md), with their saved outputs
    "sphinx.ext.autodoc",  # the API of what each chapter exports
    "sphinx.ext.napoleon",
    "sphinxcontrib.mermaid",  # the chapters' "where this chapter sits" diagrams
    "sphinx_design",  # the Start page's grid of pictures
]
root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints", "reading_order.md"]  # the Start page includes it

nb_execution_mode = "off"  # the saved outputs are the lesson; nothing runs while the site builds
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_fence_as_directive = ["mermaid"]  # the chapters write ```mermaid fences, as JupyterLab renders them
myst_heading_anchors = 3
suppress_warnings = ["mystnb.unknown_mime_type", "misc.highlighting_failure"]

mathjax_path = "mathjax/tex-chtml.js"  # MathJax 3 from sphinx-mathjax-offline, copied in by scripts/docs.py
mermaid_use_local = "mermaid/mermaid.esm.min.mjs"  # under _static/, copied in by scripts/docs.py
mermaid_fullscreen = False  # its button loads nothing extra, but keep the page plain
mermaid_init_config = {"startOnLoad": False}

autodoc_inherit_docstrings = False  # a gymnasium.Env's step() would bring gymnasium's docstring
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_default_options = {"members": True, "undoc-members": True, "show-inheritance": False}

html_theme = "sphinx_book_theme"
html_title = "diamond: a course in diffusion world models"
html_static_path = ["_static"]
html_show_sourcelink = False
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": True,
    "navigation_with_keys": False,
    "home_page_in_toc": True,
    "show_navbar_depth": 1,
}
html_last_updated_fmt = None
