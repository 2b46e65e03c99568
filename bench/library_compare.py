"""Hand-written parts against the maintained libraries that could replace them (issue #12).

    .venv/bin/pip install -e '.[bench]'          # pysbd, syntok
    .venv/bin/python bench/library_compare.py [--only split,dates,cache] [--reps 5] [--json OUT]

split  qa.ingest.split.sentences vs pysbd (char_span=True) vs syntok (token offsets), paragraph by
       paragraph, on the seed articles' kept text and the first 300 SQuAD v1.1 dev paragraphs:
       median time per 1,000 sentences over --reps interleaved runs; on SQuAD how many distinct
       gold answer spans no single sentence holds (cut by a boundary); whether every span is
       exact (text[start:end] is the sentence); on the seeds every boundary the splitters
       disagree on, with the words either side, to be judged by reading.
dates  qa.ingest.dateline.parse_date vs dateparser.parse and dateparser.search.search_dates on the
       dateline forms of tests/test_corpus_files.py and the fixtures: right / wrong / misread
       (a date where the line cannot settle day and month) / missed, and median time per call.
cache  the hand-written OrderedDict query cache qa/index/dense.py had vs the Encoder's functools.lru_cache
       now: time of a hit, and 16 threads hammering a cache of 2 (errors raised, bound kept).
The machine is shared and noisy: compare the ratios within one run, not across runs. Prints a
summary; --json writes everything, with every disputed sentence boundary.
"""
from __future__ import annotations

import argparse
import functools
import importlib.util
import json
import statistics
import sys
import threading
import time
from collections import Counter, OrderedDict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
import common  # noqa: E402  (sets the offline / OpenMP variables before qa loads anything)

from qa import corpus  # noqa: E402
from qa.ingest.dateline import parse_date  # noqa: E402
from qa.index.dense import Encoder  # noqa: E402
from qa.ingest.split import sentences as qa_sentences  # noqa: E402

Span = tuple[int, int]


# ---- sentence splitters: each returns trimmed (start, end) spans of text[s:e] -------------

def _trim(text: str, a: int, b: int) -> Span:
    piece = text[a:b]
    return a + len(piece) - len(piece.lstrip()), b - len(piece) + len(piece.rstrip())


def make_splitters() -> dict:
    import pysbd
    import syntok.segmenter as syntok_seg

    seg = pysbd.Segmenter(language="en", clean=False, char_span=True)

    def pysbd_split(text: str, s: int, e: int) -> list[Span]:
        return [_trim(text, s + t.start, s + t.end) for t in seg.segment(text[s:e])]

    def syntok_split(text: str, s: int, e: int) -> list[Span]:
        out = []
        for para in syntok_seg.analyze(text[s:e]):
            for sent in para:
                out.append((s + sent[0].offset, s + sent[-1].offset + len(sent[-1].value)))
        return out

    return {"qa.ingest.split": qa_sentences, "pysbd": pysbd_split, "syntok": syntok_split}


def seed_paragraphs() -> list[tuple[str, str, Span]]:
    return [(a.doc_id, a.text, (s, e)) for a in corpus.load([ROOT / "seeds"]).articles for s, e in a.body]


def squad_paragraphs(path: Path, limit: int) -> list[tuple[str, list[Span]]]:
    """(context, distinct gold answer spans) of the first ``limit`` paragraphs."""
    out = []
    for art in json.loads(path.read_text("utf-8"))["data"]:
        for p in art["paragraphs"]:
            golds = {(a["answer_start"], a["answer_start"] + len(a["text"]))
                     for qa in p["qas"] for a in qa["answers"]}
            out.append((p["context"], sorted(golds)))
            if len(out) == limit:
                return out
    return out


def time_splitters(splitters: dict, items: list[tuple[str, Span]], reps: int) -> dict:
    """Median seconds to split every item, per splitter; splitters interleaved in each rep
    so that a burst of load on the shared machine hits all of them alike."""
    times: dict[str, list[float]] = {n: [] for n in splitters}
    for r in range(reps):
        names = list(splitters)[r % len(splitters):] + list(splitters)[:r % len(splitters)]
        for name in names:
            fn = splitters[name]
            t = time.perf_counter()
            for text, (s, e) in items:
                fn(text, s, e)
            times[name].append(time.perf_counter() - t)
    return {n: statistics.median(v) for n, v in times.items()}


