"""Bounded load test of a real `qa serve` process, on 127.0.0.1 only; it stops by itself.

Phase "load": N concurrent clients (most on POST /api/ask, some on the Gradio chat via
gradio_client) for D seconds against a server whose rate limit is OFF (QA_RATE_LIMIT=0)
and whose queues hold every client (QA_API_QUEUE, QA_CHAT_QUEUE >= clients): any error
counts. Reports throughput, p50/p95/p99 latency, errors, and the server's RSS after
warm-up and after the run.
Phase "limits": a second server with a low rate limit and one worker, no queue: a flood
gets 503 "busy" at once (API) or "queue is full" (chat), never a hang; a steady stream
from one client gets 429 with Retry-After.

    .venv/bin/python bench/load.py --clients 50 --duration 60 --json .cache/bench-load.json --doc
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
DOC = ROOT / "docs" / "reliability.md"


# ------------------------------------------------------------------ the server process
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mib(pid: int) -> float:
    """Resident memory of one process (Linux /proc), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


class Server:
    """`qa serve` in a subprocess with the given environment; stopped on exit."""

    def __init__(self, index: Path, env: dict[str, str], log: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
                    "GRADIO_ANALYTICS_ENABLED": "False", "TOKENIZERS_PARALLELISM": "false",
                    "GRADIO_TEMP_DIR": str(ROOT / ".cache" / "gradio"), **env}
        self.index, self.log = index, log

    def __enter__(self) -> "Server":
        import httpx

        self.log_file = open(self.log, "w")
        self.proc = subprocess.Popen([PY, "-m", "qa.cli", "serve", "--host", "127.0.0.1", "--port",
                                      str(self.port), "--index", str(self.index)], cwd=ROOT, env=self.env,
                                     stdout=self.log_file, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}; see {self.log}")
            try:
                if httpx.get(self.url + "/api/health", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"server did not answer /api/health within 180 s; see {self.log}")

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log_file.close()


