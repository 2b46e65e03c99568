"""An index on disk: a folder of plain files (.npy, .json, .jsonl, faiss) plus
manifest.json. No pickle anywhere.

Layout of an index directory DIR:
    DIR/CURRENT            name of the live generation folder (one line)
    DIR/gen-<stamp>/       manifest.json and the data files
Writes go to a fresh generation folder; CURRENT is replaced atomically (os.replace)
only once every file is written and fsynced, so a crash or kill mid-write leaves the
previous index live and intact. Old generations are removed after the switch.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import time
from contextlib import contextmanager
from dataclasses import fields
from pathlib import Path

from typing import Callable, Optional

import numpy as np

from qa import __version__
from qa.index.bm25 import BM25Index, BM25Params
from qa.index.build import PASSAGE_PARAMS, Built, Tables, corpus_hash
from qa.index.dense import DenseIndex, DenseParams, open_rows
from qa.index.lexicon import Lexicon
from qa.ingest.textnorm import Tokenizer
from qa.types import Article

FORMAT_VERSION = 1
_ARTICLE_FIELDS = tuple(f.name for f in fields(Article))
_ARRAYS = ("p_doc", "p_start", "p_end", "s_doc", "s_pass", "s_start", "s_end")


class IndexError_(Exception):
    """A missing, damaged or mismatched index. The message says how to fix it."""


try:
    import fcntl
except ImportError:    # not POSIX: concurrent writers are not serialised
    fcntl = None

_GEN_NAME = re.compile(r"gen-[A-Za-z0-9._-]+")


STEPS = ("files-written", "manifest-written", "renamed", "pointer-written", "committed")


def kill_at(step: str | None):
    """An ``on_step`` callback that SIGKILLs the process when ``save`` reaches ``step``:
    tests/test_faults.py proves a crash at each step leaves the previous index live
    (``qa index`` passes it when QA_FAULT_POINT names a step)."""
    def on_step(name: str) -> None:
        if name == step:
            os.kill(os.getpid(), signal.SIGKILL)
    return on_step


@contextmanager
def _writer_lock(root: Path):
    """One writer per index folder at a time: otherwise one writer's clean-up could
    delete another's half-written generation, or the generation it just made live."""
    with open(root / ".lock", "a") as f:
        if fcntl is not None:
            fcntl.flock(f, fcntl.LOCK_EX)   # released when the file closes, or the process dies
        yield


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_files(b: Built, gen: Path) -> list[str]:
    names = []
    with open(gen / "articles.jsonl", "w", encoding="utf-8") as f:
        for a in b.articles:
            # A shallow dict: dataclasses.asdict deep-copies every body span (most of the
            # time of an incremental add at 100k sentences).
            rec = {k: getattr(a, k) for k in _ARTICLE_FIELDS}
            rec["body"] = [list(s) for s in a.body]
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    names.append("articles.jsonl")
    for name in _ARRAYS:
        np.save(gen / f"{name}.npy", getattr(b.tables, name), allow_pickle=False)
        names.append(f"{name}.npy")
    for name in ("passage_ids", "sent_ids"):
        (gen / f"{name}.json").write_text(json.dumps(getattr(b.tables, name)), "utf-8")
        names.append(f"{name}.json")
    np.save(gen / "passage_vectors.npy", b.p_vecs, allow_pickle=False)
    names.append("passage_vectors.npy")
    names += b.bm25_sent.save(gen, "bm25_sent")
    names += b.bm25_pass.save(gen, "bm25_pass")
    names += b.dense.save(gen)
    if b.lexicon is not None:
        (gen / "lexicon.json").write_text(json.dumps(b.lexicon.to_dict(), ensure_ascii=False), "utf-8")
        names.append("lexicon.json")
    return names


def save(b: Built, index_dir: str | os.PathLike, model: str, dim: int,
         on_step: Optional[Callable[[str], None]] = None) -> Path:
    """Write ``b`` as a new generation of ``index_dir`` and make it live atomically.
    ``on_step(name)`` is called after each step of STEPS (tests crash the writer there)."""
    root = Path(index_dir)
    root.mkdir(parents=True, exist_ok=True)
    with _writer_lock(root):
        return _save_locked(b, root, model, dim, on_step or (lambda name: None))


def _save_locked(b: Built, root: Path, model: str, dim: int, on_step: Callable[[str], None]) -> Path:
    gen = root / f"gen-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{os.urandom(3).hex()}"
    tmp = gen.with_name(gen.name + ".partial")
    tmp.mkdir()
    try:
        names = _write_files(b, tmp)
        on_step("files-written")
        manifest = {
            "format_version": FORMAT_VERSION, "qa_version": __version__,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "model": {"name": model, "dim": dim, "normalized": True},
            "tokenizer": b.tokenizer.params(), "bm25": b.bm25_params.to_dict(),
            "passages": PASSAGE_PARAMS, "dense": b.dense.params.to_dict(),
            "corpus": {"hash": corpus_hash(b.articles), "articles": len(b.articles),
                       "passages": len(b.tables.passage_ids), "sentences": len(b.tables.sent_ids)},
            "files": {n: {"bytes": (tmp / n).stat().st_size, "sha256": _sha256(tmp / n)} for n in names},
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2), "utf-8")
        on_step("manifest-written")
        for n in [*names, "manifest.json"]:
            with open(tmp / n, "rb") as f:
                os.fsync(f.fileno())
        _fsync_dir(tmp)
        os.replace(tmp, gen)
        on_step("renamed")
        pointer = root / f"CURRENT.{os.getpid()}.tmp"
        pointer.write_text(gen.name + "\n", "utf-8")
        with open(pointer, "rb") as f:
            os.fsync(f.fileno())
        on_step("pointer-written")
        os.replace(pointer, root / "CURRENT")   # the commit point
        _fsync_dir(root)
        on_step("committed")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _collect_garbage(root, keep=gen.name)
    return gen


