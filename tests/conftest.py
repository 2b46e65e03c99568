"""Shared fixtures. The real bundled model loads once per test session."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def reread_settings() -> None:
    """After a test changes a QA_* variable: make qa.settings.current() read it again."""
    from qa.settings import current

    current.cache_clear()


@pytest.fixture(autouse=True)
def _fresh_settings():
    # Each test starts from the environment as it is (a monkeypatched variable is undone
    # after its test, and so is its reading).
    reread_settings()
    yield
    reread_settings()


@pytest.fixture(scope="session")
def encoder():
    from qa.index.encoder import Encoder

    return Encoder().warm_up()


@pytest.fixture(scope="session")
def build_index(encoder, tmp_path_factory):
    """build_index(paths) -> index folder, built with the shared encoder."""
    from qa.ingest import corpus
    from qa.index import store
    from qa.index.build import build

    def _build(paths, index_dir=None):
        report = corpus.load([str(p) for p in paths])
        built = build(report.articles, encoder)
        index_dir = Path(index_dir or tmp_path_factory.mktemp("index"))
        store.save(built, index_dir, encoder.name, int(built.dense.vectors.shape[1]))
        return index_dir

    return _build


@pytest.fixture(scope="session")
def seed_index(build_index):
    return build_index([SEEDS])


@pytest.fixture(scope="session")
def assistant(seed_index, encoder):
    from qa.answer.engine import Assistant

    a = Assistant(seed_index)
    a.encoder = encoder      # share the session's loaded model
    return a


def write_corpus(folder: Path, files: dict[str, str | bytes], metadata: dict | None = None) -> Path:
    """Write a small corpus (name -> text or bytes) and an optional metadata.json."""
    import json

    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        p = folder / name
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8")
    if metadata is not None:
        (folder / "metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    return folder
