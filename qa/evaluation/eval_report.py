"""Self-contained HTML report of a ``qa eval`` run: plots as embedded base64 PNG
(matplotlib, Agg canvas, no pyplot state), every piece of text escaped."""
from __future__ import annotations

import base64
import io
from html import escape
from typing import Optional

PLOT_METRICS = ("accuracy", "hit@1", "mrr@10", "abstention_recall")
_CSS = """body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:72em;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.25em .5em;vertical-align:top}
th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}
.fail td{background:#fff8f6}.ans{margin:0 0 .3em 0}.muted{color:#777}img{max-width:100%}
.wide{overflow-x:auto}"""


def _png(fig) -> str:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def score_plot(records: list[dict], threshold: Optional[float]) -> str:
    """Histogram of each question's top score, answerable vs unanswerable, with the
    abstention threshold marked. Returns base64 PNG."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 3.2))
    ax = fig.add_subplot()
    groups = {"answerable": [r["top_score"] for r in records if r["answerable"] and r["top_score"] is not None],
              "unanswerable": [r["top_score"] for r in records
                               if not r["answerable"] and r["top_score"] is not None]}
    every = [s for v in groups.values() for s in v] + ([threshold] if threshold is not None else [])
    lo, hi = (min(every), max(every)) if every else (0.0, 1.0)
    bins = [lo + (hi - lo + 1e-9) * i / 25 for i in range(26)]
    for (name, vals), color in zip(groups.items(), ("#2b7bb9", "#d9542b")):
        if vals:
            ax.hist(vals, bins=bins, alpha=0.6, color=color, label=f"{name} (n={len(vals)})")
    if threshold is not None:
        ax.axvline(threshold, color="black", linestyle="--", label=f"threshold {threshold:.2f}")
    ax.set_xlabel("top fused score of the question")
    ax.set_ylabel("questions")
    ax.legend(fontsize=8)
    return _png(fig)


def kind_plot(by_kind: dict) -> str:
    """Grouped bars of a few metrics per kind (missing metric = no bar)."""
    from matplotlib.figure import Figure

    kinds = sorted(by_kind)
    fig = Figure(figsize=(max(6, 0.9 * len(kinds) + 2), 3.2))
    ax = fig.add_subplot()
    width = 0.8 / len(PLOT_METRICS)
    for j, m in enumerate(PLOT_METRICS):
        xs = [i + j * width for i, k in enumerate(kinds) if by_kind[k].get(m) is not None]
        ys = [by_kind[k][m] for k in kinds if by_kind[k].get(m) is not None]
        ax.bar(xs, ys, width=width, label=m)
    ax.set_xticks([i + 0.4 - width / 2 for i in range(len(kinds))], kinds, rotation=30, ha="right", fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.legend(fontsize=8, ncol=len(PLOT_METRICS))
    return _png(fig)


def _fmt(v) -> str:
    if v is None:
        return "–"
    return f"{v:.3f}" if isinstance(v, float) else escape(str(v))


def _metrics_table(metrics: dict) -> str:
    names = [k for k, v in metrics.items() if k != "by_kind" and not isinstance(v, dict)]
    rows = [("overall", metrics)] + sorted(metrics.get("by_kind", {}).items())
    head = "<tr><th>kind</th>" + "".join(f"<th>{escape(n)}</th>" for n in names) + "</tr>"
    body = "".join("<tr><th>" + escape(k) + "</th>" + "".join(f'<td class="num">{_fmt(m.get(n))}</td>'
                                                              for n in names) + "</tr>" for k, m in rows)
    return f'<div class="wide"><table>{head}{body}</table></div>'


def _answers_html(r: dict) -> str:
    if r["abstained"]:
        return f'<span class="muted">abstained: {escape(r.get("message") or "")}</span>'
    out = []
    for n, a in enumerate(r["answers"][:3], 1):
        cites = "; ".join(f"{c['doc_id']} {c['start']}:{c['end']}" for c in a["citations"])
        ok = " ✓" if n - 1 < len(r.get("right", [])) and r["right"][n - 1] else ""
        out.append(f'<p class="ans">{n}. {escape(a["text"])} <span class="muted">'
                   f'(score {a["score"]:.3f}; {escape(cites)}){ok}</span></p>')
    more = len(r["answers"]) - 3
    return "".join(out) + (f'<span class="muted">… {more} more</span>' if more > 0 else "") + _disagreed_html(r)


def _disagreed_html(r: dict) -> str:
    """The disagreements ask() reported, each with its sides as 1-based answer numbers."""
    return "".join(f'<p class="ans muted">{escape(d["message"])} (answers '
                   + escape(" vs ".join(", ".join(str(i + 1) for i in side) for side in d["answers"])) + ")</p>"
                   for d in r.get("disagreements") or [])


def _disagreements_table(records: list[dict]) -> str:
    """Disagreement questions (found or missed) and every false alarm on another question."""
    from qa.evaluation.eval_metrics import DISAGREEMENT, sides_quoted

    rows = []
    for r in records:
        if r["kind"] != DISAGREEMENT and not r.get("disagreements"):
            continue
        verdict = ("found" if r.get("disagreements") and sides_quoted(r) else "missed") \
            if r["kind"] == DISAGREEMENT else "false alarm"
        sides = " vs ".join(" | ".join(side) for side in r.get("sides") or [])
        rows.append(f'<tr><td>{escape(r["id"])}</td><td>{escape(r["kind"])}</td><td>{escape(r["question"])}</td>'
                    f'<td>{escape(sides)}</td><td>{verdict}</td><td>{_answers_html(r)}</td></tr>')
    if not rows:
        return "<p>No disagreement questions and no disagreement reported.</p>"
    head = "<tr><th>id</th><th>kind</th><th>question</th><th>sides</th><th>verdict</th><th>what came back</th></tr>"
    return f"<table>{head}{''.join(rows)}</table>"


def _failures_table(records: list[dict]) -> str:
    fails = [r for r in records if not r["correct"] or not all(r.get("faithful", []))]
    if not fails:
        return "<p>No failures.</p>"
    rows = []
    for r in fails:
        hist = "".join(f'<div class="muted">earlier: {escape(h)}</div>' for h in r.get("history", []))
        exp = escape(" | ".join(r.get("expected", []))) if r["answerable"] else "(unanswerable: should abstain)"
        top = "–" if r.get("top_score") is None else f"{r['top_score']:.3f}"
        rows.append(f'<tr class="fail"><td>{escape(r["id"])}</td><td>{escape(r["kind"])}</td>'
                    f'<td>{hist}{escape(r["question"])}</td><td>{exp}</td><td class="num">{top}</td>'
                    f'<td class="num">{_fmt(r.get("rank"))}</td><td>{_answers_html(r)}</td></tr>')
    head = ("<tr><th>id</th><th>kind</th><th>question</th><th>expected</th><th>top score</th>"
            "<th>rank</th><th>what came back</th></tr>")
    return f"<p>{len(fails)} of {len(records)} questions.</p><table>{head}{''.join(rows)}</table>"


def html_report(report: dict, title: str = "qa eval report") -> str:
    """The whole report as one HTML page (no external resources)."""
    meta = report.get("meta", {})
    threshold = meta.get("threshold")
    records = report["questions"]
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="muted">{escape(str(meta.get("created", "")))} · index {escape(str(meta.get("index", "")))}'
        f" · k={escape(str(meta.get('k', '')))} · threshold {_fmt(threshold)}</p>",
        "<h2>Metrics</h2>", _metrics_table(report["metrics"]),
        "<h2>Top score: answerable vs unanswerable</h2>",
        f'<img alt="score distributions" src="data:image/png;base64,{score_plot(records, threshold)}">',
    ]
    if report["metrics"].get("by_kind"):
        parts += ["<h2>By kind</h2>",
                  f'<img alt="metrics by kind" src="data:image/png;base64,{kind_plot(report["metrics"]["by_kind"])}">']
    if meta.get("unfindable"):
        parts.append("<p>Expected phrase found in no indexed sentence: "
                     + escape(", ".join(meta["unfindable"])) + "</p>")
    if report.get("compare"):
        from qa.evaluation.eval_metrics import format_compare

        parts += ["<h2>Compared with the earlier report</h2>", f"<pre>{escape(format_compare(report['compare']))}</pre>"]
    parts += ["<h2>Disagreements</h2>", _disagreements_table(records),
              "<h2>Failures</h2>", _failures_table(records), "</body></html>"]
    return "\n".join(parts)
