"""WikiQA answer selection and answer triggering (Yang et al., 2015) with the project's pipeline.

    .venv/bin/python bench/wikiqa.py --wikiqa ../shared/data/wikiqa/WikiQA-test.tsv --study --json OUT

Pool: the 619 Wikipedia summaries (DocumentID) of the WikiQA test set. Each becomes one
``Article`` whose text is its sentences, in SentenceID order, joined by a single space,
and whose body is the whole text. The pipeline re-splits the text with ``qa.ingest.split`` and
drops very short units, so its sentence rows need not equal WikiQA's sentences.
Every question is asked of its own summary only (``filters={"doc_ids": [DocumentID]}``).

Gold rule: a pipeline sentence row is correct for a question when more than half of the
row's characters lie inside the question's Label=1 WikiQA sentences (span overlap). A
WikiQA answer split into two rows makes both correct; a row merging an answer with a
longer non-answer is not. An answerable question with no correct row (its answer was
dropped or merged away) counts as a miss everywhere (``gold_missing``).

Metrics
  selection   the 243 answerable questions, each ranked within its summary: MAP, MRR (ranx,
              whole ranking) and Hit@1, for the rankers below over the same index:
                position  the summary's own order (a reference, no scoring)
                bm25      built.bm25_sent scores of the question tokens, restricted to the doc
                dense     cosine of the MiniLM question vector with the doc's sentence vectors
                hybrid    Assistant.rank(question, filters=doc): the shipped scoring
              ties (BM25 zeros) are broken by position in the summary.
  triggering  all 633 questions with the hybrid; the assistant answers when its best fused
              score reaches the threshold. Abstention recall on the 390 unanswerable,
              false-abstention rate on the 243 answerable, and WikiQA answer-triggering
              precision / recall / F1: a question is correct when it is answerable, answered
              and its top row is correct; P = correct / answered, R = correct / answerable.
              Tuned threshold: chosen on even QuestionID numbers, reported on odd ones.
  --study     per-question signals of the top candidate and of the ranking; ROC AUC of each
              (answerable vs not) on the odd half; a standardised logistic regression whose
              features are picked by forward selection on the even half, its AUC and
              triggering F1 on the odd half; the same for single signals (direction and
              threshold chosen on even); bootstrap intervals over odd questions; and each
              fusion feature column ranked alone (selection ablation). Nothing reported is
              tuned on the odd half. (bench/wikiqa_study.py)
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
from common import indexed_pool, run_details  # noqa: E402  (also sets the offline environment)

METRICS = {"MAP": "map", "MRR": "mrr", "Hit@1": "hit_rate@1"}
Span = tuple[int, int]


@dataclass(frozen=True)
class Question:
    qid: str
    number: int                 # numeric part of QuestionID: even -> tuning half, odd -> report half
    text: str
    doc: int                    # article index in the pool
    doc_id: str
    gold: frozenset[int]        # SentenceID indices (within the doc) with Label=1

    @property
    def answerable(self) -> bool:
        return bool(self.gold)


@dataclass
class Ranked:
    """One question's hybrid ranking and whether each ranked row is correct."""
    rows: np.ndarray
    scores: np.ndarray
    correct: np.ndarray


# ------------------------------------------------------------------ data
def read_tsv(path: str | os.PathLike) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def load_wikiqa(path: str | os.PathLike):
    """(articles, spans, questions). ``spans[d][i]`` is WikiQA sentence i of article d,
    as [start, end) offsets into ``articles[d].text``."""
    from qa.ingest.corpus import content_hash
    from qa.types import Article

    rows = read_tsv(path)
    sents: dict[str, dict[int, str]] = {}
    titles: dict[str, str] = {}
    for r in rows:
        sents.setdefault(r["DocumentID"], {})[int(r["SentenceID"].rsplit("-", 1)[1])] = r["Sentence"]
        titles[r["DocumentID"]] = r["DocumentTitle"]
    articles, spans, doc_index = [], [], {}
    for did, by_id in sents.items():
        text, doc_spans = "", []
        for i in sorted(by_id):
            start = len(text) + (1 if text else 0)
            text = f"{text} {by_id[i]}" if text else by_id[i]
            doc_spans.append((start, len(text)))
        doc_index[did] = len(articles)
        articles.append(Article(doc_id=did, text=text, title=titles[did],
                                content_hash=content_hash(f"wikiqa:{did}:{text}"), body=((0, len(text)),)))
        spans.append(doc_spans)
    return articles, spans, _questions(rows, doc_index)