def exactness(items: list[tuple[str, Span]], per_item: list[list[Span]]) -> tuple[int, int]:
    """(paragraphs whose spans are not in order, inside it and covering every non-space
    character once; boundaries with no space between the sentences, i.e. inside a word)."""
    bad = glued = 0
    for (t, (s, e)), xs in zip(items, per_item):
        edges = [s] + [x for span in xs for x in span] + [e]
        gaps = [t[a:b] for a, b in zip(edges[::2], edges[1::2])]
        bad += any(b < a for a, b in zip(edges, edges[1:])) or any(g.strip() for g in gaps) \
            or any(a == b for a, b in xs)
        glued += sum(1 for g in gaps[1:-1] if g == "")
    return bad, glued


def split_report(splitters: dict, items: list[tuple[str, Span]], reps: int) -> dict:
    spans = {n: [fn(t, s, e) for t, (s, e) in items] for n, fn in splitters.items()}
    secs = time_splitters(splitters, items, reps)
    out = {}
    for n, per_item in spans.items():
        count = sum(len(x) for x in per_item)
        bad, glued = exactness(items, per_item)
        out[n] = {"sentences": count, "median_s": secs[n], "ms_per_1000_sentences": 1e6 * secs[n] / count,
                  "time_over_qa_split": secs[n] / secs["qa.ingest.split"], "paragraphs_not_covered_exactly": bad,
                  "boundaries_inside_a_word": glued}
    return out


def cut_answers(splitters: dict, squad: list[tuple[str, list[Span]]]) -> dict:
    """Gold answer spans that no single sentence span contains, per splitter."""
    total = sum(len(g) for _, g in squad)
    out = {}
    for n, fn in splitters.items():
        cut = sum(not any(s <= a and b <= e for s, e in fn(ctx, 0, len(ctx))) for ctx, golds in squad for a, b in golds)
        out[n] = {"answers": total, "cut": cut, "cut_rate": cut / total}
    return out


def disagreements(splitters: dict, paras: list[tuple[str, str, Span]], width: int = 45) -> list[dict]:
    """Every boundary (start of a sentence other than the first) that not all splitters make."""
    rows = []
    for doc, text, (s, e) in paras:
        starts = {n: {a for a, _ in fn(text, s, e)} - {_trim(text, s, e)[0]} for n, fn in splitters.items()}
        for pos in sorted(set().union(*starts.values())):
            who = [n for n in splitters if pos in starts[n]]
            if len(who) < len(splitters):
                ctx = text[max(s, pos - width):pos].replace("\n", " ") + " ‖ " + text[pos:min(e, pos + width)]
                rows.append({"doc": doc, "at": pos, "split_by": who, "context": ctx})
    return rows


# ---- dates ----------------------------------------------------------------------------

# (line, what parse_date must give): tests/test_corpus_files.py's cases, the fixtures' and
# the seeds' datelines, and the written forms the issue names.
DATE_CASES = [
    ("20/07/2021 18:49 BST | Updated 21/07/2021 08:09 BST", "2021-07-20"),
    ("07/08/2021 10:00 GMT", "2021-08-07"), ("21/07/2021 18:49", "2021-07-21"),
    ("07/08/2021 | Updated 21/08/2021", "2021-08-07"), ("07/21/2021 6:49 PM EDT", "2021-07-21"),
    ("07/08/2021 10:00", None), ("07/08/2021 | Updated 07/21/2021 BST", None),
    ("31/02/2021 10:00 BST", None), ("Tuesday 20th July 2021 18.00 BST", "2021-07-20"),
    ("Published July 20, 2021 | Updated 21/07/2021", "2021-07-20"),
    ("2021-07-20T18:49:00Z", "2021-07-20"), ("20/07/21 18:49 BST", None),
    ("14/03/2023 09:05 GMT | Updated 15/03/2023 11:40 GMT", "2023-03-14"),
    ("20th July 2021", "2021-07-20"), ("July 20, 2021", "2021-07-20"),
    ("Tuesday 20 July 2021 18.00 BST", "2021-07-20"), ("Published: 20 July 2021, 10:00 a.m.", "2021-07-20"),
    ("Last updated on Wed 21 Jul 2021 08.09 BST", "2021-07-21"),
]


