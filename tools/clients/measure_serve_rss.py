"""Resident memory of `image2text serve`: after loading, and at its peak while answering 32 chat completions of one
image, 16 at a time, half with n=3 (beams). The figures behind deploy/'s resources (docs/server.md, "Scaling out"):

    tools/clients/.venv/bin/python tools/clients/measure_serve_rss.py tools/reference/.cache/git-base-prng Fixtures/images/coffee.jpg
"""
import base64
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import openai

from image2text_server import serve


def resident_mb(pid):
    """(VmRSS, VmHWM) in MB."""
    fields = dict(line.split(":", 1) for line in open(f"/proc/{pid}/status"))
    return tuple(int(fields[name].split()[0]) // 1024 for name in ["VmRSS", "VmHWM"])


def main(model, image_path):
    image = base64.b64encode(open(image_path, "rb").read()).decode()
    with serve("--model", model, "--threads", "2", "--max-batch-size", "8") as server:
        time.sleep(2)
        print("after loading: RSS %d MB, peak %d MB" % resident_mb(server.pid))
        client = openai.OpenAI(base_url=server.url, api_key="none", max_retries=0, timeout=600)

        def caption(index):
            content = [{"type": "image_url", "image_url": {"url": f"data:image/jpeg;base64,{image}"}}]
            return client.chat.completions.create(model="x", n=3 if index % 2 else 1,
                                                  messages=[{"role": "user", "content": content}])
        started = time.time()
        with ThreadPoolExecutor(16) as pool:
            list(pool.map(caption, range(32)))
        print("32 requests in %.1f s" % (time.time() - started))
        print("after the requests: RSS %d MB, peak %d MB" % resident_mb(server.pid))


if __name__ == "__main__":
    main(*sys.argv[1:3])
