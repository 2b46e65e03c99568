"""Scoring for the evaluation harness: matching, metrics and paired significance tests.

Everything here works on the per-question records of a report (plain dicts, as saved
in the JSON report), so a saved report can be re-scored or compared later without the
index. Ranking metrics come from ranx (qrels/run objects), imported lazily because it
pulls in numba.
"""
from __future__ import annotations

import hashlib
import math
from typing import Iterable, Optional, Sequence

import numpy as np

from qa.ingest.textnorm import fold

RANK_K = 10                      # answers asked for: MRR@10
RANX_METRICS = {"hit@1": "hit_rate@1", "hit@3": "hit_rate@3", "mrr@10": "mrr@10"}
NO_RIGHT_ANSWER = "__none__"     # qrels need one relevant id even when nothing returned is right
RESAMPLES = 10_000
DISAGREEMENT = "disagreement"    # the kind of question whose articles disagree


# ------------------------------------------------------------------ matching
def fold_phrases(expected: Iterable[str]) -> list[str]:
    return [f for f in (fold(p) for p in expected) if f]


def is_right(text: str, folded_expected: Sequence[str]) -> bool:
    """A sentence is right when, folded, it contains any folded expected phrase."""
    t = fold(text)
    return any(p in t for p in folded_expected)


def valid_sides(sides) -> bool:
    """A question's ``sides``: two or more lists of key phrases, each with a non-empty one."""
    return isinstance(sides, list) and len(sides) >= 2 and all(
        isinstance(side, list) and all(isinstance(p, str) for p in side) and fold_phrases(side)
        for side in sides)


def sides_quoted(record: dict) -> bool:
    """Every side of the question's disagreement is in some returned answer (True when
    the question lists no sides)."""
    texts = [a["text"] for a in record["answers"]]
    return all(any(is_right(t, fold_phrases(side)) for t in texts) for side in record.get("sides") or [])


def answer_id(answer: dict) -> str:
    """Stable id of an answer: ``doc_id:start-end`` of its first citation. Whitespace is
    replaced so the id is one TREC field."""
    cites = answer.get("citations") or []
    if not cites:
        digest = hashlib.blake2b(answer.get("text", "").encode("utf-8", "surrogatepass"), digest_size=8)
        return "nocite:" + digest.hexdigest()
    c = cites[0]
    return "_".join(f"{c['doc_id']}:{c['start']}-{c['end']}".split())


def answer_ids(answers: Sequence[dict]) -> list[str]:
    """Ids for a ranked answer list, made unique within it (a repeat gets ``#n``)."""
    out: list[str] = []
    for a in answers:
        aid, n = answer_id(a), 1
        while aid in out:
            n += 1
            aid = f"{answer_id(a)}#{n}"
        out.append(aid)
    return out


# ------------------------------------------------------------------ metrics
def ranking_scores(records: Sequence[dict]) -> dict[str, dict[str, float]]:
    """Per answerable question: hit@1, hit@3 and mrr@10 from ranx. The run keeps the
    assistant's order exactly (rank r scores 1/r); an abstention is an empty run."""
    ans = [r for r in records if r["answerable"]]
    if not ans:
        return {}
    from ranx import Qrels, Run, evaluate  # lazy: numba

    qrels, run = {}, {}
    for r in ans:
        ids = answer_ids(r["answers"])[:RANK_K]
        right = {i: 1 for i, ok in zip(ids, r["right"]) if ok}
        qrels[r["id"]] = right or {NO_RIGHT_ANSWER: 1}
        run[r["id"]] = {i: 1.0 / n for n, i in enumerate(ids, 1)}
    q, rn = Qrels(qrels), Run(run)
    evaluate(q, rn, list(RANX_METRICS.values()), return_mean=True)
    per = rn.scores
    return {qid: {name: float(per[m][qid]) for name, m in RANX_METRICS.items()} for qid in qrels}


def _ratio(num: float, den: float) -> Optional[float]:
    return None if den == 0 else round(num / den, 4)


