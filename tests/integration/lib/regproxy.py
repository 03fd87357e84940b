#!/usr/bin/env python3
"""A registry proxy on loopback for gocker's pull tests: it forwards to a real
docker-registry and injects faults, Bearer token auth and redirects.

  regproxy.py UPSTREAM_PORT MODE_FILE LOG_FILE PORT_FILE

It listens on three free ports on 127.0.0.1 and writes "MAIN SIDE OTHER" to
PORT_FILE. MAIN is the registry gocker talks to; SIDE serves redirect targets
and the token realm; OTHER stands for a host the user never named (it issues
tokens to anyone and logs what reaches it). MODE_FILE holds space-separated words, re-read on every request
(per-request "once" state resets whenever its content changes):

  token            require "Authorization: Bearer <issued token>"; the realm is
                   http://127.0.0.1:SIDE/token
  creds=USER:PASS  the realm wants these Basic credentials
  expire-once      the first valid token is answered 401 error="invalid_token"
  expire-blob-once the same, on the second blob GET (a layer, while
                   the others download)
  redirect         blob GETs answer 307 to http://127.0.0.1:SIDE/blob/...
  realmredirect    the realm answers 302 to http://127.0.0.1:OTHER/token
  cdnchallenge     SIDE's /blob/ answers 401 with a Bearer challenge whose realm
                   is http://127.0.0.1:OTHER/token (a CDN asking for credentials)
  corrupt          flip one byte in the middle of every blob
  cut              the first GET of each blob sends half and closes
  500once          the first request of each blob answers 500
  429once          the first request of each blob answers 429, Retry-After: 1
  liedigest        manifest GETs carry a wrong Docker-Content-Digest
  bigmanifest      manifest requests: HEAD without digest, GET > 4 MiB
  schema1          manifest requests: HEAD without digest, GET a schema1 doc
  badrange         206 answers carry a Content-Range starting at 0
  slow             blobs over 100 kB trickle (64 KiB per 0.2 s)
  fail=DIGEST      GETs of that blob answer 404 BLOB_UNKNOWN

Every request is logged as "PORTNAME METHOD PATH auth=<scheme|none> range=<r>".
Standard library only; all traffic stays on 127.0.0.1."""
import base64
import hashlib
import http.client
import http.server
import json
import secrets
import socket
import sys
import threading
import time
import urllib.parse

UPSTREAM = int(sys.argv[1])
MODE_FILE, LOG_FILE, PORT_FILE = sys.argv[2], sys.argv[3], sys.argv[4]
lock = threading.Lock()
state = {"mode": None, "seen": set(), "tokens": set(), "expired": False}
ports = {}


def mode():
    try:
        with open(MODE_FILE) as f:
            text = f.read().strip()
    except OSError:
        text = ""
    with lock:
        if text != state["mode"]:
            state["mode"] = text
            state["seen"] = set()
            state["expired"] = False
            state["blob_gets"] = 0
            state["counts"] = {}
    words = text.split()
    opts = {}
    for w in words:
        k, _, v = w.partition("=")
        opts[k] = v or True
    return opts


def first_time(key):
    with lock:
        if key in state["seen"]:
            return False
        state["seen"].add(key)
        return True


def count(key):
    """How many times this was asked for under the current mode (1, 2, ...)."""
    with lock:
        n = state["counts"].get(key, 0) + 1
        state["counts"][key] = n
        return n


def log(line):
    with lock:
        with open(LOG_FILE, "a") as f:
            f.write(line + "\n")


def upstream(method, path, headers):
    c = http.client.HTTPConnection("127.0.0.1", UPSTREAM, timeout=60)
    h = {k: v for k, v in headers.items() if k.lower() in ("accept", "range")}
    c.request(method, path, headers=h)
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, r.getheaders(), body


