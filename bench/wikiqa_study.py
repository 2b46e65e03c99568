"""The abstention-signal study of bench/wikiqa.py (``--study``): which signals, computable
without another model, tell "answers the question" from "is about the same topic"?
Every choice (signal direction, best signal, features, thresholds) is made on the questions
with an even number; every reported figure is on the odd ones. Results: docs/wikiqa.md.
"""
from __future__ import annotations

import math
import sys

import numpy as np

from wikiqa import Question, Ranked, best_threshold, order, selection, triggering


# ------------------------------------------------------------------ study: signals
SIGNALS = ("fused_top", "fused_margin", "fused_gap_mean", "dense_sent", "dense_window", "dense_pass",
           "dense_gap_mean", "bm25_sent", "bm25_window", "bm25_pass",
           "cov_sent", "cov_window", "cov_article", "icov_sent", "icov_window", "icov_article",
           "cov_title", "type_match", "has_type", "q_terms", "q_words", "top_position")
# Left out of the logistic regression by design: where the answer sits in a Wikipedia
# summary says nothing about the project's news articles.
NOT_FOR_MODEL = ("top_position",)


# Feature columns ranked alone in the selection ablation. bm25_pass and dense_pass are
# left out: a WikiQA summary is one passage, so they are constant within it.
ABLATION = ("bm25_sent", "bm25_window", "dense_sent", "dense_window")


def collect(assistant, questions: list[Question], hybrid: list[Ranked], progress: bool
            ) -> tuple[np.ndarray, dict[str, list[tuple[np.ndarray, np.ndarray]]]]:
    """One row of SIGNALS per question, from the engine's own candidates and features;
    and, per ABLATION column, each question's candidates ranked by that column alone."""
    from tqdm import tqdm

    idf = Idf(assistant.built)
    out = np.zeros((len(questions), len(SIGNALS)))
    alone: dict[str, list] = {name: [] for name in ABLATION}
    for n, (q, rk) in enumerate(tqdm(list(zip(questions, hybrid)), desc="study", disable=not progress,
                                     file=sys.stderr, mininterval=2)):
        cand, f = assistant.features(q.text, filters={"doc_ids": [q.doc_id]})
        for name in ABLATION:
            alone[name].append(order(cand, np.asarray(f[name], float)))
        top = int(np.flatnonzero(cand == rk.rows[0])[0])    # the shipped ranking's top row
        sig = {name: float(f[name][top]) for name in
               ("dense_sent", "dense_window", "dense_pass", "bm25_sent", "bm25_window", "bm25_pass")}
        sig["dense_gap_mean"] = float(f["dense_sent"][top] - f["dense_sent"].mean())
        sig.update(ranking_signals(rk))
        sig.update(text_signals(assistant, q, int(rk.rows[0]), idf))
        out[n] = [sig[name] for name in SIGNALS]
    return out, alone


def ranking_signals(rk: Ranked) -> dict[str, float]:
    s = rk.scores
    return {"fused_top": float(s[0]),
            "fused_margin": float(s[0] - s[1]) if len(s) > 1 else float(s[0]),
            "fused_gap_mean": float(s[0] - s.mean())}


class Idf:
    """Sentence-level BM25 idf of a token; a token the pool never uses gets the highest
    idf a term can have (as BM25Index.idf_mass counts unknown terms)."""

    def __init__(self, built):
        bm = built.bm25_sent
        self.term_id, self.idf = bm.term_id, bm.idf
        self.top = float(np.log(bm.n_docs + 0.5) - np.log(0.5))

    def __call__(self, token: str) -> float:
        j = self.term_id.get(token)
        return float(self.idf[j]) if j is not None else self.top


def text_signals(assistant, q: Question, top: int, idf: Idf) -> dict[str, float]:
    """Question-term coverage by the top sentence, the top sentence with the one before
    it, the article and its title (plain share and idf-weighted); answer type; length."""
    from qa.answer.answer_type import matches, question_type

    b = assistant.built
    t, tok = b.tables, b.tokenizer
    terms = set(tok(q.text))
    sent = set(tok(assistant.sentence_text(top)))
    prev = set(tok(assistant.sentence_text(top - 1))) if top > 0 and t.s_doc[top - 1] == t.s_doc[top] else set()
    article = set(tok(b.articles[q.doc].text))
    # fsum is exactly rounded, so the result does not depend on set order (hash seed)
    # and full coverage is exactly 1.0.
    mass = math.fsum(idf(x) for x in terms) or 1.0
    share = lambda have: len(terms & have) / len(terms) if terms else 0.0          # noqa: E731
    ishare = lambda have: math.fsum(idf(x) for x in terms & have) / mass if terms else 0.0  # noqa: E731
    kind = question_type(q.text)
    first = int(np.searchsorted(np.asarray(t.s_doc), t.s_doc[top]))
    return {"cov_sent": share(sent), "cov_window": share(sent | prev), "cov_article": share(article),
            "icov_sent": ishare(sent), "icov_window": ishare(sent | prev), "icov_article": ishare(article),
            "cov_title": share(set(tok(b.articles[q.doc].title))),
            "type_match": float(matches(kind, assistant.sentence_text(top), q.text)),
            "has_type": float(kind is not None), "q_terms": float(len(tok(q.text))),
            "q_words": float(len(tok.words(q.text))), "top_position": float(top - first)}


