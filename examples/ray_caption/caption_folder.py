"""Captions every image of a folder with Ray Data, through image2text servers' OpenAI-compatible chat completions.

    python caption_folder.py --folder IMAGES --base-url http://HOST:8080/v1 [--base-url ...] --output captions.jsonl

Each Ray worker sends its rows' requests concurrently (so that a server batches them) and spreads them over the given
base URLs in turn: give one URL per server replica, or one Kubernetes Service URL that balances over them.
`--start-demo-server` starts `image2text serve --model demo` on loopback instead (the example's test, run.sh).
"""
import argparse
import base64
import json
import mimetypes
import os
import sys
from concurrent.futures import ThreadPoolExecutor

import openai
import ray

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif", ".tif", ".tiff"}


class Captioner:
    """A Ray actor: one OpenAI client per server replica, requests sent round-robin, several at once."""

    def __init__(self, base_urls, api_key, model, prompt, concurrency):
        self.clients = [openai.OpenAI(base_url=url, api_key=api_key, max_retries=3) for url in base_urls]
        self.model, self.prompt = model, prompt
        self.pool = ThreadPoolExecutor(max_workers=concurrency)
        self.sent = 0

    def caption(self, client, path):
        with open(path, "rb") as file:
            data = base64.b64encode(file.read()).decode()
        media_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        content = [{"type": "image_url", "image_url": {"url": f"data:{media_type};base64,{data}"}}]
        if self.prompt:
            content.append({"type": "text", "text": self.prompt})
        reply = client.chat.completions.create(model=self.model, messages=[{"role": "user", "content": content}])
        return reply.choices[0].message.content

    def __call__(self, batch):
        clients = [self.clients[(self.sent + index) % len(self.clients)] for index in range(len(batch["path"]))]
        self.sent += len(clients)
        batch["caption"] = list(self.pool.map(self.caption, clients, batch["path"]))
        return batch


def caption_folder(folder, base_urls, output, api_key="none", model="image2text", prompt=None, workers=2, concurrency=8):
    """Writes one JSON line {"path", "caption"} per image of `folder`, sorted by path; returns them."""
    paths = sorted(os.path.join(folder, name) for name in os.listdir(folder)
                   if os.path.splitext(name)[1].lower() in IMAGE_SUFFIXES)
    rows = (ray.data.from_items([{"path": path} for path in paths])
            .map_batches(Captioner, batch_size=concurrency, batch_format="numpy",
                         compute=ray.data.ActorPoolStrategy(size=workers),
                         fn_constructor_kwargs={"base_urls": base_urls, "api_key": api_key, "model": model,
                                                "prompt": prompt, "concurrency": concurrency})
            .take_all())
    rows = sorted(({"path": str(row["path"]), "caption": str(row["caption"])} for row in rows), key=lambda row: row["path"])
    with open(output, "w") as file:
        for row in rows:
            file.write(json.dumps(row) + "\n")
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folder", required=True)
    parser.add_argument("--base-url", action="append", default=[], help="a server's /v1 URL; repeat for replicas")
    parser.add_argument("--api-key", default=os.environ.get("IMAGE2TEXT_API_KEY", "none"))
    parser.add_argument("--prompt", help="a question (VQA checkpoints) or caption prefix")
    parser.add_argument("--output", default="captions.jsonl")
    parser.add_argument("--workers", type=int, default=2, help="Ray actors sending requests")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight per actor (and rows per batch)")
    parser.add_argument("--start-demo-server", action="store_true", help="serve --model demo on loopback for the run")
    parser.add_argument("--check", action="store_true", help="compare with `image2text caption --model demo` (with --start-demo-server)")
    arguments = parser.parse_args()
    if os.environ.get("RAY_ADDRESS"):
        ray.init()  # a running cluster
    else:
        ray.init(num_cpus=arguments.workers, include_dashboard=False, log_to_driver=False)  # local mode

    if not arguments.start_demo_server:
        if not arguments.base_url:
            parser.error("give --base-url (one per replica) or --start-demo-server")
        rows = caption_folder(arguments.folder, arguments.base_url, arguments.output, arguments.api_key,
                              prompt=arguments.prompt, workers=arguments.workers, concurrency=arguments.concurrency)
        print(f"{len(rows)} captions written to {arguments.output}")
        return

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "clients"))
    from image2text_server import BINARY, serve
    with serve("--model", "demo", "--max-batch-size", "16", "--max-batch-wait-ms", "20") as server:
        rows = caption_folder(arguments.folder, [server.url], arguments.output, prompt=arguments.prompt,
                              workers=arguments.workers, concurrency=arguments.concurrency)
    print(f"{len(rows)} captions written to {arguments.output}")
    if arguments.check:
        import subprocess
        lines = subprocess.run([BINARY, "caption", "--model", "demo", "--json", *[row["path"] for row in rows]],
                               check=True, capture_output=True, text=True).stdout.splitlines()
        expected = {os.path.abspath(record["input"]): record["text"] for record in map(json.loads, lines)}
        wrong = [row for row in rows if expected.get(os.path.abspath(row["path"])) != row["caption"]]
        if wrong or len(expected) != len(rows):
            sys.exit(f"FAIL: {len(wrong)} captions differ from the CLI's, e.g. {wrong[:3]}")
        print(f"ok: all {len(rows)} captions equal `image2text caption --model demo`")


if __name__ == "__main__":
    main()
