#!/usr/bin/env python3
"""Video fixtures and transformers 5.23 goldens for a video-shaped (git-base-vatex-like) PRNG checkpoint.

    tools/reference/.venv/bin/python tools/reference/make_prng_checkpoint.py   # once: the git-base PRNG checkpoint
    tools/reference/.venv/bin/python tools/reference/make_video_goldens.py [--checkpoint DIR]

1. Writes Fixtures/video/: short real video files made with PyAV from two committed photographs (a pan over
   chelsea.png, then a cut to a pan over coffee.jpg), in three codecs, and broken ones (truncated, corrupt, audio
   only, too few frames). Deterministic: single-threaded encoders, fixed settings.
2. Decodes every good file as transformers' VATEX docstring example does (PyAV, `frame.to_ndarray(format="rgb24")`,
   frames counted in decode order, `stream.frames` as the frame count) and records the sha256 of every frame.
3. Builds the video-shaped checkpoint: git-base's PRNG tensors (tools/reference/PRNG_CHECKPOINT.md) plus
   `num_image_with_embedding` = 6 temporal embeddings, each filled by the same scheme and seeded by its transformers
   name `git.img_temporal_embedding.K`. On disk (DIR, default tools/reference/.cache/git-base-vatex-prng) it is a hub
   snapshot: `preprocessor_config.json` with the VATEX VideoMAE processor (bilinear, mean/std 0.5), vocab.txt, and two
   safetensors shards with an index: the git-base shard (a symbolic link to the git-base checkpoint) and one holding
   the temporal embeddings under the `git.img_temperal_embedding.K` spelling that Hugging Face's conversion wrote.
   transformers 5.23 cannot load that spelling (docs/checkpoints.md, "Ignored and renamed tensors"), so the model
   below gets the tensors renamed.
4. Runs transformers on the frames the rule of FrameSampling (Sources/Image2Text/Media/FrameSampling.swift) picks:
   pixel values, vision tower + temporal embeddings, projection, prefill logits, greedy ids with margins.

Writes Fixtures/video/*, Fixtures/prng-checkpoint-vatex/* (small files) and Fixtures/goldens/video.json.
"""
import argparse
import hashlib
import json
import os
import shutil
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np

import make_prng_checkpoint as ckpt
import make_prng_goldens as goldens

REPO = ckpt.REPO
VIDEO_DIR = os.path.join(REPO, "Fixtures", "video")
SMALL_FILES_DIR = os.path.join(REPO, "Fixtures", "prng-checkpoint-vatex")
OUT = os.path.join(REPO, "Fixtures", "goldens", "video.json")
FRAMES = 6
WIDTH, HEIGHT = 320, 240
SAMPLE_ROWS = [0, 1, 197, 198, 1181]  # frame 0's class token and first patch, frame 1's, frame 5's last patch
MAX_NEW_TOKENS = 10

PREPROCESSOR = {  # microsoft/git-base-vatex's preprocessor_config.json (docs/checkpoints.md, "Sibling checkpoints")
    "crop_size": {"height": 224, "width": 224},
    "do_center_crop": True,
    "do_normalize": True,
    "do_rescale": True,
    "do_resize": True,
    "image_mean": [0.5, 0.5, 0.5],
    "image_processor_type": "VideoMAEImageProcessor",
    "image_std": [0.5, 0.5, 0.5],
    "processor_class": "GitProcessor",
    "resample": 2,
    "rescale_factor": 0.00392156862745098,
    "size": {"shortest_edge": 224},
}
TOKENIZER_CONFIG = {  # the hub layout: vocab.txt beside this file
    "do_lower_case": True,
    "model_max_length": 512,
    "processor_class": "GitProcessor",
    "tokenizer_class": "BertTokenizer",
}


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sampled_indices(frame_count: int, count: int) -> list:
    """FrameSampling's rule: the VATEX example's clip(linspace(start, end, F), start, end - 1).astype(int64) with the
    window stretched over the whole video (start 0, end = frame count)."""
    if count == 1:
        return [0]
    indices = np.linspace(0, frame_count, num=count)
    return [int(i) for i in np.clip(indices, 0, frame_count - 1).astype(np.int64)]