# ------------------------------------------------------------------ study: evaluation
def auc(y: np.ndarray, x: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return round(float(roc_auc_score(y, x)), 4) if 0 < y.sum() < len(y) else float("nan")


def signal_aucs(X: np.ndarray, ans: np.ndarray, ok: np.ndarray, even: np.ndarray) -> dict:
    """Per signal: AUC on the odd half for answerable-vs-not and for 'top row is a
    correct answer'-vs-not; the even-half AUC fixes which direction counts as higher."""
    out = {}
    for j, name in enumerate(SIGNALS):
        out[name] = {"auc_odd": auc(ans[~even], X[~even, j]),
                     "auc_odd_top_correct": auc(ok[~even], X[~even, j]),
                     "auc_even": auc(ans[even], X[even, j]),
                     "auc_even_top_correct": auc(ok[even], X[even, j])}
    return out


def make_model():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=1000))


def cv_scores(X: np.ndarray, y: np.ndarray, folds: int = 5) -> np.ndarray:
    """Out-of-fold probabilities (stratified, fixed seed): for choices made on one half."""
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    cv = StratifiedKFold(folds, shuffle=True, random_state=0)
    return cross_val_predict(make_model(), X, y, cv=cv, method="predict_proba")[:, 1]


def forward_select(X: np.ndarray, y: np.ndarray, allowed: list[int], max_features: int = 5,
                   min_gain: float = 0.002) -> tuple[list[int], list[dict]]:
    """Greedy forward selection by out-of-fold AUC on (X, y): the even half only. Each
    step records every candidate's out-of-fold AUC and which one was added."""
    chosen, steps, best = [], [], 0.5
    while len(chosen) < max_features:
        scored = {j: auc(y, cv_scores(X[:, chosen + [j]], y)) for j in allowed if j not in chosen}
        if not scored:
            break
        j = max(scored, key=lambda k: (scored[k], -k))
        steps.append({"added": SIGNALS[j] if scored[j] >= best + min_gain else None,
                      "even_oof_auc": {SIGNALS[k]: v for k, v in sorted(scored.items(), key=lambda kv: -kv[1])}})
        if scored[j] < best + min_gain:
            break
        chosen.append(j)
        best = scored[j]
    return chosen, steps


def bootstrap(y: np.ndarray, ok: np.ndarray, methods: dict[str, tuple[np.ndarray, np.ndarray]], ref: str,
              n: int = 2000, seed: int = 0) -> dict:
    """95% percentile intervals over resampled odd-half questions: each method's AUC
    (of its score) and triggering F1 (of its answer/abstain decision), and their paired
    differences from method ``ref`` on the same resamples."""
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(seed)
    draws: dict[str, list[tuple[float, float]]] = {name: [] for name in methods}
    for _ in range(n):
        i = rng.integers(0, len(y), len(y))
        if 0 < y[i].sum() < len(i):
            for name, (x, answer) in methods.items():
                draws[name].append((roc_auc_score(y[i], x[i]), triggering(answer[i], y[i], ok[i])["F1"]))
    base = np.array(draws[ref])
    ci = lambda v: [round(float(np.percentile(v, 2.5)), 4), round(float(np.percentile(v, 97.5)), 4)]  # noqa: E731
    out = {}
    for name, v in draws.items():
        v = np.array(v)
        out[name] = {"auc_ci95": ci(v[:, 0]), "F1_ci95": ci(v[:, 1])}
        if name != ref:
            out[name].update({f"auc_minus_{ref}_ci95": ci(v[:, 0] - base[:, 0]),
                              f"F1_minus_{ref}_ci95": ci(v[:, 1] - base[:, 1])})
    return {"resamples": n, "methods": out}