def _dateparser_variants() -> dict:
    import dateparser
    from dateparser.search import search_dates

    gb = {"DATE_ORDER": "DMY", "REQUIRE_PARTS": ["day", "month", "year"]}

    def iso(d) -> str | None:
        return d.date().isoformat() if d else None

    def first_found(line: str, settings: dict | None) -> str | None:
        found = search_dates(line, languages=["en"], settings=settings)
        return iso(found[0][1]) if found else None

    return {"dateparser.parse (defaults)": lambda x: iso(dateparser.parse(x)),
            "dateparser.parse (en, DMY, full date)": lambda x: iso(dateparser.parse(x, languages=["en"], settings=gb)),
            "search_dates (en, defaults)": lambda x: first_found(x, None),
            "search_dates (en, DMY, full date)": lambda x: first_found(x, gb)}


def date_report(reps: int) -> dict:
    t = time.perf_counter()
    variants = {"qa.ingest.dateline.parse_date": parse_date, **_dateparser_variants()}
    variants["dateparser.parse (defaults)"]("20 July 2021")      # the first call loads dateparser's data
    cold = time.perf_counter() - t
    out = {"dateparser_import_and_first_call_s": cold, "variants": {}}
    for name, fn in variants.items():
        got = [fn(line) for line, _ in DATE_CASES]
        tally = {"right": 0, "wrong_date": 0, "misread_ambiguous": 0, "missed": 0}
        rows = []
        for (line, want), g in zip(DATE_CASES, got):
            kind = "right" if g == want else "missed" if g is None else "misread_ambiguous" if want is None else "wrong_date"
            tally[kind] += 1
            if kind != "right":
                rows.append({"line": line, "want": want, "got": g})
        per_call = []
        for _ in range(reps):
            t = time.perf_counter()
            for line, _ in DATE_CASES:
                fn(line)
            per_call.append((time.perf_counter() - t) / len(DATE_CASES))
        out["variants"][name] = {**tally, "us_per_call": 1e6 * statistics.median(per_call), "not_right": rows}
    return out


# ---- the query-vector cache -------------------------------------------------------------

class _FakeEncoder(Encoder):
    """The Encoder's own cache code over a model-free encode."""

    def encode(self, texts, progress: bool = False) -> np.ndarray:
        time.sleep(0)                      # let other threads run, as a real encode does
        return np.ones((len(texts), 4), dtype=np.float32)


class HandWrittenLRU:
    """The query cache qa/index/dense.py had before it used functools.lru_cache (commit ba7dade)."""

    def __init__(self, size: int):
        self.cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self.size = size

    def encode_query(self, text: str) -> np.ndarray:
        hit = self.cache.get(text)
        if hit is not None:
            self.cache.move_to_end(text)
            return hit
        time.sleep(0)
        vec = np.ones(4, dtype=np.float32)
        self.cache[text] = vec
        if len(self.cache) > self.size:
            self.cache.popitem(last=False)
        return vec


def _hammer(fn, keys: list[str], threads: int = 16, calls: int = 50_000) -> int:
    """Errors raised by ``threads`` threads calling ``fn`` ``calls`` times each over ``keys``."""
    errors: list[str] = []

    def work(k0: int) -> None:
        for i in range(calls):
            try:
                fn(keys[(k0 * 7 + i * 3) % len(keys)])
            except Exception as exc:       # a race surfaces as KeyError from OrderedDict
                errors.append(type(exc).__name__)

    ts = [threading.Thread(target=work, args=(k,)) for k in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return len(errors)


def cache_report(reps: int, hits: int = 200_000) -> dict:
    keys = [f"question number {i}?" for i in range(64)]
    hand, enc, primed = HandWrittenLRU(4096), _FakeEncoder(cache_size=4096), _FakeEncoder()
    bare = functools.lru_cache(maxsize=4096)(lambda text: np.ones(4, dtype=np.float32))
    primed.prime(keys)
    fns = {"hand-written OrderedDict (before)": hand.encode_query, "Encoder.encode_query (lru_cache)": enc.encode_query,
           "Encoder.encode_query (primed)": primed.encode_query, "bare functools.lru_cache": bare,
           "dict.get (floor)": dict.fromkeys(keys, np.ones(4, dtype=np.float32)).get}
    times: dict[str, list[float]] = {n: [] for n in fns}
    for _ in range(reps):
        for name, fn in fns.items():
            for k in keys:                 # every timed call below is a hit
                fn(k)
            t = time.perf_counter()
            for i in range(hits):
                fn(keys[i & 63])
            times[name].append(time.perf_counter() - t)
    out = {"hit_ns": {n: 1e9 * statistics.median(v) / hits for n, v in times.items()}}
    # A cache of 2 over 3 keys and 16 threads: nearly every call evicts, so a hit's key is
    # often evicted between the lookup and the move to the front. A short switch interval
    # makes the threads switch often, so that races show in seconds instead of weeks.
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-7)
    try:
        hand2, enc2 = HandWrittenLRU(2), _FakeEncoder(cache_size=2)
        out["threads_16x50000_calls_errors"] = {"hand-written OrderedDict (before)": _hammer(hand2.encode_query, keys[:3]),
                                                "Encoder.encode_query (lru_cache)": _hammer(enc2.encode_query, keys[:3])}
    finally:
        sys.setswitchinterval(old)
    out["size_after_bound_2"] = {"hand-written OrderedDict (before)": len(hand2.cache),
                                 "Encoder.encode_query (lru_cache)": enc2.cache_info().currsize}
    out["cachetools_installed"] = importlib.util.find_spec("cachetools") is not None   # not added for this
    return out


