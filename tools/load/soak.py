#!/usr/bin/env python3
"""A bounded soak of `image2text serve` on loopback: valid and hostile requests mixed, bursts over the concurrency
limit, memory watched, and a graceful shutdown with requests in flight. Python's standard library only.

    tools/load/soak.py [--model DIR] [--duration SECONDS] [--clients N] [--max-concurrent N] [--json FILE]

It starts the server itself (`.build/release/image2text serve`, build it first), then for --duration seconds:
  * --clients threads send requests drawn from a fixed mix: captions, answers and classifications in every body form
    (multipart, JSON with base64, raw body + query) on every image format, and hostile ones (malformed JSON and
    multipart, unknown fields, lengths near Int.max, absurd beam counts, non-normal floats, corrupt and oversized
    images, bad chunk sizes, non-UTF-8 text, wrong methods and routes, uploads cut off midway);
  * every --burst-every seconds, --burst-size requests at once, more than --max-concurrent, so some get 429;
  * the server's resident memory is read from /proc every second.
Then it queues --shutdown-requests valid requests, sends SIGTERM while they are in flight, and expects every one of
them answered and the process to exit 0.

It passes (exit 0) when: no valid request got a 5xx or went unanswered (a 429 during a burst is an answer); every
hostile request got the 4xx it should; the server never died; resident memory after warm-up stayed flat (the median
of the last fifth of the run within --rss-growth-limit of the median of the first fifth after warm-up); the shutdown
lost nothing. A report is printed, and written as JSON with --json.
"""
import argparse
import base64
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
IMAGES = [os.path.join(REPO, path) for path in [
    "Fixtures/easyvqa/0.png", "Fixtures/easyvqa/15.png", "Fixtures/images/coffee.jpg", "Fixtures/images/chelsea.png",
    "Fixtures/images/pattern_progressive.jpg", "Fixtures/images/formats/lossy.webp", "Fixtures/images/formats/animated.gif",
    "Fixtures/images/gray16.png", "Fixtures/images/odd_17x23.jpg",
] if os.path.exists(os.path.join(REPO, path))]
CORRUPT = [os.path.join(REPO, "Fixtures/images/bad", name) for name in sorted(os.listdir(os.path.join(REPO, "Fixtures/images/bad")))]


class Request:
    """One request of the mix: what to send and which statuses count as right."""

    def __init__(self, kind, method, path, body=b"", headers=None, expect=(200,), raw=None):
        self.kind, self.method, self.path, self.body = kind, method, path, body
        self.headers = headers or {}
        self.expect = expect
        # Bytes written on a socket as they are, for what an HTTP client library will not send.
        self.raw = raw

    @property
    def valid(self):
        return 200 in self.expect

    @property
    def admitted(self):
        """Whether the request counts against --max-concurrent-requests (a raw request's line says where it goes)."""
        start = self.raw[:40] if self.raw is not None else f"{self.method} {self.path}".encode()
        return start.startswith(b"POST /v1/")


def multipart(fields, files):
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + value + b"\r\n")
    for name, filename, data in files:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f'Content-Type: application/octet-stream\r\n\r\n'.encode() + data + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; charset=utf-8; boundary={boundary}"}


def json_body(fields):
    return json.dumps(fields).encode(), {"Content-Type": "application/json"}