def _questions(rows: list[dict], doc_index: dict[str, int]) -> list[Question]:
    by_q: dict[str, list[dict]] = {}
    for r in rows:
        by_q.setdefault(r["QuestionID"], []).append(r)
    out = []
    for qid, rs in by_q.items():
        did = rs[0]["DocumentID"]
        gold = frozenset(int(r["SentenceID"].rsplit("-", 1)[1]) for r in rs if r["Label"].strip() == "1")
        out.append(Question(qid, int(qid.lstrip("Q")), rs[0]["Question"], doc_index[did], did, gold))
    return sorted(out, key=lambda q: q.number)


def doc_rows(built) -> list[np.ndarray]:
    """Sentence-table rows of each article (contiguous, in text order)."""
    s_doc = np.asarray(built.tables.s_doc)
    bounds = np.searchsorted(s_doc, np.arange(len(built.articles) + 1))
    return [np.arange(bounds[d], bounds[d + 1]) for d in range(len(built.articles))]


def correct_rows(built, q: Question, rows: np.ndarray, spans: list[list[Span]]) -> np.ndarray:
    """The gold rule: more than half of the row's characters inside a Label=1 sentence."""
    t = built.tables
    gold = [spans[q.doc][i] for i in q.gold]
    out = np.zeros(len(rows), dtype=bool)
    for k, r in enumerate(rows):
        s, e = int(t.s_start[r]), int(t.s_end[r])
        inside = sum(max(0, min(e, ge) - max(s, gs)) for gs, ge in gold)
        out[k] = 2 * inside > (e - s)
    return out


def split_stats(built, spans: list[list[Span]], questions: list[Question],
                golds: list[np.ndarray]) -> dict:
    """How the project's splitter treats WikiQA's sentences."""
    t = built.tables
    rows = {(int(t.s_doc[i]), int(t.s_start[i]), int(t.s_end[i])) for i in range(len(t.sent_ids))}
    exact = sum((d, s, e) in rows for d, ds in enumerate(spans) for s, e in ds)
    return {"wikiqa_sentences": sum(len(s) for s in spans), "pipeline_rows": len(t.sent_ids),
            "wikiqa_sentences_kept_exactly": exact,
            "articles_without_rows": sum(1 for d in range(len(spans)) if not (t.s_doc == d).any()),
            "answerable_questions": sum(q.answerable for q in questions),
            "gold_missing": sum(1 for q, g in zip(questions, golds) if q.answerable and not g.any())}