def _abstention(records: Sequence[dict]) -> dict:
    """Positive class = abstained. Precision/recall/F1 over all questions; false
    abstentions are abstentions on answerable questions."""
    tp = sum(1 for r in records if r["abstained"] and not r["answerable"])
    fp = sum(1 for r in records if r["abstained"] and r["answerable"])
    fn = sum(1 for r in records if not r["abstained"] and not r["answerable"])
    n_ans = sum(1 for r in records if r["answerable"])
    p, rc = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    f1 = None if p is None or rc is None else (0.0 if p + rc == 0 else round(2 * p * rc / (p + rc), 4))
    return {"abstention_precision": p, "abstention_recall": rc, "abstention_f1": f1,
            "false_abstention_rate": _ratio(fp, n_ans)}


def _confidence(records: Sequence[dict]) -> dict:
    """How often the first answer is right when the assistant answers plainly, and when it
    answers but says it may not answer directly (a message beside answers; ask()'s
    ``confident`` score). An answer to an unanswerable question counts as wrong."""
    answered = [r for r in records if not r["abstained"] and r["answers"]]
    unsure = [r for r in answered if r.get("message")]
    sure = [r for r in answered if not r.get("message")]

    def right(rs):
        return sum(1 for r in rs if r["answerable"] and r["right"] and r["right"][0])
    return {"unsure_share": _ratio(len(unsure), len(answered)),
            "precision_sure": _ratio(right(sure), len(sure)),
            "precision_unsure": _ratio(right(unsure), len(unsure))}


def _disagreement(records: Sequence[dict]) -> dict:
    """Recall: share of disagreement questions where a disagreement is reported and every
    side is quoted by a returned answer. False alarms: share of the other questions that
    report one."""
    dis = [r for r in records if r["kind"] == DISAGREEMENT]
    other = [r for r in records if r["kind"] != DISAGREEMENT]
    found = sum(1 for r in dis if r.get("disagreements") and sides_quoted(r))
    alarms = sum(1 for r in other if r.get("disagreements"))
    return {"disagreement_recall": _ratio(found, len(dis)),
            "disagreement_false_alarm_rate": _ratio(alarms, len(other))}


def _latency(records: Sequence[dict]) -> dict:
    ms = [r["latency_ms"] for r in records if r.get("latency_ms") is not None]
    if not ms:
        return {"latency_p50_ms": None, "latency_p95_ms": None}
    return {"latency_p50_ms": round(float(np.percentile(ms, 50)), 1),
            "latency_p95_ms": round(float(np.percentile(ms, 95)), 1)}


def summary(records: Sequence[dict], ranks: dict[str, dict[str, float]]) -> dict:
    """Metrics of one group of records (ranking metrics are means of ``ranks``)."""
    ans = [r for r in records if r["answerable"]]
    out: dict = {"questions": len(records), "answerable": len(ans),
                 "unanswerable": len(records) - len(ans),
                 "accuracy": _ratio(sum(1 for r in records if r["correct"]), len(records))}
    for name in RANX_METRICS:
        out[name] = _ratio(sum(ranks[r["id"]][name] for r in ans), len(ans))
    out.update(_abstention(records))
    out.update(_confidence(records))
    out.update(_disagreement(records))
    faithful = [ok for r in records for ok in r["faithful"]]
    out["answers"] = len(faithful)
    out["faithfulness"] = _ratio(sum(faithful), len(faithful))
    out.update(_latency(records))
    return out


def compute(records: Sequence[dict]) -> dict:
    """Overall metrics plus the same metrics for each ``kind``."""
    ranks = ranking_scores(records)
    out = summary(records, ranks)
    kinds = sorted({r["kind"] for r in records})
    out["by_kind"] = {k: summary([r for r in records if r["kind"] == k], ranks) for k in kinds}
    return out


# ------------------------------------------------------------------ significance
def reciprocal_rank(record: dict) -> float:
    rank = record.get("rank")
    return 1.0 / rank if rank and rank <= RANK_K else 0.0


