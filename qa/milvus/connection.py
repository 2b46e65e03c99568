"""Where the Milvus collection lives, and opening a client to it.

A URI that is a file path ending in ``.db`` is Milvus Lite: pymilvus starts the Milvus
core as a child process of this one, speaking over a Unix socket (no network port), and
one process at a time may hold the file (Milvus Lite takes a lock on it). ``http(s)://``,
``tcp://`` and ``grpc://`` URIs are a Milvus standalone server or cluster, with an
optional token ("user:password" or an API key). Every failure to open becomes one
``MilvusError`` line that names the URI and what to do.
"""
from __future__ import annotations

import logging
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional

from qa.index.store import IndexError_

DEFAULT_COLLECTION = "qa_sentences"
_SERVER_SCHEMES = ("http://", "https://", "tcp://", "grpc://", "unix:")
# Milvus Lite's own rule for the file name (milvus_lite/server.py): checked here so the
# user reads it as one line instead of a RuntimeError from inside pymilvus.
_LITE_NAME = re.compile(r"[A-Za-z0-9.\-_]{1,35}")
_COLLECTION_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,254}")


class MilvusError(IndexError_):
    """Milvus cannot be reached or does not hold what the local index expects. An
    IndexError_, so every front end already prints it as one ``qa: error:`` line."""


@dataclass(frozen=True)
class MilvusSettings:
    uri: str
    token: str = ""
    collection: str = DEFAULT_COLLECTION
    timeout: float = 30.0          # seconds for any one call; pymilvus retries until then

    @property
    def is_lite(self) -> bool:
        return not self.uri.startswith(_SERVER_SCHEMES)

    def check(self) -> "MilvusSettings":
        if not self.uri:
            raise MilvusError("no Milvus URI: set QA_MILVUS_URI (a file path ending in .db for "
                              "Milvus Lite, or http(s)://host:19530 for a server)")
        if not _COLLECTION_NAME.fullmatch(self.collection):
            raise MilvusError(f"Milvus collection name {self.collection!r} is not valid "
                              f"(letters, digits and underscores, starting with a letter)")
        if self.is_lite:
            path = Path(self.uri)
            if path.suffix != ".db" or not _LITE_NAME.fullmatch(path.name):
                raise MilvusError(f"Milvus URI {self.uri!r}: a Milvus Lite file name must end in .db and be "
                                  f"at most 35 letters, digits, '.', '-' or '_' (or use http(s)://host:port)")
            if not path.parent.is_dir():
                raise MilvusError(f"Milvus URI {self.uri!r}: folder {path.parent} does not exist")
        return self


def from_settings(settings=None) -> MilvusSettings:
    """From the product's settings: ``settings`` is a ``qa.settings.Settings`` (default:
    this process's, ``current()``: QA_MILVUS_URI, QA_MILVUS_TOKEN) or a mapping with the
    same keys; ``milvus_collection`` and ``milvus_timeout`` are read where present. The
    token is never written anywhere by this package."""
    if settings is None:
        from qa.settings import current

        settings = current()
    if isinstance(settings, Mapping):
        get = settings.get
    else:
        def get(key):
            return getattr(settings, key, None)
    try:
        timeout = float(get("milvus_timeout") or 30.0)
    except (TypeError, ValueError):
        raise MilvusError(f"milvus_timeout must be a number of seconds, not {get('milvus_timeout')!r}") from None
    return MilvusSettings(str(get("milvus_uri") or "").strip(), str(get("milvus_token") or ""),
                          str(get("milvus_collection") or DEFAULT_COLLECTION), timeout)


def _one_line(exc: BaseException) -> str:
    msg = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return " ".join(str(msg).split())


_inside = threading.local()


class _NotInsideQa(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not getattr(_inside, "on", False)


_FILTER = _NotInsideQa()


@contextmanager
def quiet_pymilvus():
    """pymilvus logs every failed call on its own handlers before raising; inside this
    block (this thread only) those lines are dropped, since the MilvusError raised
    carries the same message as one line. Its other logging is left as it is."""
    for name in ("pymilvus", "pymilvus.milvus_client"):
        for h in logging.getLogger(name).handlers:
            if _FILTER not in h.filters:
                h.addFilter(_FILTER)
    _inside.on = True
    try:
        yield
    finally:
        _inside.on = False


@contextmanager
def _no_pkg_resources_warning():
    """milvus-lite 2.5.1 imports pkg_resources, which warns on every start; the pin
    (setuptools<81, pyproject.toml) is the answer, so `qa ask` need not print it."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
        yield


def connect(settings: MilvusSettings):
    """A ``pymilvus.MilvusClient`` for ``settings`` (MilvusError on any failure)."""
    settings.check()
    try:
        with _no_pkg_resources_warning():
            from pymilvus import MilvusClient
    except ImportError as exc:
        raise MilvusError(f"the Milvus backend needs pymilvus and milvus-lite: "
                          f"pip install 'qa-articles[milvus]' ({_one_line(exc)})") from None
    if settings.is_lite and _held_elsewhere(Path(settings.uri)):
        raise MilvusError(f"Milvus Lite file {settings.uri} is open in another process (Lite serves one "
                          f"process per file; stop it, or run a Milvus server for several)")
    try:
        with quiet_pymilvus(), _no_pkg_resources_warning():
            return MilvusClient(uri=settings.uri, token=settings.token, timeout=settings.timeout)
    except Exception as exc:   # pymilvus raises several exception types for one cause
        raise MilvusError(f"cannot open Milvus at {settings.uri}: {_one_line(exc)}") from None


def _serving_here(path: Path) -> bool:
    try:
        from milvus_lite.server_manager import server_manager_instance
    except ImportError:
        return False
    return str(path.absolute().resolve()) in getattr(server_manager_instance, "_servers", {})


def _held_elsewhere(path: Path) -> bool:
    """Whether another process holds Milvus Lite's lock on ``path``. Never probed when this
    process serves the file: POSIX locks belong to the process, and closing our probe's
    descriptor would drop the lock the running server holds."""
    import fcntl

    lock = path.parent / f".{path.name}.lock"
    if not lock.exists() or _serving_here(path):
        return False
    with open(lock, "a") as f:
        try:
            fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.lockf(f, fcntl.LOCK_UN)
    return False


def release(settings: MilvusSettings) -> None:
    """Stop the Milvus Lite process serving ``settings.uri`` (no-op for a server): a
    restart, or handing the file to another process."""
    if settings.is_lite and _serving_here(Path(settings.uri)):
        from milvus_lite.server_manager import server_manager_instance

        server_manager_instance.release_server(str(Path(settings.uri).absolute().resolve()))