def ensure_index(index: Path) -> Path:
    subprocess.run([PY, "-m", "qa.cli", "index", str(ROOT / "seeds"), "--index", str(index), "--if-stale",
                    "--quiet"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return index


# ------------------------------------------------------------------ clients
def load_questions() -> list[str]:
    with open(ROOT / "seeds" / "questions.jsonl", encoding="utf-8") as f:
        return [json.loads(line)["question"] for line in f if line.strip()]


class Questions:
    """Seed questions, each made unique with a counter so the query-vector cache never
    answers for the model: every request pays for a real encode."""

    def __init__(self, seed: int = 0):
        self.base, self.n, self.lock = load_questions(), 0, threading.Lock()
        random.Random(seed).shuffle(self.base)

    def next(self) -> str:
        with self.lock:
            self.n += 1
            n = self.n
        return f"{self.base[n % len(self.base)]} ({n})"


async def api_client(url: str, qs: Questions, stop: float, out: list) -> None:
    import httpx

    async with httpx.AsyncClient(base_url=url, timeout=120) as client:
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            try:
                r = await client.post("/api/ask", json={"question": qs.next()})
                ok = r.status_code == 200 and "answers" in r.json()
                out.append(("api", time.perf_counter() - t0, r.status_code if not ok else 200))
            except Exception as exc:           # counted, never fatal to the run
                out.append(("api", time.perf_counter() - t0, type(exc).__name__))


def chat_client(url: str, qs: Questions, stop: float, out: list) -> None:
    from gradio_client import Client

    client = Client(url, verbose=False)
    while time.monotonic() < stop:
        t0 = time.perf_counter()
        try:
            html = client.predict(qs.next(), api_name="/chat")
            out.append(("chat", time.perf_counter() - t0, 200 if "qa-" in str(html) else "bad-html"))
        except Exception as exc:
            out.append(("chat", time.perf_counter() - t0, type(exc).__name__))


def run_clients(url: str, api: int, chat: int, seconds: float, qs: Questions) -> list:
    out: list = []
    stop = time.monotonic() + seconds
    threads = [threading.Thread(target=chat_client, args=(url, qs, stop, out), daemon=True) for _ in range(chat)]
    for t in threads:
        t.start()

    async def all_api():
        await asyncio.gather(*(api_client(url, qs, stop, out) for _ in range(api)))

    asyncio.run(all_api())
    for t in threads:
        t.join(180)
    return out


def summarize(samples: list, seconds: float) -> dict:
    def stats(rows):
        lat = np.array([r[1] for r in rows]) * 1000 if rows else np.zeros(1)
        errors = [r[2] for r in rows if r[2] != 200]
        return {"requests": len(rows), "errors": len(errors), "error_kinds": sorted(set(map(str, errors))),
                "per_second": round(len(rows) / seconds, 2),
                **{f"p{p}_ms": round(float(np.percentile(lat, p)), 1) for p in (50, 95, 99)}}
    return {"all": stats(samples), "api": stats([s for s in samples if s[0] == "api"]),
            "chat": stats([s for s in samples if s[0] == "chat"])}


# ------------------------------------------------------------------ phase: load
class RssSampler:
    """The server's RSS every few seconds during the run: a leak climbs, a warm process plateaus."""

    def __init__(self, pid: int, every: float = 5.0):
        self.pid, self.every, self.samples, self.stop = pid, every, [], threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        t0 = time.monotonic()
        while not self.stop.wait(self.every):
            self.samples.append((round(time.monotonic() - t0), round(rss_mib(self.pid), 1)))

    def __enter__(self) -> "RssSampler":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join(10)


def phase_load(index: Path, clients: int, chat_share: float, seconds: float, logdir: Path,
               warm_up: float = 15.0) -> dict:
    chat = max(1, round(clients * chat_share)) if chat_share > 0 else 0
    api = clients - chat
    env = {"QA_RATE_LIMIT": "0", "QA_API_QUEUE": str(clients + 8), "QA_CHAT_QUEUE": str(clients + 8),
           "QA_DATA_DIR": str(logdir / "data-load")}
    qs = Questions()
    with Server(index, env, logdir / "server-load.log") as srv:
        # Warm-up at full concurrency: every code path, every worker thread's allocator.
        run_clients(srv.url, api, chat, warm_up, qs)
        rss_warm = rss_mib(srv.proc.pid)
        t0 = time.monotonic()
        with RssSampler(srv.proc.pid) as sampler:
            samples = run_clients(srv.url, api, chat, seconds, qs)
        elapsed = time.monotonic() - t0
        time.sleep(2)
        rss_after = rss_mib(srv.proc.pid)
    return {"clients": {"api": api, "chat": chat}, "seconds": round(elapsed, 1), "server_env": env,
            "warm_up_seconds": warm_up,
            "rss_mib": {"after_warm_up": round(rss_warm, 1), "after_run": round(rss_after, 1),
                        "ratio": round(rss_after / rss_warm, 3), "during_run": sampler.samples},
            **summarize(samples, elapsed)}


# ------------------------------------------------------------------ phase: limits
async def api_flood(url: str, n: int) -> list[dict]:
    import httpx

    async with httpx.AsyncClient(base_url=url, timeout=120) as client:
        async def one(i):
            t0 = time.perf_counter()
            r = await client.post("/api/ask", json={"question": f"Who chaired the NEC meeting? ({i})"})
            return {"status": r.status_code, "ms": round((time.perf_counter() - t0) * 1000, 1),
                    "retry_after": r.headers.get("retry-after"), "error": r.json().get("error")}
        return await asyncio.gather(*(one(i) for i in range(n)))


def chat_flood(url: str, n: int) -> list[dict]:
    from gradio_client import Client

    clients = [Client(url, verbose=False) for _ in range(n)]     # connect first, then submit at once
    jobs = []
    for i, client in enumerate(clients):
        jobs.append((time.perf_counter(), client.submit(f"Who leads the party? ({i})", api_name="/chat")))
    out = []
    for t0, job in jobs:
        try:
            job.result(timeout=120)
            out.append({"outcome": "answered", "ms": round((time.perf_counter() - t0) * 1000, 1)})
        except Exception as exc:
            out.append({"outcome": "queue full" if "queue is full" in str(exc).lower() else repr(exc)[:80],
                        "ms": round((time.perf_counter() - t0) * 1000, 1)})
    return out


def rate_probe(url: str, limit: int) -> dict:
    import httpx

    with httpx.Client(base_url=url, timeout=30) as client:
        for i in range(1, limit + 20):
            r = client.post("/api/ask", json={"question": ""})     # a cheap 422: only the limit costs
            if r.status_code == 429:
                return {"first_429_at": i, "retry_after": r.headers.get("retry-after"), "body": r.json()}
    return {"first_429_at": None}


def phase_limits(index: Path, logdir: Path, limit: int = 100, flood: int = 20) -> dict:
    env = {"QA_RATE_LIMIT": str(limit), "QA_API_WORKERS": "1", "QA_API_QUEUE": "0", "QA_CHAT_CONCURRENCY": "1",
           "QA_CHAT_QUEUE": "1", "QA_DATA_DIR": str(logdir / "data-limits")}
    with Server(index, env, logdir / "server-limits.log") as srv:
        api = asyncio.run(api_flood(srv.url, flood))
        chat = chat_flood(srv.url, 6)
        rate = rate_probe(srv.url, limit)
    busy = [r for r in api if r["status"] == 503]
    done = [r for r in api if r["status"] == 200]
    return {"server_env": env, "api_flood": {
                "sent": flood, "answered": len(done), "busy_503": len(busy),
                "busy_all_have_retry_after": all(r["retry_after"] for r in busy),
                "busy_max_ms": max((r["ms"] for r in busy), default=None),
                "answered_median_ms": float(np.median([r["ms"] for r in done])) if done else None,
                "other": sorted({r["status"] for r in api} - {200, 503})},
            "chat_flood": {"sent": len(chat), "answered": sum(c["outcome"] == "answered" for c in chat),
                           "queue_full": sum(c["outcome"] == "queue full" for c in chat),
                           "queue_full_max_ms": max((c["ms"] for c in chat if c["outcome"] == "queue full"),
                                                    default=None),
                           "other": sorted({c["outcome"] for c in chat} - {"answered", "queue full"})},
            "rate_limit": {"per_minute": limit, **rate}}


# ------------------------------------------------------------------ report
def verdict(res: dict) -> list[str]:
    """The pass/fail lines the run is judged by (the figures themselves go to the doc)."""
    out = []
    if "load" in res:
        ld = res["load"]
        out.append(f"errors under load: {ld['all']['errors']} (must be 0)")
        out.append(f"RSS after run / after warm-up: {ld['rss_mib']['ratio']} (must be <= 1.2)")
    if "limits" in res:
        lm = res["limits"]
        out.append(f"API flood: {lm['api_flood']['busy_503']} of {lm['api_flood']['sent']} got 503 busy, "
                   f"slowest in {lm['api_flood']['busy_max_ms']} ms, Retry-After on all: "
                   f"{lm['api_flood']['busy_all_have_retry_after']}")
        out.append(f"chat flood: {lm['chat_flood']['queue_full']} of {lm['chat_flood']['sent']} refused "
                   f"'queue full', slowest in {lm['chat_flood']['queue_full_max_ms']} ms")
        out.append(f"rate limit: first 429 after {lm['rate_limit']['first_429_at']} probe POSTs, "
                   f"Retry-After {lm['rate_limit'].get('retry_after')}")
    return out


def ok(res: dict) -> bool:
    good = True
    if "load" in res:
        good &= res["load"]["all"]["errors"] == 0 and res["load"]["rss_mib"]["ratio"] <= 1.2
    if "limits" in res:
        lm = res["limits"]
        good &= lm["api_flood"]["busy_503"] > 0 and lm["api_flood"]["busy_all_have_retry_after"]
        good &= not lm["api_flood"]["other"] and lm["chat_flood"]["queue_full"] > 0
        good &= not lm["chat_flood"]["other"] and lm["rate_limit"]["first_429_at"] is not None
        good &= bool(lm["rate_limit"].get("retry_after"))
    return bool(good)


def markdown(res: dict, command: str) -> str:
    lines = [f"Command: `{command}` ({res['when']}, {os.cpu_count()} cores, load generator on the same machine).", ""]
    if "load" in res:
        ld = res["load"]
        lines += [f"Load: {ld['clients']['api']} API clients + {ld['clients']['chat']} chat clients for "
                  f"{ld['seconds']} s; server run with QA_RATE_LIMIT=0 (rate limit off) and queues of "
                  f"{ld['server_env']['QA_API_QUEUE']} so that no client is refused.", "",
                  "| traffic | requests | per second | p50 ms | p95 ms | p99 ms | errors |",
                  "|---|---|---|---|---|---|---|"]
        for kind in ("api", "chat", "all"):
            s = ld[kind]
            lines.append(f"| {kind} | {s['requests']} | {s['per_second']} | {s['p50_ms']} | {s['p95_ms']} | "
                         f"{s['p99_ms']} | {s['errors']} {' '.join(s['error_kinds'])} |")
        r = ld["rss_mib"]
        trend = ", ".join(f"{m}" for _, m in r["during_run"])
        lines += ["", f"Server RSS: {r['after_warm_up']} MiB after a {ld['warm_up_seconds']:.0f} s warm-up at full "
                      f"concurrency, {r['after_run']} MiB after the run (ratio {r['ratio']}); every 5 s during the "
                      f"run: {trend} MiB.", ""]
    if "limits" in res:
        lines += ["Limits (a second server: " + ", ".join(f"{k}={v}" for k, v in res["limits"]["server_env"].items()
                                                          if k != "QA_DATA_DIR") + "):", ""]
        lines += [f"- {v}" for v in verdict({"limits": res["limits"]})] + [""]
    lines.append(f"Verdict: {'PASS' if res['ok'] else 'FAIL'}")
    return "\n".join(lines)


def write_doc(text: str) -> None:
    start, end = "<!-- section: load (bench/load.py) -->", "<!-- end: load -->"
    doc = DOC.read_text("utf-8") if DOC.exists() else ""
    block = f"{start}\n{text}\n{end}"
    if start in doc and end in doc:
        doc = doc[:doc.index(start)] + block + doc[doc.index(end) + len(end):]
    else:
        doc = doc.rstrip() + "\n\n## Load\n\n" + block + "\n"
    DOC.write_text(doc, "utf-8")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--clients", type=int, default=50, help="concurrent clients (default 50)")
    p.add_argument("--chat-share", type=float, default=0.2, help="share of clients on the Gradio chat")
    p.add_argument("--duration", type=float, default=60, help="seconds of load (default 60)")
    p.add_argument("--warm-up", type=float, default=15, help="seconds of warm-up load before measuring")
    p.add_argument("--phases", default="load,limits", help="load, limits or both")
    p.add_argument("--index", type=Path, default=ROOT / ".cache" / "load-index",
                   help="index folder (built from seeds/ when missing or stale)")
    p.add_argument("--json", type=Path, help="write the full results here")
    p.add_argument("--doc", action="store_true", help="write the figures into docs/reliability.md")
    args = p.parse_args(argv)
    logdir = Path(tempfile.mkdtemp(prefix="qa-load-"))
    index = ensure_index(args.index)
    res: dict = {"when": time.strftime("%Y-%m-%d %H:%M"), "logs": str(logdir)}
    phases = set(args.phases.split(","))
    if "load" in phases:
        res["load"] = phase_load(index, args.clients, args.chat_share, args.duration, logdir, args.warm_up)
    if "limits" in phases:
        res["limits"] = phase_limits(index, logdir)
    res["ok"] = ok(res)
    command = "python bench/load.py " + " ".join(argv if argv is not None else sys.argv[1:])
    print(markdown(res, command))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(res, indent=2))
    if args.doc:
        write_doc(markdown(res, command))
    return 0 if res["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
