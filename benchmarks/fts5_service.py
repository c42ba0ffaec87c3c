"""The FTS5 peer as a minimal standard-library HTTP JSON service (ThreadingHTTPServer).

    python benchmarks/fts5_service.py benchmarks/out/corpus-50000/fts5.sqlite --port 8765

GET /api/search?q=... answers {"query", "results": [{id, title, page, excerpt_html}]}
with the ten best passages; GET /healthz answers {"status": "ok"}.
"""

from __future__ import annotations

import argparse
import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from peers import Fts5Search


def make_handler(engine: Fts5Search):
    """Return a request handler class bound to an FTS5 engine."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as gunicorn offers
        disable_nagle_algorithm = True  # headers and body go out as two writes: no 40 ms delayed-ACK stall

        def do_GET(self):  # noqa: N802 (the standard library's name)
            url = urlsplit(self.path)
            if url.path == "/healthz":
                self._send(200, {"status": "ok"})
            elif url.path == "/api/search":
                text = parse_qs(url.query).get("q", [""])[0]
                self._send(200, {"query": text, "results": engine.search(text)})
            else:
                self._send(404, {"error": "not found"})

        def _send(self, status: int, data: dict) -> None:
            body = json.dumps(data).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            """Stay quiet, like gunicorn without an access log."""

    return Handler


def main() -> None:
    """Serve until killed."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("database", type=Path)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(Fts5Search(args.database)))
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
