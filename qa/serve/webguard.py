"""ASGI middleware guarding every route of the server, Gradio's included: the origin
allowlist (CORS and cross-origin writes), request body size and security headers (nosniff
everywhere, a hash-based Content-Security-Policy on HTML pages).

Pure ASGI classes rather than ``BaseHTTPMiddleware`` so that streamed responses
(Gradio's server-sent events) pass through untouched. The per-client rate limit is in
qa.serve.ratelimit."""
from __future__ import annotations

import base64
import hashlib
import json
import re
from typing import Iterable, Optional
from urllib.parse import urlsplit

# Same-origin requests are always allowed; these cover a developer's machine.
from qa.settings import DEFAULT_ORIGINS  # noqa: E402  (re-exported: the allowlist's default)
_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
_PATTERN = re.compile(r"^(https?)://(\*\.)?([a-z0-9.-]+|\[[0-9a-f:]+\])(:(\d{1,5}|\*))?$")
_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script\s*>", re.S | re.I)
_NO_CSP_PATHS = ("/docs", "/redoc")     # FastAPI's API explorer loads its own CDN assets


def _json(status: int, payload: dict, headers: Optional[dict] = None) -> tuple[dict, dict]:
    body = json.dumps(payload).encode()
    hdrs = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    hdrs += [(k.lower().encode(), str(v).encode()) for k, v in (headers or {}).items()]
    return ({"type": "http.response.start", "status": status, "headers": hdrs},
            {"type": "http.response.body", "body": body})


async def send_json(send, status: int, payload: dict, headers: Optional[dict] = None) -> None:
    start, body = _json(status, payload, headers)
    await send(start)
    await send(body)


def _header(scope, name: bytes) -> Optional[str]:
    for k, v in scope.get("headers") or ():
        if k == name:
            return v.decode("latin-1")
    return None


class OriginPolicy:
    """Allowed browser origins: exact ``https://news.example``, any port ``http://localhost:*``,
    subdomains ``https://*.news.example``, or ``*`` (any site)."""

    def __init__(self, patterns: Iterable[str]):
        self.patterns = tuple(p.strip().rstrip("/").lower() for p in patterns if p and p.strip())
        regexes = []
        for p in self.patterns:
            if p == "*":
                regexes.append(r"https?://[^/]+")
                continue
            m = _PATTERN.match(p)
            if not m:
                raise ValueError(f"not an origin pattern: {p!r} (expected scheme://host[:port|:*])")
            scheme, sub, host, _, port = m.groups()
            rx = re.escape(scheme) + "://" + (r"(?:[a-z0-9-]+\.)+" if sub else "") + re.escape(host)
            rx += r"(?::\d{1,5})?" if port == "*" else (":" + port if port else "")
            regexes.append(rx)
        self._rx = re.compile("|".join(f"(?:{r})" for r in regexes)) if regexes else None

    def allows(self, origin: Optional[str]) -> bool:
        return bool(origin and self._rx and self._rx.fullmatch(origin.lower()))

    @staticmethod
    def same_origin(scope, origin: Optional[str]) -> bool:
        """Origin names the host the request was sent to (scheme ignored: TLS may end at a proxy)."""
        host = _header(scope, b"host")
        if not origin or not host or origin == "null":
            return False
        try:
            return urlsplit(origin).netloc.lower() == host.lower()
        except ValueError:
            return False

    def frame_ancestors(self) -> str:
        if "*" in self.patterns:
            return "*"
        return " ".join(("'self'",) + self.patterns)


class CORSGuard:
    """CORS by allowlist on every route. Allowed origins get Access-Control-Allow-Origin
    (never credentials); preflights and cross-origin writes from other origins get 403 and
    no CORS header at all, whatever the inner app (Gradio) would have said."""

    def __init__(self, app, policy: OriginPolicy):
        self.app, self.policy = app, policy

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        origin = _header(scope, b"origin")
        if origin is None:
            return await self.app(scope, receive, send)
        allowed = self.policy.allows(origin)
        same = self.policy.same_origin(scope, origin)
        method = scope["method"]
        if method == "OPTIONS" and _header(scope, b"access-control-request-method"):
            return await self._preflight(send, origin, allowed)
        if method in _UNSAFE and not (allowed or same):
            return await send_json(send, 403, {"error": "this site is not allowed to use the assistant"})

        async def send_wrapper(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if not k.lower().startswith(b"access-control-")]
                headers.append((b"vary", b"Origin"))
                if allowed:
                    headers += [(b"access-control-allow-origin", origin.encode("latin-1")),
                                (b"access-control-expose-headers", b"Retry-After")]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_wrapper)

    async def _preflight(self, send, origin: str, allowed: bool) -> None:
        if not allowed:
            await send({"type": "http.response.start", "status": 403,
                        "headers": [(b"content-length", b"0"), (b"vary", b"Origin")]})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": 204, "headers": [
            (b"access-control-allow-origin", origin.encode("latin-1")),
            (b"access-control-allow-methods", b"GET, POST, OPTIONS"),
            (b"access-control-allow-headers", b"Content-Type"),
            (b"access-control-max-age", b"600"),
            (b"vary", b"Origin")]})
        await send({"type": "http.response.body", "body": b""})