# MARK: Videos

def pan_frames(count: int) -> list:
    """`count` RGB frames WIDTH x HEIGHT: the first half pans right over chelsea.png, the second half pans down over
    coffee.jpg (a cut in the middle, so that frames differ)."""
    from PIL import Image

    chelsea = np.asarray(Image.open(os.path.join(goldens.IMAGES, "chelsea.png")).convert("RGB"))
    coffee = np.asarray(Image.open(os.path.join(goldens.IMAGES, "coffee.jpg")).convert("RGB"))
    first = count // 2
    frames = []
    for i in range(count):
        if i < first:
            x = round(i * (chelsea.shape[1] - WIDTH) / max(first - 1, 1))
            y = (chelsea.shape[0] - HEIGHT) // 2
            frames.append(np.ascontiguousarray(chelsea[y:y + HEIGHT, x:x + WIDTH]))
        else:
            j = i - first
            y = round(j * (coffee.shape[0] - HEIGHT) / max(count - first - 1, 1))
            x = (coffee.shape[1] - WIDTH) // 2
            frames.append(np.ascontiguousarray(coffee[y:y + HEIGHT, x:x + WIDTH]))
    return frames


def encode(path: str, codec: str, frames: list, pix_fmt: str, options: dict, container_options=None) -> None:
    import av

    # bitexact: no creation time or random UIDs in the container, so that the files are the same on every run.
    with av.open(path, "w", options={"fflags": "+bitexact", **(container_options or {})}) as out:
        stream = out.add_stream(codec, rate=25)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, pix_fmt
        stream.thread_count = 1
        stream.options = dict(options)
        for frame in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)


def write_audio_only(path: str) -> None:
    import av

    with av.open(path, "w") as out:
        stream = out.add_stream("pcm_s16le", rate=8000, layout="mono")
        t = np.arange(1600) / 8000.0
        samples = (np.sin(2 * np.pi * 440 * t) * 8000).astype(np.int16).reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(samples, format="s16", layout="mono")
        frame.sample_rate = 8000
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)