def mcnemar(old: Sequence[bool], new: Sequence[bool]) -> dict:
    """Exact McNemar test on paired correctness: a binomial test on the discordant pairs."""
    from scipy.stats import binomtest

    lost = sum(1 for o, n in zip(old, new) if o and not n)
    won = sum(1 for o, n in zip(old, new) if n and not o)
    p = 1.0 if lost + won == 0 else float(binomtest(won, lost + won, 0.5).pvalue)
    return {"test": "mcnemar_exact", "n": len(old), "old_only": lost, "new_only": won, "p": round(p, 4)}


def paired_randomization(old: Sequence[float], new: Sequence[float], resamples: int = RESAMPLES,
                         seed: int = 0) -> dict:
    """Two-sided paired randomization (sign-flip) test of the mean difference new - old."""
    d = np.asarray(new, float) - np.asarray(old, float)
    out = {"test": "paired_randomization", "n": int(len(d)),
           "mean_delta": round(float(d.mean()), 4) if len(d) else 0.0}
    if not len(d) or not np.any(d):
        return {**out, "p": 1.0}
    from scipy.stats import permutation_test

    res = permutation_test((d,), lambda x, axis=-1: np.mean(x, axis=axis), permutation_type="samples",
                           n_resamples=resamples, alternative="two-sided", random_state=seed, vectorized=True)
    return {**out, "p": round(float(res.pvalue), 4)}


def compare(old_report: dict, new_report: dict) -> dict:
    """Per-metric deltas (overall) and paired tests on the questions in both reports."""
    deltas = {}
    for name, new in new_report["metrics"].items():
        old = old_report.get("metrics", {}).get(name)
        if isinstance(new, (int, float)) and isinstance(old, (int, float)) and not isinstance(new, bool):
            delta = new - old if isinstance(new, int) and isinstance(old, int) else round(new - old, 4)
            deltas[name] = {"old": old, "new": new, "delta": delta}
    old_by_id = {r["id"]: r for r in old_report.get("questions", [])}
    pairs = [(old_by_id[r["id"]], r) for r in new_report["questions"] if r["id"] in old_by_id]
    ans = [(o, n) for o, n in pairs if n["answerable"]]
    tests = {
        "correct": mcnemar([bool(o["correct"]) for o, _ in pairs], [bool(n["correct"]) for _, n in pairs]),
        "reciprocal_rank": paired_randomization([reciprocal_rank(o) for o, _ in ans],
                                                [reciprocal_rank(n) for _, n in ans]),
    }
    changed = [n["id"] for o, n in pairs if bool(o["correct"]) != bool(n["correct"])]
    return {"metrics": deltas, "paired": len(pairs), "tests": tests, "changed": changed}


def format_compare(cmp: dict) -> str:
    lines = [f"{'metric':<24}{'old':>12}{'new':>12}{'delta':>12}"]
    for name, d in cmp["metrics"].items():
        delta = f"{d['delta']:+d}" if isinstance(d["delta"], int) else f"{d['delta']:+.4f}"
        lines.append(f"{name:<24}{_num(d['old']):>12}{_num(d['new']):>12}{delta:>12}")
    c, r = cmp["tests"]["correct"], cmp["tests"]["reciprocal_rank"]
    lines.append(f"paired on {cmp['paired']} questions present in both reports")
    lines.append(f"  correctness: exact McNemar p={c['p']:.4f} "
                 f"(right only before: {c['old_only']}, right only now: {c['new_only']})")
    lines.append(f"  reciprocal rank (answerable, n={r['n']}): paired randomization p={r['p']:.4f} "
                 f"(mean delta {r['mean_delta']:+.4f}, {RESAMPLES} resamples)")
    if cmp["changed"]:
        lines.append("  changed: " + ", ".join(cmp["changed"]))
    return "\n".join(lines)


def _num(x) -> str:
    return f"{x:.4f}" if isinstance(x, float) and not math.isnan(x) and abs(x) < 100 else \
        (f"{x:.1f}" if isinstance(x, float) else str(x))