class BodyLimit:
    """Refuses request bodies over ``max_bytes`` with 413, whether announced by
    Content-Length or streamed chunked: the body is read (up to the limit) before the
    app sees it, so an oversize body never reaches a handler half-consumed."""

    def __init__(self, app, max_bytes: int):
        self.app, self.max_bytes = app, int(max_bytes)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = _header(scope, b"content-length")
        chunked = _header(scope, b"transfer-encoding")
        if length is None and chunked is None:
            return await self.app(scope, receive, send)
        too_big = {"error": f"request body is larger than {self.max_bytes} bytes"}
        if length is not None:
            if not length.strip().isdigit():
                return await send_json(send, 400, {"error": "bad Content-Length"})
            if int(length) > self.max_bytes:
                return await send_json(send, 413, too_big)
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                return await send_json(send, 413, too_big)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body, replayed = b"".join(chunks), False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def script_hashes(page: bytes) -> list[str]:
    return ["'sha256-" + base64.b64encode(hashlib.sha256(m.group(1)).digest()).decode() + "'"
            for m in _INLINE_SCRIPT.finditer(page)]


def csp(page: bytes, frame_ancestors: str) -> str:
    """The tightest policy the Gradio page works under: scripts only from this server or
    inline scripts whose exact text is in this page (hashes, no 'unsafe-inline', no eval);
    inline styles are allowed because Svelte sets style attributes at run time."""
    scripts = " ".join(["'self'"] + script_hashes(page))
    return ("default-src 'self'; "
            f"script-src {scripts}; "
            "style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data: blob:; font-src 'self' data:; media-src 'self' data: blob:; "
            "connect-src 'self'; worker-src 'self' blob:; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; "
            f"frame-ancestors {frame_ancestors}")


class SecurityHeaders:
    """nosniff and a referrer policy on every response; on HTML pages also a CSP that
    hashes the page's own inline scripts (so it needs the page uncompressed)."""

    def __init__(self, app, policy: OriginPolicy):
        self.app, self.frame_ancestors = app, policy.frame_ancestors()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if scope["method"] == "GET" and "text/html" in (_header(scope, b"accept") or ""):
            # Navigations: ask the inner app for an uncompressed page so it can be hashed.
            scope = {**scope, "headers": [(k, v) for k, v in scope["headers"] if k != b"accept-encoding"]}
        want_csp = not scope["path"].startswith(_NO_CSP_PATHS)
        held: dict = {}

        async def send_wrapper(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.lower() not in (b"x-content-type-options", b"referrer-policy")]
                headers += [(b"x-content-type-options", b"nosniff"),
                            (b"referrer-policy", b"strict-origin-when-cross-origin")]
                message = {**message, "headers": headers}
                ctype = dict((k.lower(), v) for k, v in headers).get(b"content-type", b"")
                if want_csp and ctype.startswith(b"text/html"):
                    held["start"], held["body"] = message, []
                    return
                return await send(message)
            if "start" in held and message["type"] == "http.response.body":
                held["body"].append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                await self._send_page(send, held["start"], b"".join(held["body"]))
                return
            await send(message)

        await self.app(scope, receive, send_wrapper)

    async def _send_page(self, send, start: dict, page: bytes) -> None:
        encoded = any(k.lower() == b"content-encoding" and v not in (b"identity",) for k, v in start["headers"])
        policy = csp(b"" if encoded else page, self.frame_ancestors)
        headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-security-policy"]
        headers.append((b"content-security-policy", policy.encode()))
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": page, "more_body": False})
