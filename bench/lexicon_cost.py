"""What storing the lexicon saves: counting the articles' names and initials at query time
against loading lexicon.json (qa/index/lexicon.py).

    .venv/bin/python bench/lexicon_cost.py [--index .cache/squad-pool] [--reps 3]

Prints the articles' size, the time Lexicon.read takes over them (best of --reps), and the
size and load time of the lexicon as stored (JSON round trip, best of --reps).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index", default=".cache/squad-pool")
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    from qa.index import store
    from qa.index.lexicon import Lexicon

    built, _ = store.load(args.index)
    texts = [a.text for a in built.articles]
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    read, load = [], []
    for _ in range(args.reps):
        t = time.perf_counter()
        lex = Lexicon.read(texts)
        read.append(time.perf_counter() - t)
        stored = json.dumps(lex.to_dict(), ensure_ascii=False)
        t = time.perf_counter()
        Lexicon.from_dict(json.loads(stored))
        load.append(time.perf_counter() - t)
    print(json.dumps({"articles": len(texts), "text_mb": round(mb, 2), "read_s": round(min(read), 3),
                      "read_s_per_mb": round(min(read) / mb, 3), "stored_mb": round(len(stored.encode()) / 1e6, 2),
                      "load_ms": round(1000 * min(load), 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
