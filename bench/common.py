"""Pieces shared by the benchmarks that index an external pool (reqa_squad.py, wikiqa.py)."""
from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Before anything loads the model: never reach for the Hugging Face hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def index_pool(articles, encoder, reuse: str | None, progress: bool):
    """Build the pool index (or, for development runs, load one saved earlier).
    Returns (built, reused)."""
    from qa.index import store
    from qa.index.build import build

    if reuse and (Path(reuse) / "CURRENT").exists():
        from qa.index.indexing import tokenized_as_now

        if tokenized_as_now(store.read_manifest(reuse)):
            return store.load(reuse, model=encoder.name, verify=False)[0], True
        if progress:
            print(f"{reuse}: built with another tokenizer; building it again", file=sys.stderr)
    built = build(articles, encoder, show_bar=progress)
    if reuse:
        store.save(built, reuse, encoder.name, int(built.dense.vectors.shape[1]))
    return built, False


def indexed_pool(articles, reuse: str | None, progress: bool, encoder=None, config=None):
    """(assistant, reused, index seconds) over the pool. The model is loaded first, when
    not given: loading it is start-up cost, not index time."""
    from qa.index.encoder import Encoder
    from qa.answer.engine import Assistant

    encoder = encoder or Encoder().warm_up()
    t = time.perf_counter()
    built, reused = index_pool(articles, encoder, reuse, progress)
    return Assistant.from_built(built, encoder, config), reused, time.perf_counter() - t


def commit() -> str:
    """HEAD of the checkout, with "+dirty" when qa/ has uncommitted changes."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "qa"], cwd=ROOT, capture_output=True,
                               text=True, check=True).stdout.strip()
        return head + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def run_details(assistant) -> dict:
    """Where and with what a result was measured."""
    import torch

    return {"threads": int(torch.get_num_threads()), "weights": dict(assistant.config.weights),
            "threshold": assistant.config.threshold,
            "machine": f"{platform.machine()}, {os.cpu_count()} cores (shared), {platform.python_version()}",
            "commit": commit(), "date": dt.date.today().isoformat()}


def emit(out: dict, path: str | None) -> None:
    """Print a benchmark's JSON result, and write it to ``path`` when one is given."""
    print(json.dumps(out, indent=1))
    if path:
        Path(path).write_text(json.dumps(out, indent=1), "utf-8")


def add_tuning_halves(ap) -> None:
    """The arguments of a check on the news tune half and SQuAD-even (asked_value_check.py,
    speaker_check.py)."""
    ap.add_argument("--questions", default="seeds/questions.jsonl")
    ap.add_argument("--index", default="index")
    ap.add_argument("--squad", required=True)
    ap.add_argument("--squad-index", default=".cache/squad-pool")


def squad_even(squad: str, reuse: str, a):
    """(assistant over SQuAD-even's pool, its questions, row -> candidate id, gold ids per
    question), with ``a``'s encoder and settings (bench/reqa_squad.py's pool and gold)."""
    import reqa_squad as rq

    articles, questions = rq.load_squad(squad)
    questions = rq.select(questions, "even", None)
    sq, _, _ = indexed_pool(articles, reuse, True, a.encoder, a.config)
    keys = rq.candidate_keys(sq.built)
    return sq, questions, keys, rq.gold_rows(sq.built, questions, keys)
