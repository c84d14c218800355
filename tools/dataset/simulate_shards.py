#!/usr/bin/env python3
"""Simulates an N-task array job locally: N `image2text caption --shard auto` processes under Slurm array variables
(SLURM_ARRAY_TASK_ID from 1, SLURM_ARRAY_TASK_MIN=1, SLURM_ARRAY_TASK_COUNT=N), each writing its own file. One task is
killed (SIGKILL) after its first records and started again, as a scheduler requeues it. Then the union of the outputs
must hold every input exactly once (by key), every record must be `ok`, and every task's statistics file must exist.

    tools/dataset/simulate_shards.py [--tasks N] [--binary .build/release/image2text] [--work DIR] [--keep]

The inputs are made from Fixtures/easyvqa: loose PNG files and WebDataset .tar and .tar.gz shards (`NNN.png` +
`NNN.json` samples), so that keys of both kinds are checked. Only the standard library is used. Exit status 0 when
every check passes.
"""
import argparse
import gzip
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def make_inputs(folder, loose, shards, per_shard):
    """Loose images and shards under `folder`; returns the keys every record must have."""
    images = sorted(name for name in os.listdir(os.path.join(ROOT, "Fixtures/easyvqa")) if name.endswith(".png"))
    os.makedirs(os.path.join(folder, "loose"))
    os.makedirs(os.path.join(folder, "shards"))
    keys = []
    for index in range(loose):
        name = images[index % len(images)]
        shutil.copy(os.path.join(ROOT, "Fixtures/easyvqa", name), os.path.join(folder, "loose", f"{index:04d}-{name}"))
        keys.append(f"loose/{index:04d}-{name}")
    for shard in range(shards):
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as tar:
            for position in range(per_shard):
                name = images[(shard * per_shard + position) % len(images)]
                key = f"{shard:03d}{position:03d}"
                for suffix, data in [("png", open(os.path.join(ROOT, "Fixtures/easyvqa", name), "rb").read()),
                                     ("json", json.dumps({"source": name}).encode())]:
                    info = tarfile.TarInfo(f"{key}.{suffix}")
                    info.size = len(data)
                    tar.addfile(info, io.BytesIO(data))
                keys.append(None)  # filled below, once the shard's file name is known
        gzipped = shard % 2 == 1
        file_name = f"{shard:03d}.tar" + (".gz" if gzipped else "")
        data = gzip.compress(buffer.getvalue()) if gzipped else buffer.getvalue()
        with open(os.path.join(folder, "shards", file_name), "wb") as file:
            file.write(data)
        keys[len(keys) - per_shard:] = [f"shards/{file_name}#{shard:03d}{position:03d}" for position in range(per_shard)]
    return keys


def task_command(binary, inputs, output):
    return [binary, "caption", "--model", "demo", "--shard", "auto", "--threads", "1", "--batch-size", "2",
            "--output", output, inputs]


def task_environment(task, count):
    environment = {k: v for k, v in os.environ.items()
                   if not k.startswith("SLURM_ARRAY_") and k not in ("JOB_COMPLETION_INDEX", "JOB_COMPLETIONS", "RANK", "WORLD_SIZE")}
    environment.update(SLURM_ARRAY_TASK_ID=str(task + 1), SLURM_ARRAY_TASK_MIN="1", SLURM_ARRAY_TASK_COUNT=str(count))
    return environment


def records(path):
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as file:
        return [json.loads(line) for line in file if line.endswith("\n")]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=3)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/image2text"))
    parser.add_argument("--work", help="folder for inputs and outputs (default: a temporary one)")
    parser.add_argument("--loose", type=int, default=24, help="loose image files")
    parser.add_argument("--shards", type=int, default=4, help="WebDataset shards, every other one gzipped")
    parser.add_argument("--per-shard", type=int, default=16, help="samples per shard")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    arguments = parser.parse_args()

    work = arguments.work or tempfile.mkdtemp(prefix="image2text-simulate-")
    inputs, outputs = os.path.join(work, "inputs"), os.path.join(work, "outputs")
    os.makedirs(outputs, exist_ok=True)
    expected = make_inputs(inputs, arguments.loose, arguments.shards, arguments.per_shard)
    files = [os.path.join(outputs, f"part-{task}.jsonl") for task in range(arguments.tasks)]
    logs = [open(os.path.join(outputs, f"part-{task}.log"), "w") for task in range(arguments.tasks)]

    def start(task):
        return subprocess.Popen(task_command(arguments.binary, inputs, files[task]), env=task_environment(task, arguments.tasks),
                                stdout=logs[task], stderr=logs[task])

    started = time.monotonic()
    processes = [start(task) for task in range(arguments.tasks)]
    victim = 0
    while not records(files[victim]):
        if processes[victim].poll() is not None:
            sys.exit(f"FAIL: task {victim} ended (status {processes[victim].returncode}) before its first record; see {work}")
        time.sleep(0.01)
    processes[victim].send_signal(signal.SIGKILL)
    processes[victim].wait()
    killed_at = len(records(files[victim]))
    if os.path.exists(files[victim] + ".stats.json"):
        sys.exit(f"FAIL: task {victim} had finished when it was killed: give more inputs (--loose, --shards)")
    print(f"task {victim} killed after {killed_at} records; starting it again")
    processes[victim] = start(victim)
    failures = []
    for task, process in enumerate(processes):
        if process.wait() != 0:
            failures.append(f"task {task} exited with status {process.returncode} (log: {logs[task].name})")
    seconds = time.monotonic() - started

    counts = {}
    for task, path in enumerate(files):
        for record in records(path):
            counts[record["key"]] = counts.get(record["key"], 0) + 1
            if record["status"] != "ok":
                failures.append(f"{path}: {record['key']} has status {record['status']}: {record.get('error')}")
        if not os.path.exists(path + ".stats.json"):
            failures.append(f"no statistics file beside {path}")
    missing = sorted(set(expected) - set(counts))
    twice = sorted(key for key, count in counts.items() if count > 1)
    unknown = sorted(set(counts) - set(expected))
    for label, keys in [("missing", missing), ("written more than once", twice), ("not an input", unknown)]:
        if keys:
            failures.append(f"{len(keys)} key(s) {label}, e.g. {keys[:3]}")
    parts = [len(records(path)) for path in files]
    print(f"{arguments.tasks} tasks, {len(expected)} inputs, records per task {parts}, {seconds:.1f} s")
    if failures:
        print("FAIL:\n  " + "\n  ".join(failures), file=sys.stderr)
        print(f"work folder kept: {work}", file=sys.stderr)
        sys.exit(1)
    print("ok: every input has exactly one record, every task its statistics file")
    if not arguments.keep and not arguments.work:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
