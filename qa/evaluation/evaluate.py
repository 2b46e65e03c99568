"""`qa eval`: run a question file through ``Assistant.ask`` and score what comes back.

One core for every question: ``Assistant.ask(question, history, k=10)``. Earlier turns
of a conversation (``history``) are asked first, in order, each with the turns before
it; only the question's own ask call is timed. Scoring lives in ``qa.evaluation.eval_metrics``,
the HTML report in ``qa.evaluation.eval_report``. See docs/evaluation.md.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from pathlib import Path
from typing import Iterable, Optional, Sequence

import numpy as np

from qa.evaluation import eval_metrics as em
from qa.ingest.textnorm import fold

K = em.RANK_K


class EvalError(ValueError):
    """A bad question file, report or argument: the message is one line for the user."""


# ------------------------------------------------------------------ question file
def check_question(obj, where: str) -> dict:
    """Validate one question object; returns it with defaults filled in."""
    from qa.answer.engine import MAX_QUESTION_CHARS

    if not isinstance(obj, dict):
        raise EvalError(f"{where}: expected a JSON object, got {type(obj).__name__}")
    q = dict(obj)
    for key in ("id", "question"):
        if not isinstance(q.get(key), str) or not q[key].strip():
            raise EvalError(f"{where}: '{key}' must be a non-empty string")
    if len(q["question"]) > MAX_QUESTION_CHARS:
        raise EvalError(f"{where}: 'question' is longer than {MAX_QUESTION_CHARS} characters")
    q.setdefault("history", [])
    q.setdefault("kind", "unspecified")
    if not isinstance(q["history"], list) or not all(isinstance(h, str) and h.strip() for h in q["history"]):
        raise EvalError(f"{where}: 'history' must be a list of non-empty strings")
    if not isinstance(q.get("expected"), list) or not all(isinstance(e, str) for e in q["expected"]):
        raise EvalError(f"{where}: 'expected' must be a list of strings")
    if not isinstance(q.get("answerable"), bool):
        raise EvalError(f"{where}: 'answerable' must be true or false")
    if not isinstance(q["kind"], str) or not q["kind"].strip():
        raise EvalError(f"{where}: 'kind' must be a non-empty string")
    if q["answerable"] and not em.fold_phrases(q["expected"]):
        raise EvalError(f"{where}: an answerable question needs at least one non-empty 'expected' phrase")
    if not q["answerable"] and q["expected"]:
        raise EvalError(f"{where}: an unanswerable question must have 'expected': []")
    if "sides" in q and not em.valid_sides(q["sides"]):
        raise EvalError(f"{where}: 'sides' must be a list of at least two lists of key phrases")
    return q


def check_questions(objs: Iterable, where: Sequence[str] | None = None) -> list[dict]:
    out, seen = [], {}
    for n, obj in enumerate(objs):
        loc = where[n] if where else f"question {n + 1}"
        q = check_question(obj, loc)
        if q["id"] in seen:
            raise EvalError(f"{loc}: duplicate id {q['id']!r} (first at {seen[q['id']]})")
        seen[q["id"]] = loc
        out.append(q)
    return out


def load_questions(path: str | os.PathLike, split: Optional[str] = None) -> list[dict]:
    """Read and validate a question JSONL file; ``split`` keeps only that split."""
    p = Path(path)
    if not p.is_file():
        raise EvalError(f"no such question file: {path}")
    try:
        raw = p.read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalError(f"cannot read {path}: {exc}") from None
    objs, where = [], []
    for n, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            continue
        try:
            objs.append(json.loads(line))
        except ValueError as exc:
            raise EvalError(f"{path}:{n}: not valid JSON ({exc})") from None
        where.append(f"{path}:{n}")
    questions = check_questions(objs, where)
    if not questions:
        raise EvalError(f"no questions in {path}")
    if split:
        questions = [q for q in questions if q.get("split") == split]
        if not questions:
            raise EvalError(f"no questions with split {split!r} in {path}")
    return questions


# ------------------------------------------------------------------ running
def ask_one(assistant, q: dict):
    """Ask the conversation's earlier turns, then the question; time only the latter."""
    hist: list[str] = []
    for turn in q["history"]:
        assistant.ask(turn, history=list(hist), k=K)
        hist.append(turn)
    t0 = time.perf_counter()
    result = assistant.ask(q["question"], history=hist, k=K)
    return result, (time.perf_counter() - t0) * 1000.0


def faithful(answer, articles: dict) -> bool:
    """Every citation's span of the article the index holds equals the answer text."""
    if not answer.citations:
        return False
    for c in answer.citations:
        art = articles.get(c.doc_id)
        if art is None or not 0 <= c.start <= c.end or art.text[c.start:c.end] != answer.text:
            return False
    return True


def top_score(result) -> Optional[float]:
    """The best fused score (also when abstained), else the first answer's score."""
    best = (result.debug or {}).get("best_score")
    if best is not None:
        return float(best)
    return float(result.answers[0].score) if result.answers else None