def split_section(squad_path: Path, paragraphs: int, reps: int) -> dict:
    sp = make_splitters()
    seeds = seed_paragraphs()
    squad = squad_paragraphs(squad_path, paragraphs)
    squad_items = [(c, (0, len(c))) for c, _ in squad]
    squad_rows = disagreements(sp, [(str(i), c, x) for i, (c, x) in enumerate(squad_items)])
    return {"seeds": split_report(sp, [(t, x) for _, t, x in seeds], reps),
            "squad": split_report(sp, squad_items, reps),
            "squad_cut_answers": cut_answers(sp, squad),
            "seed_disagreements": disagreements(sp, seeds),
            "squad_disagreements": {"by_splitters": dict(Counter("+".join(r["split_by"]) for r in squad_rows)), "rows": squad_rows}}


def print_summary(res: dict) -> None:
    for corpus_name in ("seeds", "squad"):
        for n, r in res.get("split", {}).get(corpus_name, {}).items():
            cut = res["split"]["squad_cut_answers"][n]
            print(f"split {corpus_name:5} {n:8} {r['sentences']:5} sentences {r['ms_per_1000_sentences']:8.1f} ms/1000"
                  f" x{r['time_over_qa_split']:6.1f}  not exact: {r['paragraphs_not_covered_exactly']}"
                  f"  in-word: {r['boundaries_inside_a_word']}"
                  f"  squad answers cut: {cut['cut']}/{cut['answers']}")
    if "split" in res:
        print("split squad disputed boundaries, by who splits:", res["split"]["squad_disagreements"]["by_splitters"])
        for r in res["split"]["seed_disagreements"]:
            print(f"split seeds {r['doc'][:3]}@{r['at']} split by {'+'.join(r['split_by'])}: {r['context']!r}")
    for n, v in res.get("dates", {}).get("variants", {}).items():
        print(f"dates {n:40} right {v['right']:2} wrong {v['wrong_date']} misread {v['misread_ambiguous']}"
              f" missed {v['missed']}  {v['us_per_call']:9.1f} us/call")
    if "cache" in res:
        print("cache hit ns:", {k: round(v) for k, v in res["cache"]["hit_ns"].items()})
        print("cache threads:", res["cache"]["threads_16x50000_calls_errors"], res["cache"]["size_after_bound_2"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", default="split,dates,cache")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--squad", type=Path, default=ROOT.parent / "shared/data/squad/dev-v1.1.json")
    ap.add_argument("--paragraphs", type=int, default=300)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    only = set(args.only.split(","))
    res: dict = {"commit": common.commit(), "reps": args.reps}
    if "split" in only:
        res["split"] = split_section(args.squad, args.paragraphs, args.reps)
    if "dates" in only:
        res["dates"] = date_report(args.reps)
    if "cache" in only:
        res["cache"] = cache_report(args.reps)
    if args.json:
        args.json.write_text(json.dumps(res, indent=1, ensure_ascii=False) + "\n", "utf-8")
    print_summary(res)


if __name__ == "__main__":
    main()
