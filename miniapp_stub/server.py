"""The tracker's own server: it hands out the page, its script and its GraphQL operations, and tells
the page where the platform is. It holds no secret and never sees a token: the page is a PUBLIC client
(authorization code + PKCE) and talks to the platform directly (the platform allows it by CORS).
"""

from __future__ import annotations

import argparse
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

HERE = Path(__file__).parent
SCOPES = "openid applications:read"
# What the server hands out: path -> (file, content type). /callback is the page again: it reads the
# code and state from its own address.
FILES = {
    "/": (HERE / "static" / "index.html", "text/html; charset=utf-8"),
    "/callback": (HERE / "static" / "index.html", "text/html; charset=utf-8"),
    "/app.js": (HERE / "static" / "app.js", "text/javascript; charset=utf-8"),
    "/style.css": (HERE / "static" / "style.css", "text/css; charset=utf-8"),
    "/operations.graphql": (HERE / "operations.graphql", "application/graphql; charset=utf-8"),
}
BANNER = "miniapp_stub is listening on "


class Handler(BaseHTTPRequestHandler):
    """GET only: the files above and /config.json."""

    config: ClassVar[dict[str, str]] = {}

    def do_GET(self) -> None:
        """A file, the configuration, or 404."""
        path = self.path.split("?", 1)[0]
        if path == "/config.json":
            self._send(200, json.dumps(self.config).encode(), "application/json")
        elif path in FILES:
            file, content_type = FILES[path]
            self._send(200, file.read_bytes(), content_type)
        else:
            self._send(404, b"not found", "text/plain; charset=utf-8")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(body)))
        self.send_header("cache-control", "no-store")
        self.send_header("x-content-type-options", "nosniff")
        # The callback's address carries the one-time code: never send it on as a Referer.
        self.send_header("referrer-policy", "no-referrer")
        # Scripts only from here, and connections only here and to the platform: an injected script
        # could otherwise read the tokens in sessionStorage and send them anywhere.
        self.send_header(
            "content-security-policy",
            f"default-src 'self'; connect-src 'self' {self.config['platform']}; "
            "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        )
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: one line per request would drown the banner."""


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """Arguments, each with an environment default (MINIAPP_*)."""
    env = os.environ.get
    parser = argparse.ArgumentParser(prog="python -m miniapp_stub", description=__doc__)
    parser.add_argument("--host", default=env("MINIAPP_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(env("MINIAPP_PORT", "8100")))
    parser.add_argument("--platform", default=env("MINIAPP_PLATFORM", "http://127.0.0.1:8000"), help="base URL")
    parser.add_argument("--client-id", default=env("MINIAPP_CLIENT_ID"), required=not env("MINIAPP_CLIENT_ID"))
    parser.add_argument("--issuer", default=env("MINIAPP_ISSUER"), help="the id_token's iss (default: --platform)")
    parser.add_argument(
        "--redirect-uri", default=env("MINIAPP_REDIRECT_URI"), help="default: http://HOST:PORT/callback"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Serve the tracker until interrupted."""
    args = parse(argv)
    platform = args.platform.rstrip("/")
    Handler.config = {
        "platform": platform,
        "issuer": (args.issuer or platform).rstrip("/"),
        "clientId": args.client_id,
        "redirectUri": args.redirect_uri or f"http://{args.host}:{args.port}/callback",
        "scope": SCOPES,
    }
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    print(f"{BANNER}http://{args.host}:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