def _collect_garbage(root: Path, keep: str) -> None:
    for p in root.iterdir():
        if p.is_dir() and p.name.startswith("gen-") and p.name != keep:
            shutil.rmtree(p, ignore_errors=True)
        elif p.name.startswith("CURRENT.") and p.name.endswith(".tmp"):
            p.unlink(missing_ok=True)


def live_generation(index_dir: str | os.PathLike) -> Path:
    root = Path(index_dir)
    pointer = root / "CURRENT"
    if not pointer.is_file():
        raise IndexError_(f"no index at {root}: build one with `qa index PATH --index {root}`")
    # CURRENT must name a generation folder inside DIR: never a path elsewhere.
    name = pointer.read_bytes().decode("utf-8", "replace").strip()
    if not _GEN_NAME.fullmatch(name) or name.endswith(".partial"):
        raise IndexError_(f"index at {root} is damaged (CURRENT does not name a generation): "
                          f"rebuild it with `qa index`")
    gen = root / name
    if not (gen / "manifest.json").is_file():
        raise IndexError_(f"index at {root} is damaged (missing {gen.name}/manifest.json): rebuild it with `qa index`")
    return gen


def read_manifest(index_dir: str | os.PathLike) -> dict:
    gen = live_generation(index_dir)
    try:
        manifest = json.loads((gen / "manifest.json").read_text("utf-8"))
    except ValueError as exc:   # UnicodeDecodeError is a ValueError too
        raise IndexError_(f"index manifest at {gen} is damaged ({exc}): rebuild it with `qa index`") from exc
    if not isinstance(manifest, dict):
        raise IndexError_(f"index manifest at {gen} is damaged (not an index manifest): rebuild it with `qa index`")
    return manifest


def check_manifest(manifest: dict, gen: Path, model: str | None, verify: bool = True) -> None:
    """Format version, model and file checksums; each failure names the fix."""
    fv = manifest.get("format_version")
    if fv != FORMAT_VERSION:
        raise IndexError_(f"index format version {fv} but this qa reads {FORMAT_VERSION}: rebuild with `qa index`")
    built_with = manifest.get("model", {}).get("name")
    if model and built_with != model:
        raise IndexError_(f"index was built with model {built_with!r} but {model!r} is configured: "
                          f"rebuild with `qa index` or set QA_MODEL={built_with}")
    for name, info in manifest.get("files", {}).items():
        p = gen / name
        if not p.is_file():
            raise IndexError_(f"index file {name} is missing: rebuild with `qa index`")
        if p.stat().st_size != info["bytes"] or (verify and _sha256(p) != info["sha256"]):
            raise IndexError_(f"index file {name} is damaged (checksum mismatch): rebuild with `qa index`")


def load(index_dir: str | os.PathLike, model: str | None = None, verify: bool = True) -> tuple[Built, dict]:
    """Load and check the live generation of ``index_dir``."""
    gen = live_generation(index_dir)
    manifest = read_manifest(index_dir)
    try:
        check_manifest(manifest, gen, model, verify)
        return _load_files(gen, manifest), manifest
    except IndexError_:
        raise
    # A hand-edited manifest (wrong types, missing keys) fails here rather than in a traceback.
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise IndexError_(f"index at {gen} could not be read ({exc}): rebuild with `qa index`") from exc


def _load_files(gen: Path, manifest: dict) -> Built:
    arts = []
    with open(gen / "articles.jsonl", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            d["body"] = tuple(tuple(s) for s in d["body"])
            arts.append(Article(**d))
    arr = {n: np.load(gen / f"{n}.npy", allow_pickle=False) for n in _ARRAYS}
    ids = {n: json.loads((gen / f"{n}.json").read_text("utf-8")) for n in ("passage_ids", "sent_ids")}
    if np.any(arr["s_doc"][1:] < arr["s_doc"][:-1]):     # readers find an article's sentences as one run
        raise ValueError("sentences are not stored article by article")
    tables = Tables(arr["p_doc"], arr["p_start"], arr["p_end"], ids["passage_ids"], [],
                    arr["s_doc"], arr["s_pass"], arr["s_start"], arr["s_end"], ids["sent_ids"])
    bp = manifest["bm25"]
    params = BM25Params(k1=bp["k1"], b=bp["b"], epsilon=bp["epsilon"])
    d = manifest["dense"]
    dparams = DenseParams.from_dict(d)
    # An index written before the lexicon was stored has none: the assistant reads it then.
    lexicon = (Lexicon.from_dict(json.loads((gen / "lexicon.json").read_text("utf-8")))
               if "lexicon.json" in manifest.get("files", {}) else None)
    return Built(arts, tables, BM25Index.load(gen, "bm25_sent", params), BM25Index.load(gen, "bm25_pass", params),
                 DenseIndex.load(gen, dparams), open_rows(gen / "passage_vectors.npy"),
                 Tokenizer.from_params(manifest["tokenizer"]), params, lexicon)