class Base(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    name = "?"

    def log_message(self, *a):
        pass

    def auth_scheme(self):
        a = self.headers.get("Authorization")
        return a.split()[0] if a else "none"

    def send(self, status, headers, body, head=False):
        self.send_response(status)
        seen = set()
        for k, v in headers:
            if k.lower() in ("content-length", "connection", "transfer-encoding", "date",
                             "server"):
                continue
            seen.add(k.lower())
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head and self.command != "HEAD":
            self.wfile.write(body)

    def error(self, status, code, message, extra=()):
        body = json.dumps({"errors": [{"code": code, "message": message}]}).encode()
        self.send(status, [("Content-Type", "application/json")] + list(extra), body)


class Side(Base):
    """Redirect targets and the token realm."""

    def do_GET(self):
        opts = mode()
        log("side GET %s auth=%s range=%s" % (self.path, self.auth_scheme(),
                                             self.headers.get("Range", "-")))
        u = urllib.parse.urlparse(self.path)
        if u.path == "/token" and "realmredirect" in opts:
            loc = "http://127.0.0.1:%d/token?%s" % (ports["other"], u.query)
            return self.send(302, [("Location", loc)], b"")
        if u.path.startswith("/blob/") and "cdnchallenge" in opts:
            chal = 'Bearer realm="http://127.0.0.1:%d/token",service="cdn"' % ports["other"]
            return self.error(401, "UNAUTHORIZED", "authentication required",
                              [("WWW-Authenticate", chal)])
        if u.path == "/token":
            want = opts.get("creds")
            if isinstance(want, str):
                got = self.headers.get("Authorization", "")
                exp = "Basic " + base64.b64encode(want.encode()).decode()
                if got != exp:
                    return self.error(401, "UNAUTHORIZED", "authentication required")
            tok = secrets.token_hex(16)
            with lock:
                state["tokens"].add(tok)
            body = json.dumps({"token": tok, "expires_in": 300}).encode()
            return self.send(200, [("Content-Type", "application/json")], body)
        if u.path.startswith("/blob/"):
            status, headers, body = upstream("GET", u.path[len("/blob"):], self.headers)
            return self.send(status, headers, body)
        self.error(404, "NOT_FOUND", "no such thing")


class Other(Base):
    """A host nobody named: whatever reaches it is logged; it hands out tokens."""

    def do_GET(self):
        log("other GET %s auth=%s" % (self.path, self.auth_scheme()))
        tok = secrets.token_hex(16)
        with lock:
            state["tokens"].add(tok)
        body = json.dumps({"token": tok, "expires_in": 300}).encode()
        self.send(200, [("Content-Type", "application/json")], body)


class Main(Base):
    def check_token(self, opts):
        a = self.headers.get("Authorization", "")
        ok = False
        if a.startswith("Bearer "):
            with lock:
                ok = a[7:] in state["tokens"]
        repo = self.path.split("/")[2] if self.path.count("/") >= 3 else ""
        chal = ('Bearer realm="http://127.0.0.1:%d/token",service="gocker-test",'
                'scope="repository:%s:pull"' % (ports["side"], repo))
        second_blob = False
        if ok and "/blobs/" in self.path and self.command == "GET":
            with lock:
                state["blob_gets"] = state.get("blob_gets", 0) + 1
                second_blob = state["blob_gets"] == 2
        if ok and ("expire-once" in opts or ("expire-blob-once" in opts and second_blob)):
            with lock:
                first = not state["expired"]
                state["expired"] = True
            if first:
                with lock:
                    state["tokens"].discard(a[7:])
                self.error(401, "UNAUTHORIZED", "token expired",
                           [("WWW-Authenticate", chal + ',error="invalid_token"')])
                return False
        if not ok:
            self.error(401, "UNAUTHORIZED", "authentication required",
                       [("WWW-Authenticate", chal)])
        return ok

    def handle_any(self, head):
        opts = mode()
        method = "HEAD" if head else "GET"
        log("main %s %s auth=%s range=%s" % (method, self.path, self.auth_scheme(),
                                            self.headers.get("Range", "-")))
        if "token" in opts and self.path != "/v2/" and not self.check_token(opts):
            return
        parts = self.path.split("/")
        is_blob = len(parts) >= 5 and parts[-2] == "blobs"
        is_manifest = len(parts) >= 5 and parts[-2] == "manifests"
        key = self.path
        if is_blob and not head:
            digest = parts[-1]
            if opts.get("fail") == digest:
                return self.error(404, "BLOB_UNKNOWN", "blob unknown to registry")
            if "500once" in opts and first_time("500" + key):
                return self.error(500, "UNKNOWN", "injected failure")
            if "429once" in opts and first_time("429" + key):
                return self.error(429, "TOOMANYREQUESTS", "slow down",
                                  [("Retry-After", "1")])
            if "redirect" in opts:
                loc = "http://127.0.0.1:%d/blob%s" % (ports["side"], self.path)
                return self.send(307, [("Location", loc)], b"")
            if "redirectfile" in opts:
                return self.send(307, [("Location", "file:///etc/hostname")], b"")
            # back to itself 15 times, then the blob: a client without a hop
            # limit gets it, one with Docker's 10 does not
            if "redirectloop" in opts and count("loop" + key) <= 15:
                loc = "http://127.0.0.1:%d%s" % (ports["main"], self.path)
                return self.send(307, [("Location", loc)], b"")
        if is_manifest and ("bigmanifest" in opts or "schema1" in opts):
            if "schema1" in opts:
                body = json.dumps({"schemaVersion": 1, "name": parts[2], "tag": parts[-1],
                                   "architecture": "amd64", "fsLayers": [],
                                   "history": []}).encode()
                ct = "application/vnd.docker.distribution.manifest.v1+prettyjws"
            else:
                body = json.dumps({"schemaVersion": 2,
                                   "mediaType": "application/vnd.oci.image.manifest.v1+json",
                                   "config": {}, "layers": [],
                                   "annotations": {"pad": "x" * (5 << 20)}}).encode()
                ct = "application/vnd.oci.image.manifest.v1+json"
            return self.send(200, [("Content-Type", ct)], body, head)
        status, headers, body = upstream(method, self.path, self.headers)
        if is_manifest and not head and "liedigest" in opts and status == 200:
            headers = [(k, v) for k, v in headers if k.lower() != "docker-content-digest"]
            headers.append(("Docker-Content-Digest", "sha256:" + hashlib.sha256(
                b"lie").hexdigest()))
        if is_blob and not head and status == 206 and "badrange" in opts:
            headers = [(k, v) for k, v in headers if k.lower() != "content-range"]
            headers.append(("Content-Range", "bytes 0-%d/*" % (len(body) - 1)))
        if is_blob and not head and status in (200, 206):
            if "longblob" in opts and status == 200 and len(body) > 1000:  # layers only
                body = body + b"trailing bytes past the descriptor's size"
            if "corrupt" in opts and len(body) > 0:
                b = bytearray(body)
                b[len(b) // 2] ^= 0xFF
                body = bytes(b)
            if "slow" in opts and len(body) > 100000:
                # 64 KiB every 0.2 s: slow enough to be killed mid-blob.
                self.send_response(status)
                for k, v in headers:
                    if k.lower() not in ("connection", "date", "server", "content-length"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                for off in range(0, len(body), 65536):
                    try:
                        self.wfile.write(body[off:off + 65536])
                        self.wfile.flush()
                    except OSError:
                        return
                    time.sleep(0.2)
                return
            if "cut" in opts and len(body) > 1000 and first_time("cut" + key):
                self.send_response(status)
                for k, v in headers:
                    if k.lower() not in ("connection", "date", "server"):
                        self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body[:len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
        self.send(status, headers, body, head)

    def do_GET(self):
        self.handle_any(False)

    def do_HEAD(self):
        self.handle_any(True)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    main_srv = Server(("127.0.0.1", 0), Main)
    side_srv = Server(("127.0.0.1", 0), Side)
    other_srv = Server(("127.0.0.1", 0), Other)
    ports["main"] = main_srv.server_address[1]
    ports["side"] = side_srv.server_address[1]
    ports["other"] = other_srv.server_address[1]
    threading.Thread(target=side_srv.serve_forever, daemon=True).start()
    threading.Thread(target=other_srv.serve_forever, daemon=True).start()
    with open(PORT_FILE + ".tmp", "w") as f:
        f.write("%d %d %d\n" % (ports["main"], ports["side"], ports["other"]))
    import os
    os.rename(PORT_FILE + ".tmp", PORT_FILE)
    main_srv.serve_forever()


if __name__ == "__main__":
    main()