def make_record(q: dict, result, latency_ms: float, articles: dict) -> dict:
    rec = result.to_dict()
    folded = em.fold_phrases(q["expected"])
    right = [em.is_right(a.text, folded) for a in result.answers] if q["answerable"] else \
        [False] * len(result.answers)
    rank = next((n for n, ok in enumerate(right, 1) if ok), None)
    correct = bool(right and right[0]) if q["answerable"] else bool(result.abstained)
    rec.update({"id": q["id"], "kind": q["kind"], "answerable": q["answerable"], "correct": correct,
                "rank": rank, "latency_ms": round(latency_ms, 2), "top_score": top_score(result),
                "right": right, "faithful": [faithful(a, articles) for a in result.answers],
                "expected": list(q["expected"]), "history": list(q["history"])})
    if "split" in q:
        rec["split"] = q["split"]
    if "sides" in q:
        rec["sides"] = [list(side) for side in q["sides"]]
    return rec


def evaluate(assistant, questions: Sequence[dict], progress: bool = True,
             qrels: Optional[dict] = None, prime: bool = False) -> dict:
    """Run ``questions`` (dicts in the question-file format) through ``assistant.ask``
    and return the report: ``{"metrics": {..., "by_kind": {...}}, "questions": [...], "meta": {...}}``.
    ``qrels``, if given, is filled with the index's relevant sentence ids (for TREC).
    ``prime`` encodes every question text in one batch first: much faster, but the
    latencies then leave out most query encoding (``meta.primed`` says so)."""
    from tqdm import tqdm

    questions = check_questions(questions)
    if hasattr(assistant, "warm_up"):
        assistant.warm_up()      # model and index load are not question latency
    if prime:
        assistant.encoder.prime([t.strip() for q in questions for t in (*q["history"], q["question"])])
    articles = {a.doc_id: a for a in assistant.built.articles}
    records = []
    for q in tqdm(questions, desc="qa eval", unit="q", file=sys.stderr, disable=not progress):
        result, ms = ask_one(assistant, q)
        records.append(make_record(q, result, ms, articles))
    findable = index_qrels(assistant, questions)
    if qrels is not None:
        qrels.update(findable)
    for r in records:
        if r["answerable"]:
            r["findable"] = bool(findable.get(r["id"]))
    meta = {"k": K, "threshold": float(assistant.config.threshold), "primed": bool(prime),
            "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "index": str(getattr(assistant, "index_dir", None) or ""),
            "unfindable": [r["id"] for r in records if r.get("findable") is False]}
    return {"metrics": em.compute(records), "questions": records, "meta": meta}


# ------------------------------------------------------------------ TREC
def index_qrels(assistant, questions: Sequence[dict]) -> dict[str, set[str]]:
    """Per answerable question, the ids (``doc_id:start-end``) of the indexed sentences
    that contain one of its expected phrases. The folded sentences are joined into one
    string searched with ``str.find``, so a large index is scanned once per phrase."""
    t, arts = assistant.built.tables, assistant.built.articles
    ans = [(q["id"], em.fold_phrases(q["expected"])) for q in questions if q["answerable"]]
    out: dict[str, set[str]] = {qid: set() for qid, _ in ans}
    n = len(t.sent_ids)
    if not ans or not n:
        return out
    spans = [(int(t.s_doc[i]), int(t.s_start[i]), int(t.s_end[i])) for i in range(n)]
    folded = [fold(arts[d].text[s:e]) for d, s, e in spans]
    starts = np.cumsum([0] + [len(f) + 1 for f in folded[:-1]])
    hay = "\x00".join(folded)
    for qid, phrases in ans:
        for p in phrases:
            pos = hay.find(p)
            while pos >= 0:
                d, s, e = spans[int(np.searchsorted(starts, pos, side="right")) - 1]
                out[qid].add("_".join(f"{arts[d].doc_id}:{s}-{e}".split()))
                pos = hay.find(p, pos + 1)
    return out


def write_trec(report: dict, qrels: dict[str, set[str]], folder: str | os.PathLike) -> tuple[Path, Path]:
    """run.trec (``qid Q0 id rank score qa``; score = 1/rank so any tool keeps our
    order) and qrels.trec (``qid 0 id 1``): indexed sentences holding an expected phrase,
    plus every returned answer judged right (a narrowed answer span has its own id)."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    run_lines, qrel_lines = [], []
    for r in report["questions"]:
        qid = "_".join(r["id"].split())
        ids = em.answer_ids(r["answers"])
        run_lines += [f"{qid} Q0 {aid} {n} {1.0 / n:.6f} qa" for n, aid in enumerate(ids, 1)]
        if r["answerable"]:
            rel = set(qrels.get(r["id"], ())) | {aid for aid, ok in zip(ids, r["right"]) if ok}
            qrel_lines += [f"{qid} 0 {aid} 1" for aid in sorted(rel)]
    (out / "run.trec").write_text("\n".join(run_lines) + ("\n" if run_lines else ""), "utf-8")
    (out / "qrels.trec").write_text("\n".join(qrel_lines) + ("\n" if qrel_lines else ""), "utf-8")
    return out / "run.trec", out / "qrels.trec"