# ------------------------------------------------------------------ index and rankings
def order(rows: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Best first; ties by position in the summary (lower row first)."""
    o = np.lexsort((rows, -scores))
    return rows[o], scores[o]


def rankers(built, assistant) -> dict[str, Callable[[Question, np.ndarray], tuple[np.ndarray, np.ndarray]]]:
    from qa.answer.engine import clean_question

    tok, enc = built.tokenizer, assistant.encoder
    vectors = built.dense.vectors

    def bm25(q: Question, rows: np.ndarray):
        return order(rows, built.bm25_sent.get_scores(tok(q.text))[rows])

    def dense(q: Question, rows: np.ndarray):
        qv = enc.encode_query(clean_question(q.text))
        return order(rows, np.asarray(vectors[rows]) @ qv)

    def hybrid(q: Question, rows: np.ndarray):
        return assistant.rank(q.text, filters={"doc_ids": [q.doc_id]})

    def position(q: Question, rows: np.ndarray):   # reference: the summary's own order
        return rows, -np.arange(len(rows), dtype=float)

    return {"position": position, "bm25": bm25, "dense": dense, "hybrid": hybrid}


def run_queries(built, assistant, questions: list[Question], rows_of: list[np.ndarray],
                progress: bool) -> tuple[dict[str, list[tuple[np.ndarray, np.ndarray]]], dict]:
    """Every ranker's (rows, scores) per question, and seconds spent per step."""
    from tqdm import tqdm

    from qa.answer.engine import clean_question

    secs = {"encode_questions": time.perf_counter()}
    assistant.encoder.prime([clean_question(q.text) for q in questions])   # batched
    secs["encode_questions"] = time.perf_counter() - secs["encode_questions"]
    fns = rankers(built, assistant)
    runs: dict[str, list] = {name: [] for name in fns}
    clock = {name: 0.0 for name in fns}
    for q in tqdm(questions, desc="queries", disable=not progress, file=sys.stderr, mininterval=2):
        for name, fn in fns.items():
            t = time.perf_counter()
            runs[name].append(fn(q, rows_of[q.doc]))
            clock[name] += time.perf_counter() - t
    secs.update(clock)
    return runs, {k: round(v, 2) for k, v in secs.items()}


# ------------------------------------------------------------------ answer selection
def selection(questions: list[Question], golds: list[np.ndarray], rows_of: list[np.ndarray],
              run: list[tuple[np.ndarray, np.ndarray]]) -> dict:
    """MAP, MRR and Hit@1 with ranx over the answerable questions. Rank order is kept by
    giving rank r the score 1/r; a question without a correct row gets a fake gold."""
    from ranx import Qrels, Run, evaluate

    qrels, ranked = {}, {}
    for q, g, (rows, _) in zip(questions, golds, run):
        if not q.answerable:
            continue
        qrels[q.qid] = {f"r{r}": 1 for r in rows_of[q.doc][g]} or {"missing": 1}
        ranked[q.qid] = {f"r{int(r)}": 1.0 / k for k, r in enumerate(rows, 1)} or {"none": 0.0}
    res = evaluate(Qrels(qrels), Run(ranked), list(METRICS.values()))
    out = {"questions": len(qrels), **{n: round(float(res[m]), 4) for n, m in METRICS.items()}}
    # Plain-Python cross-check (bench/reqa_squad.py says why): the share of first rows right.
    firsts = [bool(len(rows)) and f"r{int(rows[0])}" in qrels[q.qid]
              for q, (rows, _) in zip(questions, run) if q.answerable]
    hit1 = sum(firsts) / max(1, len(firsts))
    if "Hit@1" in out and abs(out["Hit@1"] - hit1) > 1e-3:
        raise SystemExit(f"wikiqa: ranx gave Hit@1 {out['Hit@1']} but the plain count is {hit1:.4f}")
    return out


# ------------------------------------------------------------------ answer triggering
def triggering(answer: np.ndarray, answerable: np.ndarray, top_correct: np.ndarray) -> dict:
    """WikiQA answer triggering for the decision ``answer`` (True = not abstained)."""
    abstain = ~answer
    good = answerable & answer & top_correct
    p = good.sum() / answer.sum() if answer.any() else 0.0
    r = good.sum() / answerable.sum() if answerable.any() else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"questions": int(len(answer)), "answered": int(answer.sum()),
            "abstention_recall_unanswerable": _share(abstain[~answerable]),
            "false_abstention_answerable": _share(abstain[answerable]),
            "precision": round(float(p), 4), "recall": round(float(r), 4), "F1": round(float(f1), 4)}


def _share(x: np.ndarray) -> float:
    return round(float(x.mean()), 4) if len(x) else 0.0


def best_threshold(score: np.ndarray, answerable: np.ndarray, top_correct: np.ndarray) -> tuple[float, float]:
    """The threshold (answer when score >= it) with the best triggering F1 on these
    questions; ties go to the lowest threshold. Candidates: every observed score, +inf."""
    best = (float("inf"), -1.0)
    for t in sorted(set(score.tolist())) + [float("inf")]:
        f1 = triggering(score >= t, answerable, top_correct)["F1"]
        if f1 > best[1]:
            best = (float(t), f1)
    return best


