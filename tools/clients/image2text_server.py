"""Starts `image2text serve` on a free loopback port for the client tests and the Ray example, and stops it."""
import json
import os
import subprocess
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BINARY = os.path.join(ROOT, ".build", "release", "image2text")


@dataclass
class Server:
    url: str
    """The OpenAI base URL, `http://127.0.0.1:PORT/v1`."""
    pid: int


@contextmanager
def serve(*arguments, api_key=None):
    """Yields the ``Server`` run with `arguments`; stops it with SIGTERM, which must end it with status 0."""
    if not os.access(BINARY, os.X_OK):
        sys.exit(f"{BINARY} is missing: build it first (swift build -c release)")
    environment = dict(os.environ)
    environment.pop("IMAGE2TEXT_API_KEY", None)
    if api_key is not None:
        environment["IMAGE2TEXT_API_KEY"] = api_key
    process = subprocess.Popen(
        [BINARY, "serve", "--port", "0", "--log-format", "json", *arguments],
        cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    port = None
    for line in process.stderr:
        record = json.loads(line)
        if record.get("message") == "listening":
            port = record["port"]
            break
    if port is None:
        sys.exit(f"image2text serve stopped before listening (exit status {process.wait()})")
    # Keep reading the log, so that the server never blocks on a full pipe.
    threading.Thread(target=lambda: [None for _ in process.stderr], daemon=True).start()
    try:
        yield Server(f"http://127.0.0.1:{port}/v1", process.pid)
    finally:
        process.terminate()
        if process.wait(timeout=60) != 0:
            sys.exit(f"image2text serve exited with status {process.returncode}")