def make_videos() -> dict:
    """Writes Fixtures/video/ and returns {file: how it was made}."""
    os.makedirs(os.path.join(VIDEO_DIR, "bad"), exist_ok=True)
    x264 = {"crf": "28", "preset": "medium", "threads": "1"}
    made = {}

    def good(name, codec, count, pix_fmt, options, how, container_options=None):
        encode(os.path.join(VIDEO_DIR, name), codec, pan_frames(count), pix_fmt, options, container_options)
        made[name] = how

    good("pan_h264.mp4", "libx264", 50, "yuv420p", x264, "H.264 (libx264 crf 28), yuv420p, MP4, 50 frames at 25 fps")
    good("pan_vp9.webm", "libvpx-vp9", 24, "yuv420p", {"crf": "40", "b": "0", "cpu-used": "8", "threads": "1"},
         "VP9 (libvpx-vp9 crf 40), yuv420p, WebM, 24 frames")
    good("pan_mjpeg.avi", "mjpeg", 12, "yuvj420p", {"q:v": "8"},
         "Motion JPEG, full-range yuvj420p, AVI, 12 frames (tests the colour range)")
    good("bad/three_frames.mp4", "libx264", 3, "yuv420p", x264, "H.264 MP4 with 3 frames: fewer than the 6 a VATEX model takes")
    good("pan_faststart.mp4", "libx264", 50, "yuv420p", x264, "as pan_h264.mp4 with the index (moov) first",
         container_options={"movflags": "faststart"})

    with open(os.path.join(VIDEO_DIR, "pan_h264.mp4"), "rb") as f:
        h264 = f.read()
    with open(os.path.join(VIDEO_DIR, "bad", "truncated_index.mp4"), "wb") as f:
        f.write(h264[:len(h264) // 2])
    made["bad/truncated_index.mp4"] = "the first half of pan_h264.mp4: the index (moov, at the end) is missing"
    with open(os.path.join(VIDEO_DIR, "pan_faststart.mp4"), "rb") as f:
        faststart = f.read()
    os.remove(os.path.join(VIDEO_DIR, "pan_faststart.mp4"))
    del made["pan_faststart.mp4"]
    with open(os.path.join(VIDEO_DIR, "bad", "truncated_data.mp4"), "wb") as f:
        f.write(faststart[:len(faststart) * 6 // 10])
    made["bad/truncated_data.mp4"] = ("pan_h264.mp4 written index-first, cut at 60 %: the index declares 50 frames, "
                                      "the data ends in the middle")
    corrupt = bytearray(h264)
    start = len(corrupt) // 3
    rng = np.random.default_rng(6)
    corrupt[start:start + 1500] = rng.integers(0, 256, 1500, dtype=np.uint8).tobytes()
    with open(os.path.join(VIDEO_DIR, "bad", "corrupt.mp4"), "wb") as f:
        f.write(bytes(corrupt))
    made["bad/corrupt.mp4"] = "pan_h264.mp4 with 1500 random bytes (numpy seed 6) written over its middle"
    write_audio_only(os.path.join(VIDEO_DIR, "bad", "audio_only.wav"))
    made["bad/audio_only.wav"] = "0.2 s of a 440 Hz tone, PCM WAV: no video stream"
    with open(os.path.join(VIDEO_DIR, "bad", "not_a_video.mp4"), "wb") as f:
        f.write(b"this is plain text, not a video container\n" * 4)
    made["bad/not_a_video.mp4"] = "text with a .mp4 name"
    return made


def decode_like_vatex_example(path: str) -> dict:
    """What transformers' VATEX example sees: stream.frames and every frame as rgb24, or the exception PyAV raised."""
    import av

    try:
        with av.open(path) as container:
            stream = container.streams.video[0]
            declared = stream.frames
            codec = stream.codec_context.name
            frames = [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]
    except Exception as error:  # recorded, not raised: bad files
        return {"error": f"{type(error).__name__}: {error}"}
    return {"declared_frames": int(declared), "decoded_frames": len(frames), "codec": codec,
            "width": int(frames[0].shape[1]) if frames else None, "height": int(frames[0].shape[0]) if frames else None,
            "frames": frames}


# MARK: Checkpoint

def temporal_arrays() -> dict:
    """The temporal embeddings, [1, 1, 768] each, by their transformers 5.23 names."""
    arrays = {}
    for k in range(FRAMES):
        name = f"git.img_temporal_embedding.{k}"
        role, scale, offset = ckpt.role_of(name, (1, 1, 768))
        assert role == "embedding", role
        arrays[name] = ckpt.splitmix_values(name, 768, scale, offset).reshape(1, 1, 768)
    return arrays


def write_checkpoint(base: str, output: str, temporal: dict) -> None:
    """The hub-layout folder of the module docstring, in `output`."""
    import safetensors.numpy
    from transformers import GitConfig

    if os.path.exists(output):
        shutil.rmtree(output)
    os.makedirs(output)
    config = GitConfig(num_image_with_embedding=FRAMES)
    config.save_pretrained(output)
    shutil.copyfile(os.path.join(base, "generation_config.json"), os.path.join(output, "generation_config.json"))
    with open(os.path.join(output, "preprocessor_config.json"), "w") as f:
        json.dump(PREPROCESSOR, f, indent=2, sort_keys=True)
        f.write("\n")
    with open(os.path.join(output, "tokenizer_config.json"), "w") as f:
        json.dump(TOKENIZER_CONFIG, f, indent=2, sort_keys=True)
        f.write("\n")
    shutil.copyfile(ckpt.VOCAB, os.path.join(output, "vocab.txt"))

    base_shard, temporal_shard = "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"
    os.symlink(os.path.abspath(os.path.join(base, "model.safetensors")), os.path.join(output, base_shard))
    on_disk = {name.replace("img_temporal_embedding", "img_temperal_embedding"): a for name, a in temporal.items()}
    safetensors.numpy.save_file(on_disk, os.path.join(output, temporal_shard), metadata={"format": "pt"})
    with open(os.path.join(base, "model.safetensors"), "rb") as f:
        header = json.loads(f.read(int.from_bytes(f.read(8), "little")))
    weight_map = {name: base_shard for name in header if name != "__metadata__"}
    weight_map.update({name: temporal_shard for name in on_disk})
    total = sum(int(np.prod(v["shape"])) * 4 for k, v in header.items() if k != "__metadata__") + 4 * 768 * FRAMES
    with open(os.path.join(output, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))}, f, indent=2)
        f.write("\n")


def load_model(base: str, temporal: dict):
    """GitForCausalLM with num_image_with_embedding = 6: the git-base PRNG weights plus the temporal embeddings under
    transformers 5.23's own key spelling."""
    import torch
    import safetensors.numpy
    from transformers import GitConfig, GitForCausalLM

    model = GitForCausalLM(GitConfig(num_image_with_embedding=FRAMES)).eval()
    state = {k: torch.from_numpy(v) for k, v in safetensors.numpy.load_file(os.path.join(base, "model.safetensors")).items()}
    state.update({k: torch.from_numpy(v) for k, v in temporal.items()})
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert not unexpected and all(m.endswith("position_ids") for m in missing), (missing, unexpected)
    for k, v in temporal.items():
        index = int(k.rsplit(".", 1)[1])
        assert np.array_equal(model.git.img_temporal_embedding[index].detach().numpy(), v), k
    return model


# MARK: Measurements

def run_video_case(model, processor, frames: list, prompts: dict) -> dict:
    """Pixel values of the frames through the VideoMAE processor, then the measurements of make_prng_goldens.run_case
    with the video path: each frame's vision features plus its temporal embedding, concatenated, projected; per
    prompt, make_prng_goldens.prompt_measurements (without its generate checks, which video.json does not record)."""
    import torch

    pixel_values = processor(images=list(frames), return_tensors="pt").pixel_values
    count = len(frames)
    assert tuple(pixel_values.shape) == (1, count, 3, 224, 224), pixel_values.shape
    with torch.inference_mode():
        features = []
        for f in range(count):
            v = model.git.image_encoder(pixel_values[:, f]).last_hidden_state
            features.append(v + model.git.img_temporal_embedding[f])
        features = torch.cat(features, dim=1)
        projected = model.git.visual_projection(features)
    tokens = count * 197
    rows = [r for r in SAMPLE_ROWS if r < tokens]
    return {
        "pixel_values_sha256": goldens.sha256_f32(pixel_values),
        "pixel_values_shape": list(pixel_values.shape),
        "frame_pixel_values_sha256": [goldens.sha256_f32(pixel_values[0, f]) for f in range(count)],
        "vision_last_hidden_state": goldens.activation_samples(features, rows),
        "visual_projection": goldens.activation_samples(projected, rows),
        "prompts": goldens.prompt_measurements(model, pixel_values, prompts, tokens, MAX_NEW_TOKENS,
                                               generate_checks=False),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--checkpoint", default=os.path.join(ckpt.HERE, ".cache", "git-base-prng"),
                    help="the git-base PRNG checkpoint of make_prng_checkpoint.py")
    ap.add_argument("--output", default=os.path.join(ckpt.HERE, ".cache", "git-base-vatex-prng"),
                    help="the video checkpoint folder to write")
    args = ap.parse_args()

    import av
    import torch
    import transformers
    import PIL
    from transformers import AutoProcessor

    torch.set_num_threads(2)
    t0 = time.time()
    made = make_videos()
    videos = {}
    for name in sorted(made):
        path = os.path.join(VIDEO_DIR, name)
        decoded = decode_like_vatex_example(path)
        entry = {"file": f"Fixtures/video/{name}", "made": made[name], "bytes": os.path.getsize(path),
                 "sha256": goldens.sha256_file(path)}
        if "error" in decoded:
            entry["pyav"] = decoded["error"]
        else:
            frames = decoded.pop("frames")
            entry.update(decoded)
            entry["frame_rgb24_sha256"] = [sha256_bytes(f.tobytes()) for f in frames]
        videos[name] = entry
        print(name, {k: v for k, v in entry.items() if k not in ("frame_rgb24_sha256", "made")})

    temporal = temporal_arrays()
    write_checkpoint(args.checkpoint, args.output, temporal)
    os.makedirs(SMALL_FILES_DIR, exist_ok=True)
    for fn in ["config.json", "generation_config.json", "preprocessor_config.json", "tokenizer_config.json"]:
        shutil.copyfile(os.path.join(args.output, fn), os.path.join(SMALL_FILES_DIR, fn))
    model = load_model(args.checkpoint, temporal)
    processor = AutoProcessor.from_pretrained(args.output)
    assert type(processor.image_processor).__name__ == "VideoMAEImageProcessorPil", type(processor.image_processor)
    vqa_prompt = [101] + processor.tokenizer(goldens.QUESTION, add_special_tokens=False).input_ids

    source = os.path.join(VIDEO_DIR, "pan_h264.mp4")
    with av.open(source) as container:
        all_frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    cases = []
    for count, prompts in [(FRAMES, {"caption": [101], "vqa": vqa_prompt}), (3, {"caption": [101]})]:
        indices = sampled_indices(len(all_frames), count)
        print(f"pan_h264.mp4, {count} frames {indices}")
        case = {"input": "video", "video": "Fixtures/video/pan_h264.mp4", "frames": count, "frame_indices": indices}
        case.update(run_video_case(model, processor, [all_frames[i] for i in indices], prompts))
        cases.append(case)

    golden = {
        "origin": {
            "script": "tools/reference/make_video_goldens.py",
            "checkpoint": "git-base PRNG tensors (tools/reference/PRNG_CHECKPOINT.md) + 6 temporal embeddings seeded "
                          "by their transformers names; small files in Fixtures/prng-checkpoint-vatex/",
            "transformers": transformers.__version__, "torch": torch.__version__, "pyav": av.__version__,
            "ffmpeg_in_pyav": {k: ".".join(map(str, v)) for k, v in av.library_versions.items()},
            "pillow": PIL.__version__, "numpy": np.__version__, "python": sys.version.split()[0],
            "image_processor": type(processor.image_processor).__name__, "torch_threads": torch.get_num_threads(),
        },
        "tolerance": {
            "frames": "exact: sha256 of each decoded frame's RGB bytes (PyAV to_ndarray rgb24)",
            "model": "as prng_model.json: floats |ours - ref| <= 1e-4 * max(1, max |ref row|); greedy ids exact at "
                     "every step whose top-2 margin >= 1e-3",
        },
        "conventions": {
            "frame_sampling": "indices = clip(linspace(0, n, F), 0, n - 1).astype(int64): transformers' VATEX "
                              "example sample_frame_indices with the window spanning the whole video",
            "vision_last_hidden_state": "per frame: vision tower output + img_temporal_embedding[frame], frames "
                                        "concatenated along tokens (before the visual projection)",
            "sample_rows": SAMPLE_ROWS,
            "vqa_question": goldens.QUESTION,
        },
        "videos": videos,
        "cases": cases,
    }
    goldens.write_golden(OUT, golden, t0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