def triggering_report(questions: list[Question], hybrid: list[Ranked], threshold: float) -> dict:
    top = np.array([r.scores[0] if len(r.scores) else -np.inf for r in hybrid])
    ans = np.array([q.answerable for q in questions])
    ok = np.array([bool(r.correct[0]) if len(r.correct) else False for r in hybrid])
    even = np.array([q.number % 2 == 0 for q in questions])
    out = {"threshold": threshold,
           "shipped_all": triggering(top >= threshold, ans, ok),
           "shipped_odd": triggering(top[~even] >= threshold, ans[~even], ok[~even])}
    out["answer_all_odd"] = triggering(np.ones((~even).sum(), bool), ans[~even], ok[~even])
    out["oracle_odd"] = triggering(ok[~even], ans[~even], ok[~even])   # answers iff its top row is right
    t, f1_even = best_threshold(top[even], ans[even], ok[even])
    out["tuned"] = {"threshold": round(t, 4), "even_F1": round(f1_even, 4),
                    "odd": triggering(top[~even] >= t, ans[~even], ok[~even])}
    return out


# ------------------------------------------------------------------ main
def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--wikiqa", required=True, help="WikiQA-test.tsv (../shared/data/wikiqa/WikiQA-test.tsv)")
    p.add_argument("--json", help="write the results here")
    p.add_argument("--study", action="store_true", help="also the abstention-signal study")
    p.add_argument("--reuse-index", metavar="DIR",
                   help="development only: save the built pool index here, or load it if present "
                        "(index time then measures loading, and the output says so)")
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args(argv)
    out = run(args)
    print(json.dumps(out, indent=2))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(out, indent=2) + "\n", "utf-8")
    return 0


def run(args) -> dict:
    t0, c0 = time.perf_counter(), time.process_time()
    articles, spans, questions = load_wikiqa(args.wikiqa)
    assistant, reused, t_idx = indexed_pool(articles, args.reuse_index, not args.quiet)
    built = assistant.built
    rows_of = doc_rows(built)
    golds = [correct_rows(built, q, rows_of[q.doc], spans) for q in questions]
    t_q = time.perf_counter()
    runs, steps = run_queries(built, assistant, questions, rows_of, not args.quiet)
    t_q = time.perf_counter() - t_q
    hybrid = [Ranked(rows, sc, _correct_of(rows, rows_of[q.doc], g))
              for q, g, (rows, sc) in zip(questions, golds, runs["hybrid"])]
    out: dict = {"pool": {"articles": len(articles), "questions": len(questions),
                          **split_stats(built, spans, questions, golds)},
                 "selection": {name: selection(questions, golds, rows_of, r) for name, r in runs.items()},
                 # Even QuestionID numbers tune (and trained the answer model), odd ones report.
                 "selection_by_half": {half: {name: selection([questions[i] for i in sel], [golds[i] for i in sel],
                                                              rows_of, [r[i] for i in sel])
                                              for name, r in runs.items()}
                                       for half, sel in _halves(questions).items()},
                 "triggering": triggering_report(questions, hybrid, assistant.config.threshold)}
    secs = {"index": round(t_idx, 1), "queries": round(t_q, 1)}
    if args.study:
        from wikiqa_study import study

        t_s = time.perf_counter()
        out["study"] = study(assistant, questions, golds, rows_of, hybrid, not args.quiet)
        secs["study"] = round(time.perf_counter() - t_s, 1)
    secs.update({"total": round(time.perf_counter() - t0, 1), "cpu": round(time.process_time() - c0, 1)})
    out["seconds"] = secs
    out["query_seconds_by_step"] = steps
    out.update(_details(assistant, reused))
    return out


def _halves(questions) -> dict[str, list[int]]:
    return {half: [i for i, q in enumerate(questions) if q.number % 2 == parity]
            for half, parity in (("even", 0), ("odd", 1))}


def _correct_of(ranked: np.ndarray, rows: np.ndarray, gold: np.ndarray) -> np.ndarray:
    good = set(rows[gold].tolist())
    return np.array([int(r) in good for r in ranked], dtype=bool)


def _details(assistant, reused: bool) -> dict:
    return {"index_reused": reused, **run_details(assistant)}


if __name__ == "__main__":
    sys.exit(main())
