"""Stub API/web server for the live docker tests.

Environment:
  STUB_PORT           port to listen on (default 8000)
  STUB_VERSION        version string served at /version and in / (default "stub")
  STUB_HEALTH         "ok" (default): the health path answers 200 (after STUB_HEALTHY_AFTER);
                      "fail": it answers 503 forever (a release that never turns healthy)
  STUB_HEALTHY_AFTER  seconds after start during which the health path answers 503 (default 0)
  STUB_HEALTH_PATH    health path (default /api/v1/health)
Every other path answers 404. Responses are small, fixed and carry the version in X-Stub-Version.
"""
import http.server
import json
import os
import signal
import sys
import threading
import time

PORT = int(os.environ.get("STUB_PORT", "8000"))
VERSION = os.environ.get("STUB_VERSION", "stub")
HEALTH = os.environ.get("STUB_HEALTH", "ok")
HEALTHY_AFTER = float(os.environ.get("STUB_HEALTHY_AFTER", "0"))
HEALTH_PATH = os.environ.get("STUB_HEALTH_PATH", "/api/v1/health")
STARTED = time.monotonic()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _send(self, status, body):
        data = (json.dumps(body, sort_keys=True) + "\n").encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Stub-Version", VERSION)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == HEALTH_PATH:
            healthy = HEALTH == "ok" and time.monotonic() - STARTED >= HEALTHY_AFTER
            self._send(200 if healthy else 503, {"status": "ok" if healthy else "unavailable", "version": VERSION})
        elif path == "/version":
            self._send(200, {"version": VERSION})
        elif path == "/":
            self._send(200, {"service": "stub", "version": VERSION})
        else:
            self._send(404, {"error": "not found", "path": path})

    do_HEAD = do_GET

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))


def main():
    server = http.server.ThreadingHTTPServer(("0.0.0.0", PORT), Handler)
    server.daemon_threads = True
    # docker stop sends SIGTERM: stop accepting, let in-flight requests finish, exit 0.
    # shutdown() blocks until serve_forever returns, so it must run off the serving thread.
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    server.serve_forever()
    server.server_close()


if __name__ == "__main__":
    main()