class Mix:
    """Draws requests: about two valid ones for every hostile one."""

    def __init__(self, rng, max_new_tokens, max_body_bytes):
        self.rng = rng
        self.images = [(path, open(path, "rb").read()) for path in IMAGES]
        self.corrupt = [(path, open(path, "rb").read()) for path in CORRUPT]
        self.max_new_tokens = max_new_tokens
        self.max_body_bytes = max_body_bytes

    def image(self):
        return self.rng.choice(self.images)

    def valid(self):
        path, data = self.image()
        name = os.path.basename(path)
        tokens = str(self.max_new_tokens).encode()
        choice = self.rng.randrange(6)
        if choice == 0:
            body, headers = multipart([("max_new_tokens", tokens)], [("image", name, data)])
            return Request("caption multipart", "POST", "/v1/caption", body, headers)
        if choice == 1:
            body, headers = json_body({"image": base64.b64encode(data).decode(), "max_new_tokens": self.max_new_tokens})
            return Request("caption json", "POST", "/v1/caption", body, headers)
        if choice == 2:
            content_type = {"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}[name.rsplit(".", 1)[1]]
            return Request("caption raw", "POST", f"/v1/caption?max_new_tokens={self.max_new_tokens}", data,
                           {"Content-Type": content_type})
        if choice == 3:
            body, headers = json_body({"image": base64.b64encode(data).decode(), "question": "what shape is in the image?",
                                       "max_new_tokens": self.max_new_tokens})
            return Request("answer json", "POST", "/v1/answer", body, headers)
        if choice == 4:
            body, headers = multipart([("question", b"what color is the shape?"), ("max_new_tokens", tokens)],
                                      [("image", name, data)])
            return Request("answer multipart", "POST", "/v1/answer", body, headers)
        body, headers = multipart([("labels", b"circle"), ("labels", b"triangle"), ("labels", b"rectangle")],
                                  [("image", name, data)])
        return Request("classify multipart", "POST", "/v1/classify", body, headers)

    def hostile(self):
        path, data = self.image()
        encoded = base64.b64encode(data).decode()
        cases = [
            lambda: Request("malformed json", "POST", "/v1/caption", b'{"image": "', {"Content-Type": "application/json"}, (400,)),
            lambda: Request("json array", "POST", "/v1/caption", b"[1, 2]", {"Content-Type": "application/json"}, (400,)),
            lambda: Request("unknown field", "POST", "/v1/caption", *json_body({"image": encoded, "colour": "red"}), (400,)),
            # A length the position table cannot hold is refused up front (as OpenAI-style servers refuse a context
            # overflow); a minimum past it is harmless, the maximum stops the sequence first.
            lambda: Request("max_new_tokens Int.max", "POST", "/v1/caption",
                            *json_body({"image": encoded, "max_new_tokens": 9223372036854775807}), (400,)),
            lambda: Request("max_length numeric string near Int.max", "POST",
                            "/v1/caption?max_length=9223372036854775806", data, {"Content-Type": "image/png"}, (400,)),
            lambda: Request("max_new_tokens 2e9", "POST", "/v1/caption",
                            *multipart([("max_new_tokens", b"2000000000")], [("image", "x.png", data)]), (400,)),
            lambda: Request("min_new_tokens Int.max", "POST", "/v1/caption",
                            *json_body({"image": encoded, "min_new_tokens": 9223372036854775807, "max_new_tokens": 8}), (200,)),
            lambda: Request("max_new_tokens 2^63", "POST", "/v1/caption",
                            *json_body({"image": encoded, "max_new_tokens": 9223372036854775808}), (400,)),
            lambda: Request("num_beams 1e6", "POST", "/v1/caption", *json_body({"image": encoded, "num_beams": 1000000}), (400,)),
            lambda: Request("temperature 1e-320", "POST", "/v1/caption",
                            *json_body({"image": encoded, "do_sample": True, "temperature": 1e-320}), (400,)),
            lambda: Request("non-UTF-8 question", "POST", "/v1/answer",
                            *multipart([("question", b"what \xff\xfe is it?")], [("image", "x.png", data)]), (400,)),
            lambda: Request("two images", "POST", "/v1/caption",
                            *multipart([], [("image", "a.png", data), ("image", "b.png", data)]), (400,)),
            lambda: Request("no image", "POST", "/v1/caption", *json_body({"max_new_tokens": 3}), (400,)),
            lambda: Request("not base64", "POST", "/v1/caption", *json_body({"image": "%%%"}), (400,)),
            lambda: Request("corrupt image", "POST", "/v1/caption",
                            *multipart([], [("image", os.path.basename(c[0]), c[1]) for c in [self.rng.choice(self.corrupt)]]),
                            (400, 413, 422)),
            lambda: Request("text as image", "POST", "/v1/caption", b"hello world, not an image",
                            {"Content-Type": "image/png"}, (422,)),
            lambda: Request("wrong content type", "POST", "/v1/caption", b"x=1", {"Content-Type": "text/plain"}, (415,)),
            lambda: Request("wrong method", "GET", "/v1/caption", expect=(405,)),
            lambda: Request("unknown route", "GET", "/v2/everything", expect=(404,)),
            lambda: Request("declared body over limit", "POST", "/v1/caption", raw=(
                f"POST /v1/caption HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\n"
                f"Content-Length: {self.max_body_bytes + 1}\r\n\r\n").encode() + data[:100], expect=(413,)),
            lambda: Request("chunk size 2^64", "POST", "/v1/caption", raw=(
                b"POST /v1/caption HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nTransfer-Encoding: chunked\r\n\r\n"
                b"10000000000000000\r\nabc\r\n0\r\n\r\n"), expect=(400,)),
            lambda: Request("chunk size not hex", "POST", "/v1/caption", raw=(
                b"POST /v1/caption HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nTransfer-Encoding: chunked\r\n\r\n"
                b"zz\r\nabc\r\n0\r\n\r\n"), expect=(400,)),
            # The client hangs up halfway through its upload: no answer is expected, the server must just carry on.
            lambda: Request("upload cut off", "POST", "/v1/caption", raw=(
                f"POST /v1/caption HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: {len(data)}\r\n\r\n"
                ).encode() + data[: len(data) // 2], expect=(None,)),
        ]
        return self.rng.choice(cases)()


class Outcomes:
    def __init__(self):
        self.lock = threading.Lock()
        self.by_kind = {}
        self.failures = []
        self.latencies = []
        self.valid_sent = self.valid_answered = self.refused_429 = 0

    def record(self, request, status, seconds, detail=""):
        with self.lock:
            key = (request.kind, status)
            self.by_kind[key] = self.by_kind.get(key, 0) + 1
            if request.valid:
                self.valid_sent += 1
                if status is not None:
                    self.valid_answered += 1
                if status == 200:
                    self.latencies.append(seconds)
                if status == 429:
                    self.refused_429 += 1
            # Over the concurrency limit any inference request may be turned away before it is read.
            right = status in request.expect or (status == 429 and request.admitted)
            if not right:
                self.failures.append({"kind": request.kind, "status": status, "expected": list(request.expect), "detail": detail[:300]})


def send(port, request, timeout):
    """The status (None when nothing came back) and the body's start."""
    if request.raw is not None:
        received = b""
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
                connection.sendall(request.raw)
                if request.expect == (None,):
                    return None, ""
                while b"\r\n\r\n" not in received:
                    chunk = connection.recv(65536)
                    if not chunk:
                        break
                    received += chunk
        except OSError as error:
            return None, f"{type(error).__name__}: {error}"
        line = received.split(b"\r\n", 1)[0].decode(errors="replace")
        parts = line.split()
        return (int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None), received[:300].decode(errors="replace")
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(request.method, request.path, body=request.body or None, headers=request.headers)
        response = connection.getresponse()
        body = response.read()
        detail = body[:300].decode(errors="replace")
        if response.status != 200 or request.method != "POST":
            content_type = response.getheader("Content-Type", "")
            if "json" not in content_type:
                detail = f"non-JSON error body ({content_type!r}): " + detail
                return -response.status, detail
        return response.status, detail
    except (OSError, http.client.HTTPException) as error:
        return None, f"{type(error).__name__}: {error}"
    finally:
        connection.close()


class Server:
    def __init__(self, arguments):
        self.port = arguments.port
        command = [arguments.binary, "serve", "--model", arguments.model, "--host", "127.0.0.1", "--port", str(self.port),
                   "--max-concurrent-requests", str(arguments.max_concurrent), "--max-body-mb", str(arguments.max_body_mb),
                   "--request-timeout", str(arguments.request_timeout), "--log-level", "warning"]
        self.log = open(arguments.log, "wb")
        self.process = subprocess.Popen(command, stdout=self.log, stderr=self.log)
        deadline = time.time() + 600
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"soak: the server exited with {self.process.returncode} while starting; see {arguments.log}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                connection.request("GET", "/health")
                if connection.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("soak: the server did not answer /health within 10 minutes")

    def rss_mb(self):
        try:
            with open(f"/proc/{self.process.pid}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) / 1024
        except OSError:
            return None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=os.path.join(REPO, "Models/git-tiny-easyvqa"))
    parser.add_argument("--binary", default=os.path.join(REPO, ".build/release/image2text"))
    parser.add_argument("--duration", type=float, default=600, help="seconds of mixed load (default 600)")
    parser.add_argument("--warm-up", type=float, default=None, help="seconds not counted in the memory check (default: a tenth)")
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--max-concurrent", type=int, default=8, help="the server's --max-concurrent-requests")
    parser.add_argument("--burst-every", type=float, default=30)
    parser.add_argument("--burst-size", type=int, default=24)
    parser.add_argument("--shutdown-requests", type=int, default=6)
    parser.add_argument("--max-new-tokens", type=int, default=12)
    parser.add_argument("--max-body-mb", type=float, default=4)
    parser.add_argument("--request-timeout", type=float, default=120)
    parser.add_argument("--rss-growth-limit", type=float, default=0.10, help="allowed relative growth (default 0.10)")
    parser.add_argument("--port", type=int, default=18190)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--log", default="/tmp/image2text-soak-server.log")
    parser.add_argument("--json", help="write the report here")
    arguments = parser.parse_args()
    warm_up = arguments.warm_up if arguments.warm_up is not None else arguments.duration / 10

    started = time.time()
    server = Server(arguments)
    load_started = time.time()
    outcomes = Outcomes()
    rss = []  # (seconds since the load started, MB)
    stop = threading.Event()

    def client(index):
        mix = Mix(random.Random(arguments.seed * 1000 + index), arguments.max_new_tokens, int(arguments.max_body_mb * 1e6))
        while not stop.is_set():
            request = mix.valid() if mix.rng.random() < 0.65 else mix.hostile()
            begin = time.time()
            status, detail = send(arguments.port, request, arguments.request_timeout + 30)
            outcomes.record(request, status, time.time() - begin, detail)

    def burst(index):
        mix = Mix(random.Random(arguments.seed * 7919 + index), arguments.max_new_tokens, int(arguments.max_body_mb * 1e6))
        requests = [mix.valid() for _ in range(arguments.burst_size)]
        threads = []
        for request in requests:
            def one(request=request):
                begin = time.time()
                status, detail = send(arguments.port, request, arguments.request_timeout + 30)
                outcomes.record(request, status, time.time() - begin, detail)
            threads.append(threading.Thread(target=one))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    workers = [threading.Thread(target=client, args=(index,)) for index in range(arguments.clients)]
    for worker in workers:
        worker.start()
    bursts, next_burst, burst_threads = 0, arguments.burst_every / 2, []
    while time.time() - load_started < arguments.duration:
        elapsed = time.time() - load_started
        value = server.rss_mb()
        if value is None or server.process.poll() is not None:
            break
        rss.append((elapsed, value))
        if elapsed >= next_burst:
            thread = threading.Thread(target=burst, args=(bursts,))
            thread.start()
            burst_threads.append(thread)
            bursts += 1
            next_burst += arguments.burst_every
        time.sleep(1)
    stop.set()
    for thread in workers + burst_threads:
        thread.join()
    died = server.process.poll() is not None

    # Graceful shutdown: requests accepted before SIGTERM must all be answered.
    shutdown = {"sent": 0, "answered_200": 0, "statuses": [], "exit_code": None}
    if not died:
        mix = Mix(random.Random(arguments.seed + 1), arguments.max_new_tokens, int(arguments.max_body_mb * 1e6))
        results = []

        def accepted(request):
            results.append(send(arguments.port, request, arguments.request_timeout + 30)[0])

        threads = [threading.Thread(target=accepted, args=(mix.valid(),)) for _ in range(arguments.shutdown_requests)]
        for thread in threads:
            thread.start()
        time.sleep(0.5)  # every request is on the wire and admitted before the signal
        server.process.send_signal(signal.SIGTERM)
        for thread in threads:
            thread.join()
        try:
            shutdown["exit_code"] = server.process.wait(timeout=arguments.request_timeout + 30)
        except subprocess.TimeoutExpired:
            server.process.kill()
            shutdown["exit_code"] = "did not exit"
        shutdown.update(sent=len(threads), answered_200=results.count(200), statuses=sorted(map(str, results)))
    else:
        shutdown["exit_code"] = server.process.returncode

    # Memory: the median of the first and last fifths of the run after warm-up.
    steady = [value for elapsed, value in rss if elapsed >= warm_up]
    fifth = max(1, len(steady) // 5)
    rss_report = {
        "samples": len(rss), "warm_up_seconds": warm_up,
        "start_mb": round(rss[0][1], 1) if rss else None, "peak_mb": round(max(v for _, v in rss), 1) if rss else None,
        "early_median_mb": round(statistics.median(steady[:fifth]), 1) if steady else None,
        "late_median_mb": round(statistics.median(steady[-fifth:]), 1) if steady else None,
        "every_10_seconds_mb": [round(value, 1) for elapsed, value in rss[::10]],
    }
    growth = ((rss_report["late_median_mb"] - rss_report["early_median_mb"]) / rss_report["early_median_mb"]) if steady else None
    rss_report["growth"] = round(growth, 4) if growth is not None else None

    valid_5xx = sum(1 for failure in outcomes.failures if failure["status"] is not None and abs(failure["status"]) >= 500)
    checks = {
        "server alive for the whole run": not died,
        "no failure of any request": not outcomes.failures,
        "every valid request answered": outcomes.valid_sent == outcomes.valid_answered,
        "memory flat after warm-up": growth is not None and growth <= arguments.rss_growth_limit,
        "shutdown answered every accepted request": shutdown["answered_200"] == shutdown["sent"],
        "shutdown exit code 0": shutdown["exit_code"] == 0,
    }
    latencies = sorted(outcomes.latencies)
    report = {
        "model": arguments.model, "duration_seconds": round(time.time() - load_started, 1),
        "startup_seconds": round(load_started - started, 1), "clients": arguments.clients,
        "max_concurrent": arguments.max_concurrent, "bursts": bursts, "burst_size": arguments.burst_size,
        "requests": sum(outcomes.by_kind.values()), "valid_requests": outcomes.valid_sent,
        "valid_200": len(latencies), "valid_429": outcomes.refused_429, "valid_5xx": valid_5xx,
        "p50_seconds": round(latencies[len(latencies) // 2], 3) if latencies else None,
        "p99_seconds": round(latencies[int(len(latencies) * 0.99)], 3) if latencies else None,
        "by_kind": {f"{kind} -> {status}": count for (kind, status), count in sorted(outcomes.by_kind.items(), key=str)},
        "failures": outcomes.failures[:50], "failure_count": len(outcomes.failures),
        "rss": rss_report, "shutdown": shutdown, "checks": checks, "passed": all(checks.values()),
    }
    if arguments.json:
        with open(arguments.json, "w") as output:
            json.dump(report, output, indent=2)
    print(f"soak: {report['model']}, {report['duration_seconds']} s, {arguments.clients} clients, "
          f"limit {arguments.max_concurrent}, {bursts} bursts of {arguments.burst_size}")
    print(f"  requests {report['requests']}: valid {outcomes.valid_sent} (200: {len(latencies)}, 429: {outcomes.refused_429}, "
          f"5xx: {valid_5xx}), p50 {report['p50_seconds']} s, p99 {report['p99_seconds']} s")
    print(f"  RSS MB: start {rss_report['start_mb']}, after warm-up {rss_report['early_median_mb']}, "
          f"end {rss_report['late_median_mb']} (growth {rss_report['growth']}), peak {rss_report['peak_mb']}")
    print(f"  shutdown: {shutdown['answered_200']}/{shutdown['sent']} answered, exit {shutdown['exit_code']}")
    for failure in outcomes.failures[:20]:
        print(f"  FAILED {failure['kind']}: got {failure['status']}, expected {failure['expected']}: {failure['detail']}")
    for name, passed in checks.items():
        print(f"  {'ok  ' if passed else 'FAIL'} {name}")
    sys.exit(0 if report["passed"] else 1)


if __name__ == "__main__":
    main()
