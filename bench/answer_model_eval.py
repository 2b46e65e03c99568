"""The answer-selection model on the REPORT halves (never trained or tuned on), and its cost.

    .venv/bin/python bench/answer_model_eval.py --model models/answer-minilm \
        --squad ../shared/data/squad/dev-v1.1.json --wikiqa ../shared/data/wikiqa/WikiQA-test.tsv \
        --latency --json OUT

ReQA-SQuAD, odd article index: the pool is every sentence (qa.ingest.split) of every SQuAD dev
  paragraph, both halves, as in ReQA. Each question's candidates are the top 20 of a simple
  BM25 + dense pool (reciprocal-rank fusion, k=60, of the top 100 by BM25 with the project
  tokenizer and the top 100 by MiniLM cosine). Reported: MRR@10 of that pool order, of the
  model alone re-ranking the 20, of a fixed 50/50 blend (model probability + min-max pool
  score; fixed in advance, not tuned), the share of questions whose gold sentence is in the
  20 at all, and "answer present" AUC: each question's top probability with its gold
  sentence among the candidates against without it (questions with the gold in the 20).
WikiQA, odd question number: each question's own WikiQA sentences, scored as they are.
  MAP and MRR over questions with a correct sentence (the standard filter), model alone and
  MiniLM cosine; AUC of the top probability (top cosine) for "has an answer" vs not, over all.
--news: the news question set's --news-split half (tune for choices, report for figures):
  the engine's own top 20 (the stage off) re-ranked by the model alone; hit@1 (a sentence is
  right when it holds an expected phrase, as in qa eval) and the AUC of the top score for
  answerable vs unanswerable, engine and model.
--latency: ``AnswerScorer.score`` on 10 and 20 real candidate sentences, p50/p90 of 50 runs
  after 3 warm-ups, torch threads 2 and 1, fp32 and dynamic int8.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
from common import commit  # noqa: E402  (also sets the offline environment)

K_CAND, K_MRR, RRF_K = 20, 10, 60


# ------------------------------------------------------------------ metrics
def auc(pos: np.ndarray, neg: np.ndarray) -> float:
    """ROC AUC = P(a positive scores above a negative), ties counted half (Mann-Whitney)."""
    pos, neg = np.asarray(pos, float), np.asarray(neg, float)
    if not len(pos) or not len(neg):
        return float("nan")
    allv = np.concatenate([pos, neg])
    order = allv.argsort(kind="stable")
    ranks = np.empty(len(allv))
    ranks[order] = np.arange(1, len(allv) + 1)
    for v in np.unique(allv):            # average ranks over ties
        tie = allv == v
        ranks[tie] = ranks[tie].mean()
    return float((ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def rank_of_gold(scores: np.ndarray, gold: np.ndarray) -> int | None:
    """1-based rank of the best gold candidate under ``scores`` (stable: earlier wins ties)."""
    order = np.argsort(-scores, kind="stable")
    hits = np.flatnonzero(gold[order])
    return int(hits[0]) + 1 if len(hits) else None


def mrr_at(ranks: list[int | None], k: int) -> float:
    return float(np.mean([1.0 / r if r is not None and r <= k else 0.0 for r in ranks]))


def average_precision(scores: np.ndarray, gold: np.ndarray) -> float:
    order = np.argsort(-scores, kind="stable")
    g = gold[order].astype(float)
    hits = np.cumsum(g)
    return float((g * hits / np.arange(1, len(g) + 1)).sum() / g.sum())


def minmax(x: np.ndarray) -> np.ndarray:
    span = x.max() - x.min()
    return (x - x.min()) / span if span > 0 else np.zeros_like(x)


# ------------------------------------------------------------------ ReQA-SQuAD
def squad_pool(path: str):
    """(sentences, sentence paragraph, sentence spans, odd-article questions)."""
    from reqa_squad import load_squad

    from qa.ingest.split import sentences

    articles, questions = load_squad(path)
    texts, para, spans = [], [], []
    for d, art in enumerate(articles):
        for s, e in sentences(art.text, 0, len(art.text)):
            texts.append(art.text[s:e])
            para.append(d)
            spans.append((s, e))
    return texts, np.array(para), spans, [q for q in questions if q.article % 2 == 1]


def reqa_candidates(texts, questions, cache: str | None, progress: bool):
    """Top-20 rows per question by reciprocal-rank fusion of BM25 and MiniLM cosine."""
    from qa.index.bm25 import BM25Index, top_k
    from qa.index.encoder import Encoder
    from qa.ingest.textnorm import Tokenizer

    tok = Tokenizer()
    bm25 = BM25Index.build(tok(t) for t in texts)
    vec_file = Path(cache) / "reqa_pool_vectors.npy" if cache else None
    enc = Encoder().warm_up()
    if vec_file and vec_file.exists() and len(np.load(vec_file, mmap_mode="r")) == len(texts):
        vecs = np.load(vec_file)
    else:
        vecs = enc.encode(texts, progress=progress)
        if vec_file:
            vec_file.parent.mkdir(parents=True, exist_ok=True)
            np.save(vec_file, vecs)
    qvecs = enc.encode([q.text for q in questions], progress=progress)
    out = []
    for q, qv in zip(questions, qvecs):
        fused: dict[int, float] = {}
        for rows in (top_k(bm25.get_scores(tok(q.text)), 100)[0], np.argsort(-(vecs @ qv), kind="stable")[:100]):
            for r, row in enumerate(rows, 1):
                fused[int(row)] = fused.get(int(row), 0.0) + 1.0 / (RRF_K + r)
        best = sorted(fused, key=lambda row: (-fused[row], row))[:K_CAND]
        out.append((np.array(best), np.array([fused[b] for b in best])))
    return out


def eval_reqa(scorer, path: str, every: int, cache: str | None, progress: bool) -> dict:
    from tqdm import tqdm

    texts, para, spans, questions = squad_pool(path)
    questions = questions[::every]        # a spread sample: every odd article is represented
    t = time.perf_counter()
    cands = reqa_candidates(texts, questions, cache, progress)
    t_pool = time.perf_counter() - t
    ranks = {"pool": [], "model": [], "blend_50_50": []}
    present, absent, t = [], [], time.perf_counter()
    for q, (rows, pool_score) in tqdm(list(zip(questions, cands)), disable=not progress, file=sys.stderr,
                                      mininterval=5, desc="reqa"):
        gold = np.array([para[r] == q.doc and any(spans[r][0] <= s < spans[r][1] for s in q.starts)
                         for r in rows])
        p = scorer.score(q.text, [texts[r] for r in rows])
        for name, s in (("pool", pool_score), ("model", p), ("blend_50_50", 0.5 * p + 0.5 * minmax(pool_score))):
            ranks[name].append(rank_of_gold(s, gold))
        if gold.any() and (~gold).any():
            present.append(p.max())
            absent.append(p[~gold].max())
    out = {"questions": len(questions), "every": every, "pool_sentences": len(texts),
           "gold_in_top20": round(float(np.mean([r is not None for r in ranks["pool"]])), 4)}
    out.update({f"MRR@10 {name}": round(mrr_at(r, K_MRR), 4) for name, r in ranks.items()})
    out.update({f"R@1 {name}": round(mrr_at(r, 1), 4) for name, r in ranks.items()})
    out["answer_present_AUC"] = round(auc(np.array(present), np.array(absent)), 4)
    out["seconds"] = {"candidates": round(t_pool, 1), "scoring": round(time.perf_counter() - t, 1)}
    return out


# ------------------------------------------------------------------ WikiQA
def eval_wikiqa(scorer, path: str) -> dict:
    from wikiqa import read_tsv

    from qa.index.encoder import Encoder

    by_q: dict[str, list[dict]] = {}
    for r in read_tsv(path):
        if int(r["QuestionID"][1:]) % 2 == 1:
            by_q.setdefault(r["QuestionID"], []).append(r)
    enc = Encoder().warm_up()
    res = {"model": {"ap": [], "rr": [], "top_pos": [], "top_neg": []},
           "cosine": {"ap": [], "rr": [], "top_pos": [], "top_neg": []}}
    for rows in by_q.values():
        q, sents = rows[0]["Question"].strip(), [r["Sentence"].strip() for r in rows]
        gold = np.array([r["Label"] == "1" for r in rows])
        scores = {"model": scorer.score(q, sents), "cosine": enc.encode(sents) @ enc.encode([q])[0]}
        for name, s in scores.items():
            acc = res[name]
            acc["top_pos" if gold.any() else "top_neg"].append(float(s.max()))
            if gold.any():
                acc["ap"].append(average_precision(s, gold))
                acc["rr"].append(1.0 / rank_of_gold(s, gold))
    out = {"questions": len(by_q), "answerable": len(res["model"]["ap"])}
    for name, acc in res.items():
        out[name] = {"MAP": round(float(np.mean(acc["ap"])), 4), "MRR": round(float(np.mean(acc["rr"])), 4),
                     "has_answer_AUC": round(auc(np.array(acc["top_pos"]), np.array(acc["top_neg"])), 4)}
    return out


# ------------------------------------------------------------------ news
def eval_news(scorer, questions_path: str, index_dir: str, split: str, k: int = K_CAND) -> dict:
    """The engine's own top ``k`` per question of one split of the news question set (the
    answer-model stage off), re-scored by the model alone.
    hit@1 of the engine's order and of the model alone (answerable questions; a sentence is
    right when it holds an expected phrase, as in qa eval), and the AUC of the top
    probability (top fused score) for answerable vs unanswerable."""
    from qa.answer.engine import Assistant
    from qa.evaluation.eval_metrics import fold_phrases, is_right

    rows = [json.loads(x) for x in Path(questions_path).read_text("utf-8").splitlines() if x.strip()]
    rows = [r for r in rows if r.get("split") == split]
    assistant = Assistant(index_dir)
    assistant.rescorer = None     # the engine's order without this stage: the baseline
    hits = {"engine": [], "model": []}
    top = {"engine": ([], []), "model": ([], [])}
    for r in rows:
        ranked, fused = assistant.rank(r["question"], r.get("history") or [])
        ranked, fused = ranked[:k], np.asarray(fused[:k], float)
        texts = [assistant.sentence_text(int(i)) for i in ranked]
        p = scorer.score(r["question"], texts) if texts else np.zeros(0)
        for name, s in (("engine", fused), ("model", p)):
            top[name][0 if r["answerable"] else 1].append(float(s.max()) if len(s) else 0.0)
            if r["answerable"]:
                right = is_right(texts[int(np.argmax(s))], fold_phrases(r["expected"])) if len(s) else False
                hits[name].append(float(right))
    return {"split": split, "questions": len(rows), "answerable": len(hits["model"]),
            **{f"hit@1 {n}": round(float(np.mean(h)), 4) for n, h in hits.items()},
            **{f"answerable_AUC {n}": round(auc(np.array(a), np.array(b)), 4) for n, (a, b) in top.items()}}


# ------------------------------------------------------------------ latency
def latency(model_dir: str, squad: str, runs: int = 50) -> dict:
    """p50/p90 ms of one score() call on real candidate sentences (odd SQuAD questions)."""
    import torch

    from qa.answer.answer_model import AnswerScorer

    texts, para, _, questions = squad_pool(squad)
    q = questions[0]
    near = [texts[i] for i in np.flatnonzero(para == q.doc)]
    sents = (near + [t for t in texts if len(t.split()) > 12])[:K_CAND]
    out, before = {}, torch.get_num_threads()
    for quant in (False, True):
        scorer = AnswerScorer(model_dir, quantize=quant).warm_up()
        for threads in (2, 1):
            torch.set_num_threads(threads)
            for n in (10, 20):
                for _ in range(3):
                    scorer.score(q.text, sents[:n])
                ms = []
                for _ in range(runs):
                    t = time.perf_counter()
                    scorer.score(q.text, sents[:n])
                    ms.append(1000 * (time.perf_counter() - t))
                out[f"{'int8' if quant else 'fp32'} threads={threads} pairs={n}"] = {
                    "p50_ms": round(float(np.median(ms)), 1), "p90_ms": round(float(np.percentile(ms, 90)), 1)}
    torch.set_num_threads(before)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", default=str(ROOT / "models" / "answer-minilm"))
    p.add_argument("--squad", required=True)
    p.add_argument("--wikiqa", required=True)
    p.add_argument("--fp32", action="store_true", help="score without int8 quantisation")
    p.add_argument("--every", type=int, default=1,
                   help="ReQA: every Nth odd-article question only (5: ~1,000 of 5,173)")
    p.add_argument("--skip-reqa", action="store_true")
    p.add_argument("--skip-wikiqa", action="store_true")
    p.add_argument("--latency", action="store_true")
    p.add_argument("--news", help="seeds/questions.jsonl: also re-score the engine's top 20 on it")
    p.add_argument("--news-index", default="index", help="index of the news corpus, for --news")
    p.add_argument("--news-split", default="tune", help="tune (for choices) or report")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--cache", help="development: keep the ReQA pool vectors here")
    p.add_argument("--json", help="write the results here")
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args(argv)

    import torch

    from qa.answer.answer_model import AnswerScorer, unavailable_reason

    if unavailable_reason(args.model):
        p.error(unavailable_reason(args.model))
    torch.set_num_threads(args.threads)
    scorer = AnswerScorer(args.model, quantize=not args.fp32).warm_up()
    out = {"model": args.model, "sha256": scorer.config.get("sha256"), "weights": "fp32" if args.fp32 else "int8",
           "threads": args.threads, "commit": commit(), "date": time.strftime("%Y-%m-%d")}
    if not args.skip_wikiqa:
        out["wikiqa_odd"] = eval_wikiqa(scorer, args.wikiqa)
        print(json.dumps(out["wikiqa_odd"]), file=sys.stderr)
    if args.news:
        out["news"] = eval_news(scorer, args.news, args.news_index, args.news_split)
        print(json.dumps(out["news"]), file=sys.stderr)
    if not args.skip_reqa:
        out["reqa_squad_odd"] = eval_reqa(scorer, args.squad, args.every, args.cache, not args.quiet)
    if args.latency:
        out["latency"] = latency(args.model, args.squad)
    print(json.dumps(out, indent=2))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(out, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
