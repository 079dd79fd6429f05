"""A tiny static server for the demo host page.

Serves demo/ at / and the built widget (widget/dist/) at /widget/, bound to loopback.
HTML pages are templated: {{SERVER_URL}} becomes the assistant's URL and {{CONSULTANCY_NAME}}
the consultancy's name from consultancy.yml (or CONSULTANCY_NAME), as the assistant's replies use it.

    python demo/serve.py                       # http://localhost:8000/, assistant at http://localhost:5005
    python demo/serve.py --port 8001 --server-url http://127.0.0.1:5006
    ROUTE_ADVISOR_SERVER_URL=... python demo/serve.py
"""
from __future__ import annotations

import argparse
import contextlib
import html
import mimetypes
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator
from urllib.parse import unquote, urlsplit

DEMO_DIR = Path(__file__).resolve().parent
REPO_ROOT = DEMO_DIR.parent
DIST_DIR = REPO_ROOT / "widget" / "dist"
DEFAULT_SERVER_URL = os.environ.get("ROUTE_ADVISOR_SERVER_URL", "http://localhost:5005")
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from leads.consultancy import load_consultancy  # noqa: E402  (the project root is on the path now)


def _resolve(base: Path, rel: str) -> Path | None:
    """base/rel if it stays inside base and is a file, else None."""
    target = (base / rel).resolve()
    if base.resolve() not in target.parents or not target.is_file():
        return None
    return target


class DemoHandler(BaseHTTPRequestHandler):
    server_version = "RouteAdvisorDemo/1"
    server_url = DEFAULT_SERVER_URL  # replaced per server by make_server()
    consultancy_name = ""  # replaced per server by make_server()
    quiet = False

    def do_GET(self) -> None:  # noqa: N802 (stdlib name)
        self._serve(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve(send_body=False)

    def _serve(self, send_body: bool) -> None:
        path = unquote(urlsplit(self.path).path)
        if path in ("", "/"):
            path = "/index.html"
        if path.startswith("/widget/"):
            target = _resolve(DIST_DIR, path[len("/widget/"):])
            if target is None:
                return self._send(404, b"Widget not built: run `make widget-build`.\n", "text/plain", send_body)
        else:
            target = _resolve(DEMO_DIR, path.lstrip("/"))
            if target is None or target.suffix == ".py" or "__pycache__" in target.parts:
                return self._send(404, b"Not found\n", "text/plain", send_body)
        body = target.read_bytes()
        ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if target.suffix == ".html":
            text = body.decode("utf-8").replace("{{SERVER_URL}}", html.escape(self.server_url, quote=True))
            text = text.replace("{{CONSULTANCY_NAME}}", html.escape(self.consultancy_name, quote=True))
            body = text.encode("utf-8")
            ctype = "text/html; charset=utf-8"
        elif ctype.startswith("text/") or ctype == "application/javascript":
            ctype += "; charset=utf-8"
        self._send(200, body, ctype, send_body)

    def _send(self, status: int, body: bytes, ctype: str, send_body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def log_message(self, fmt: str, *args) -> None:
        if not self.quiet:
            super().log_message(fmt, *args)


def make_server(host: str = "127.0.0.1", port: int = 8000, server_url: str = DEFAULT_SERVER_URL,
                quiet: bool = False) -> ThreadingHTTPServer:
    handler = type("Handler", (DemoHandler,), {
        "server_url": server_url, "quiet": quiet, "consultancy_name": load_consultancy().name,
    })
    httpd = ThreadingHTTPServer((host, port), handler)
    httpd.daemon_threads = True
    return httpd


class RunningDemo:
    def __init__(self, httpd: ThreadingHTTPServer, server_url: str):
        host, port = httpd.server_address[:2]
        self.httpd = httpd
        self.port = port
        self.origin = f"http://{host}:{port}"
        self.url = f"{self.origin}/"
        self.server_url = server_url


@contextlib.contextmanager
def running_demo(server_url: str = DEFAULT_SERVER_URL, port: int = 0,
                 host: str = "127.0.0.1") -> Iterator[RunningDemo]:
    """Serve the demo in a background thread (port 0 = any free port)."""
    if not (DIST_DIR / "route-advisor.js").is_file():
        raise RuntimeError("widget/dist/route-advisor.js is missing: run `make widget-build` first.")
    httpd = make_server(host, port, server_url, quiet=True)
    thread = threading.Thread(target=httpd.serve_forever, name="demo-server", daemon=True)
    thread.start()
    try:
        yield RunningDemo(httpd, server_url)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("DEMO_PORT", "8000")))
    parser.add_argument("--server-url", default=DEFAULT_SERVER_URL,
                        help="the assistant's URL the embedded widget connects to")
    args = parser.parse_args(argv)
    if not (DIST_DIR / "route-advisor.js").is_file():
        print("warning: widget/dist/route-advisor.js is missing: run `make widget-build`", file=sys.stderr)
    httpd = make_server(args.host, args.port, args.server_url)
    print(f"Demo site: http://localhost:{args.port}/  (widget talks to {args.server_url})", flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
