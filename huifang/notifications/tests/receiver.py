"""A group robot's server for the tests: http.server on 127.0.0.1, a free port, its own thread.

It records every request (path, query, JSON body) and answers from a script of
(HTTP status, JSON answer) pairs, then with success once the script is used up.
"""

import json
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

OK = (200, {"errcode": 0, "errmsg": "ok"})


@dataclass
class Received:
    path: str
    query: dict[str, str]
    content_type: str
    body: dict


@dataclass
class Receiver:
    base_url: str
    script: list[tuple[int, dict]] = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)

    def url(self, path: str = "/cgi-bin/webhook/send?key=test-robot-key-0001") -> str:
        return self.base_url + path


@contextmanager
def robot_server(script: list[tuple[int, dict]] | None = None) -> Iterator[Receiver]:
    receiver = Receiver(base_url="", script=list(script or []))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server API
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            parts = urllib.parse.urlsplit(self.path)
            receiver.requests.append(
                Received(
                    path=parts.path,
                    # Values as sent, still URL-encoded, so the test can check the encoding too.
                    query=dict(pair.split("=", 1) for pair in parts.query.split("&") if pair),
                    content_type=self.headers.get("Content-Type", ""),
                    body=json.loads(raw.decode("utf-8")),
                )
            )
            status, answer = receiver.script.pop(0) if receiver.script else OK
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def dead_url() -> str:
    """A robot URL on a port where nothing listens (bound, then released)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/cgi-bin/webhook/send?key=dead-robot-key-0001"