def logistic(X: np.ndarray, ans: np.ndarray, ok: np.ndarray, even: np.ndarray, cols: list[int]
             ) -> tuple[dict, np.ndarray, np.ndarray]:
    """Fit on the even half; the answering threshold on its out-of-fold probabilities is
    chosen on even too; AUC and triggering on the odd half."""
    model = make_model().fit(X[even][:, cols], ans[even])
    t, f1_even = best_threshold(cv_scores(X[even][:, cols], ans[even]), ans[even], ok[even])
    p_odd = model.predict_proba(X[~even][:, cols])[:, 1]
    scaler, lr = model.named_steps["standardscaler"], model.named_steps["logisticregression"]
    return {"features": [SIGNALS[j] for j in cols],
            "coefficients_standardised": {SIGNALS[j]: round(float(c), 4) for j, c in zip(cols, lr.coef_[0])},
            "intercept": round(float(lr.intercept_[0]), 4),
            "feature_mean_even": {SIGNALS[j]: round(float(m), 4) for j, m in zip(cols, scaler.mean_)},
            "feature_std_even": {SIGNALS[j]: round(float(s), 4) for j, s in zip(cols, scaler.scale_)},
            "auc_odd": auc(ans[~even], p_odd), "auc_odd_top_correct": auc(ok[~even], p_odd),
            "threshold_prob": round(t, 4), "even_oof_F1": round(f1_even, 4),
            "triggering_odd": triggering(p_odd >= t, ans[~even], ok[~even])}, p_odd, p_odd >= t


def single_signal(X: np.ndarray, ans: np.ndarray, ok: np.ndarray, even: np.ndarray, name: str
                  ) -> tuple[dict, np.ndarray, np.ndarray]:
    """A single signal as the abstention score: direction and threshold chosen on even."""
    j = SIGNALS.index(name)
    sign = 1.0 if auc(ans[even], X[even, j]) >= 0.5 else -1.0
    x = sign * X[:, j]
    t, f1_even = best_threshold(x[even], ans[even], ok[even])
    return {"signal": name, "direction": "higher = answer" if sign > 0 else "lower = answer",
            "threshold": round(sign * t, 4), "even_F1": round(f1_even, 4),
            "auc_odd": auc(ans[~even], x[~even]),
            "triggering_odd": triggering(x[~even] >= t, ans[~even], ok[~even])}, x[~even], x[~even] >= t


def study(assistant, questions: list[Question], golds: list[np.ndarray], rows_of: list[np.ndarray],
          hybrid: list[Ranked], progress: bool) -> dict:
    """Signals per question; single-signal AUCs; the logistic regression; every choice
    (signal direction, best signal, features, thresholds) on the even half."""
    X, alone = collect(assistant, questions, hybrid, progress)
    ans = np.array([q.answerable for q in questions])
    ok = np.array([bool(r.correct[0]) if len(r.correct) else False for r in hybrid])
    even = np.array([q.number % 2 == 0 for q in questions])
    aucs = signal_aucs(X, ans, ok, even)
    allowed = [j for j, s in enumerate(SIGNALS) if s not in NOT_FOR_MODEL]
    best = max((SIGNALS[j] for j in allowed), key=lambda s: abs(aucs[s]["auc_even"] - 0.5))
    best_ok = max((SIGNALS[j] for j in allowed), key=lambda s: abs(aucs[s]["auc_even_top_correct"] - 0.5))
    chosen, steps = forward_select(X[even], ans[even], allowed)
    fused, *m_fused = single_signal(X, ans, ok, even, "fused_top")
    single, *m_best = single_signal(X, ans, ok, even, best)
    single_ok, *m_best_ok = single_signal(X, ans, ok, even, best_ok)
    lr_sel, *m_sel = logistic(X, ans, ok, even, chosen)
    lr_all, *m_all = logistic(X, ans, ok, even, allowed)
    ci = bootstrap(ans[~even], ok[~even], {"fused_top": m_fused, best: m_best, best_ok: m_best_ok,
                                           "logistic_selected": m_sel, "logistic_all_signals": m_all}, "fused_top")
    return {"questions": {"even": int(even.sum()), "odd": int((~even).sum()),
                          "answerable_even": int(ans[even].sum()), "answerable_odd": int(ans[~even].sum())},
            "signal_auc": aucs, "fused_top_tuned_on_even": fused, "best_single_signal_by_even_auc": single,
            "best_single_signal_by_even_top_correct_auc": single_ok,
            "forward_selection": steps, "logistic_selected": lr_sel, "logistic_all_signals": lr_all,
            "bootstrap_odd": ci,
            "selection_feature_alone": {name: selection(questions, golds, rows_of, r) for name, r in alone.items()}}
