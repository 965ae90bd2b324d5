"""An upstream service (on 127.0.0.1, or on the unix socket given as argument) in another language than the sidecar: Python's standard library only.

Every request is answered with JSON describing what arrived: the method, the request target as
received, every header field line in order, and the body (base64). GET /__count answers how many
other requests it has seen, so a test can prove that a refusal never reached it. Prints its port.
"""
import base64
import json
import os
import socketserver
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

seen = 0
lock = threading.Lock()


class Echo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length", "0"))
        return self.rfile.read(length) if length else b""

    def answer(self):
        global seen
        body = self.read_body()
        if self.path == "/__count":
            with lock:
                payload = {"count": seen}
        else:
            with lock:
                seen += 1
            if "/slow" in self.path:
                threading.Event().wait(1.0)
            payload = {
                "method": self.command,
                "target": self.path,
                "headers": [[name.lower(), value] for name, value in self.headers.items()],
                "body": base64.b64encode(body).decode("ascii"),
                "peer": self.client_address[1] if isinstance(self.client_address, tuple) else 0,
            }
        data = json.dumps(payload).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = answer


class UnixEchoServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


if len(sys.argv) > 1:
    # A unix socket path: the upstream reachable by no network peer at all.
    if os.path.exists(sys.argv[1]):
        os.unlink(sys.argv[1])
    server = UnixEchoServer(sys.argv[1], Echo)
    print("0", flush=True)
else:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
server.serve_forever()
