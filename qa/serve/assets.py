"""Where the browser assets (ui/) live, and the only files the server may serve from there.

The folder is ``ui/`` at the top of a checkout and ``qa/ui/`` in an installed wheel
(pyproject maps the package ``qa.ui`` onto ``ui/``). That mapping is also why this
module is not called ``qa/ui.py``: the package name would shadow it."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

# An allowlist, not a directory listing: nothing else under ui/ (or above it) is
# reachable through the static routes, whatever the request path looks like.
ASSETS = {
    "widget.js": "text/javascript; charset=utf-8",
    "widget.css": "text/css; charset=utf-8",
    "chat.css": "text/css; charset=utf-8",
    "embed.html": "text/html; charset=utf-8",
}


@lru_cache(maxsize=1)
def ui_dir() -> Path:
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "ui", here.parents[1] / "ui"):
        if (candidate / "widget.js").is_file():
            return candidate
    raise FileNotFoundError("browser assets (ui/widget.js) not found next to the qa package")


def asset_path(name: str) -> Path:
    """Path of an allowlisted asset; KeyError for any other name."""
    if name not in ASSETS:
        raise KeyError(name)
    return ui_dir() / name


def read_asset(name: str) -> bytes:
    return asset_path(name).read_bytes()


def media_type(name: str) -> str:
    return ASSETS[name]
