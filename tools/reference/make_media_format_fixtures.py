"""Writes the WebP, GIF and EXIF-orientation test images and their golden. Deterministic, no network.

    tools/reference/.venv/bin/python tools/reference/make_media_format_fixtures.py

Fixtures/images/formats/          WebP (lossy, lossless, with and without alpha, animated, an animation whose first
                                  frame is smaller than the canvas) and GIF (global and local palettes, transparency,
                                  interlacing, frames smaller than or beyond the logical screen, animation, 2 colours,
                                  grayscale (optimised and identity palettes), no palette, indices past the palette, a
                                  full LZW table with and without a clear code, extension blocks)
Fixtures/images/exif/             48x32 JPEGs with EXIF Orientation 1-8 (little-endian TIFF for 1-4, big-endian for
                                  5-8), a PNG with an eXIf chunk and a WebP with an EXIF chunk
Fixtures/images/bad/              truncated and corrupt GIF and WebP files (written next to make_test_images.py's)
Fixtures/goldens/image_formats.json
                                  per image: Pillow's mode, frame count, size and the sha256 of the RGB bytes after
                                  transformers' convert_to_rgb; with EXIF, the same after ImageOps.exif_transpose; per
                                  bad input, Pillow's exception; CLIPImageProcessorPil pixel values of two images

GIFs whose structure Pillow cannot be asked to write (local palettes, frame offsets, missing palettes, a full LZW table
without a clear code, ...) are assembled here byte by byte with a plain GIF LZW encoder; Pillow decodes every one of
them for the golden.
"""

import hashlib
import io
import json
import struct
import sys
from pathlib import Path

import numpy as np
import PIL
from PIL import Image, ImageOps, features
from transformers.image_transforms import convert_to_rgb
from transformers.models.clip.image_processing_pil_clip import CLIPImageProcessorPil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_preprocess_goldens import CONFIGS, pixel_values, sha256  # noqa: E402
from make_test_images import alpha_ramp, pattern  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
IMAGES = ROOT / "Fixtures" / "images"
FORMATS = IMAGES / "formats"
EXIF = IMAGES / "exif"
BAD = IMAGES / "bad"
OUTPUT = ROOT / "Fixtures" / "goldens" / "image_formats.json"

# Images preprocessed with the git-base processor configuration for the golden (EXIF ones also after exif_transpose).
PREPROCESSED = ["formats/lossless_alpha.webp", "formats/interlaced.gif", "exif/orientation_6.jpg"]


# --------------------------------------------------------------------------------------------------------------------
# GIF assembly


def lzw_encode(indices, min_code_size, clear_when_full=True):
    """GIF's variable-length LZW, least significant bit first. With `clear_when_full` False the encoder keeps
    emitting 12-bit codes once the 4096-entry table is full (a "deferred clear"), as the format allows."""
    clear = 1 << min_code_size
    end = clear + 1

    def fresh():
        return {bytes([i]): i for i in range(clear)}, end + 1, min_code_size + 1

    table, next_code, code_size = fresh()
    codes = [(clear, code_size)]
    prefix = b""
    for index in indices:
        extended = prefix + bytes([index])
        if not prefix or extended in table:
            prefix = extended
            continue
        codes.append((table[prefix], code_size))
        if next_code < 4096:
            table[extended] = next_code
            next_code += 1
            if next_code > (1 << code_size) and code_size < 12:
                code_size += 1
        elif clear_when_full:
            codes.append((clear, code_size))
            table, next_code, code_size = fresh()
        prefix = bytes([index])
    codes.append((table[prefix], code_size))
    codes.append((end, code_size))
    return pack_codes(codes)


def pack_codes(codes):
    accumulator = bit_count = 0
    packed = bytearray()
    for code, size in codes:
        accumulator |= code << bit_count
        bit_count += size
        while bit_count >= 8:
            packed.append(accumulator & 0xFF)
            accumulator >>= 8
            bit_count -= 8
    if bit_count:
        packed.append(accumulator & 0xFF)
    return bytes(packed)


def sub_blocks(data):
    return b"".join(bytes([len(data[i : i + 255])]) + data[i : i + 255] for i in range(0, len(data), 255)) + b"\0"


def color_table(colors):
    """(size field, bytes): the table padded with black to a power of two, as the format requires."""
    bits = max(1, (len(colors) - 1).bit_length())
    padded = list(colors) + [(0, 0, 0)] * ((1 << bits) - len(colors))
    return bits - 1, b"".join(bytes(color) for color in padded)


def graphic_control(transparency=None, duration=10):
    flags = 0 if transparency is None else 1
    return b"!\xf9\x04" + struct.pack("<BHB", flags, duration, transparency or 0) + b"\0"


def image_block(x, y, rows, min_code_size, local_palette=None, interlace=False, clear_when_full=True, lzw=None):
    height, width = len(rows), len(rows[0]) if rows else 0
    flags = 0x40 if interlace else 0
    table = b""
    if local_palette is not None:
        size_field, table = color_table(local_palette)
        flags |= 0x80 | size_field
    if interlace:
        order = [*range(0, height, 8), *range(4, height, 8), *range(2, height, 4), *range(1, height, 2)]
        rows = [rows[row] for row in order]
    flat = [int(value) for row in rows for value in row]
    data = lzw if lzw is not None else lzw_encode(flat, min_code_size, clear_when_full)
    return b"," + struct.pack("<HHHHB", x, y, width, height, flags) + table + bytes([min_code_size]) + sub_blocks(data)


def gif_file(width, height, blocks, global_palette=None, background=0, version=b"GIF89a"):
    flags = 0
    table = b""
    if global_palette is not None:
        size_field, table = color_table(global_palette)
        flags = 0x80 | size_field << 4 | size_field
    return version + struct.pack("<HHBBB", width, height, flags, background, 0) + table + b"".join(blocks) + b";"


def quantized(width, height, seed, colors):
    """A palette image of the test pattern: (indices [height][width], palette as RGB tuples)."""
    image = Image.fromarray(pattern(width, height, seed)).quantize(
        colors=colors, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
    )
    flat = image.getpalette()[: 3 * colors]
    return np.asarray(image).tolist(), [tuple(flat[i : i + 3]) for i in range(0, len(flat), 3)]


def noise(width, height, seed, colors):
    rng = np.random.default_rng(seed)
    indices = rng.integers(0, colors, size=(height, width)).tolist()
    palette = [tuple(int(v) for v in rng.integers(0, 256, size=3)) for _ in range(colors)]
    return indices, palette


def write(path, data):
    path.write_bytes(data)


def gifs():
    # Written by Pillow: a global palette, not interlaced (Pillow interlaces images of 16 rows or more by default).
    rows, palette = quantized(80, 60, 40, 64)
    image = Image.new("P", (80, 60))
    image.putdata([v for row in rows for v in row])
    image.putpalette([c for color in palette for c in color])
    image.save(FORMATS / "global_palette.gif", interlace=False)
    image.crop((0, 0, 64, 48)).quantize(colors=32, dither=Image.Dither.NONE).save(FORMATS / "interlaced.gif")
    transparent = Image.fromarray(pattern(48, 40, 41)).quantize(colors=16, dither=Image.Dither.NONE)
    transparent.save(FORMATS / "transparency.gif", transparency=3)
    Image.fromarray(pattern(40, 30, 42, channels=1)[:, :, 0]).save(FORMATS / "grayscale.gif")
    frames = [Image.fromarray(pattern(40, 32, seed)).quantize(colors=24, dither=Image.Dither.NONE) for seed in (43, 44, 45)]
    frames[0].save(FORMATS / "animated.gif", save_all=True, append_images=frames[1:], duration=100, loop=0)

    # Assembled by hand.
    global_rows, global_colors = quantized(36, 28, 46, 8)
    local_rows, local_colors = quantized(36, 28, 47, 16)
    write(FORMATS / "local_palette.gif", gif_file(36, 28, [image_block(0, 0, local_rows, 4, local_colors)], global_colors))
    rows, colors = quantized(30, 20, 48, 16)
    write(FORMATS / "small_frame.gif", gif_file(60, 40, [image_block(10, 8, rows, 4)], colors, background=3))
    write(
        FORMATS / "small_frame_transparent.gif",
        gif_file(60, 40, [graphic_control(transparency=5), image_block(10, 8, rows, 4)], colors, background=3),
    )
    rows, colors = quantized(24, 12, 49, 8)
    write(FORMATS / "frame_beyond_screen.gif", gif_file(20, 16, [image_block(6, 10, rows, 3)], colors))
    far = [[1, 2, 3], [3, 2, 1]]
    write(
        FORMATS / "frame_far_beyond_screen.gif",
        gif_file(2, 2, [image_block(700, 500, far, 2)], [(0, 0, 0), (255, 255, 255), (200, 30, 40), (20, 60, 220)]),
    )
    two = (np.asarray(pattern(33, 25, 50, channels=1))[:, :, 0] > 127).astype(int).tolist()
    write(FORMATS / "two_colors.gif", gif_file(33, 25, [image_block(0, 0, two, 2)], [(200, 30, 40), (20, 60, 220)]))
    gray = (np.asarray(pattern(30, 20, 51, channels=1))[:, :, 0]).tolist()
    write(FORMATS / "no_palette.gif", gif_file(30, 20, [image_block(0, 0, gray, 8)], version=b"GIF87a"))
    # An identity gray palette makes Pillow open the GIF as L; its 16 entries do not cover the 5-bit indices.
    gray_ramp = [(i, i, i) for i in range(16)]
    indices = (np.asarray(pattern(30, 20, 55, channels=1))[:, :, 0] // 8).tolist()
    write(FORMATS / "identity_gray_palette.gif", gif_file(30, 20, [image_block(0, 0, indices, 5)], gray_ramp))
    indices = (np.asarray(pattern(26, 18, 52, channels=1))[:, :, 0] // 32).tolist()
    write(
        FORMATS / "index_past_palette.gif",
        gif_file(26, 18, [image_block(0, 0, indices, 3)], [(250, 0, 0), (0, 250, 0), (0, 0, 250), (250, 250, 0)]),
    )
    rows, colors = noise(64, 64, 53, 256)
    write(FORMATS / "lzw_clear_codes.gif", gif_file(64, 64, [image_block(0, 0, rows, 8)], colors))
    write(
        FORMATS / "lzw_table_full.gif",
        gif_file(64, 64, [image_block(0, 0, rows, 8, interlace=True, clear_when_full=False)], colors),
    )
    rows, colors = quantized(32, 22, 54, 32)
    netscape = b"!\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"
    comment = b"!\xfe\x05hello\x03abc\x00"
    plain_text = b"!\x01\x0c" + bytes(12) + b"\x02hi\x00"
    blocks = [netscape, comment, b"\x00", graphic_control(transparency=9), plain_text, graphic_control(), image_block(0, 0, rows, 5)]
    write(FORMATS / "extensions.gif", gif_file(32, 22, blocks, colors))

    # Bad inputs.
    whole = (FORMATS / "global_palette.gif").read_bytes()
    write(BAD / "truncated.gif", whole[: len(whole) * 3 // 5])
    clear_then_bad = pack_codes([(4, 3), (7, 3), (5, 3)])  # after a clear, code 7 is past the table
    write(BAD / "bad_lzw.gif", gif_file(8, 8, [image_block(0, 0, [[0] * 8] * 8, 2, lzw=clear_then_bad)], [(0, 0, 0), (9, 9, 9)]))
    write(BAD / "no_image.gif", gif_file(8, 8, [graphic_control()], [(0, 0, 0), (255, 255, 255)]))
    zero = b"," + struct.pack("<HHHHB", 0, 0, 0, 4, 0) + b"\x02" + sub_blocks(pack_codes([(4, 3), (5, 3)]))
    write(BAD / "zero_size_frame.gif", gif_file(8, 8, [zero], [(0, 0, 0), (255, 255, 255)]))
    write(BAD / "huge_65535x65535.gif", gif_file(65535, 65535, [image_block(0, 0, [[1]], 2)], [(0, 0, 0), (255, 255, 255)]))
    # 32 pixels are promised; 5 literal codes, then the end code (the code size grows to 4 bits after the third).
    half = pack_codes([(4, 3), (1, 3), (1, 3), (1, 3), (1, 4), (1, 4), (5, 4)])
    # A 13001×13001 frame (169 M pixels, under Pillow's limit) whose LZW data holds 2 pixels.
    two_pixels = pack_codes([(4, 3), (1, 3), (1, 3), (5, 3)])
    empty_frame = b"," + struct.pack("<HHHHB", 0, 0, 13001, 13001, 0) + b"\x02" + sub_blocks(two_pixels)
    write(BAD / "frame_without_data.gif", gif_file(8, 8, [empty_frame], [(0, 0, 0), (255, 255, 255)]))
    write(BAD / "early_end_code.gif", gif_file(8, 4, [image_block(0, 0, [[1] * 8] * 4, 2, lzw=half)], [(0, 0, 0), (9, 9, 9)]))


# --------------------------------------------------------------------------------------------------------------------
# WebP


def riff_chunk(fourcc, payload):
    return fourcc + struct.pack("<I", len(payload)) + payload + (b"\0" if len(payload) % 2 else b"")


def uint24(value):
    return struct.pack("<I", value)[:3]


def webp_bytes(image, **options):
    buffer = io.BytesIO()
    image.save(buffer, "WEBP", **options)
    return buffer.getvalue()


def riff_webp(fourcc, bitstream):
    """A simple-format WebP file of one `VP8 ` or `VP8L` chunk."""
    body = b"WEBP" + riff_chunk(fourcc, bitstream)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def chunks(webp):
    """The chunks of a RIFF/WEBP file as (fourcc, payload)."""
    offset, found = 12, []
    while offset + 8 <= len(webp):
        fourcc, size = webp[offset : offset + 4], struct.unpack("<I", webp[offset + 4 : offset + 8])[0]
        found.append((fourcc, webp[offset + 8 : offset + 8 + size]))
        offset += 8 + size + size % 2
    return found


def animated_with_offset_frame(alpha_flag):
    """A 40x30 animation whose first frame (20x14, lossless) sits at (8, 6): libwebp leaves the rest of the canvas
    transparent black. Pillow reads RGBA only when the VP8X alpha flag is set (otherwise RGBX: black)."""
    buffer = io.BytesIO()
    Image.fromarray(pattern(20, 14, 60)).save(buffer, "WEBP", lossless=True)
    (_, bitstream), = [chunk for chunk in chunks(buffer.getvalue()) if chunk[0] == b"VP8L"]
    vp8x = bytes([0x02 | (0x10 if alpha_flag else 0)]) + bytes(3) + uint24(40 - 1) + uint24(30 - 1)
    anim = struct.pack("<IH", 0xFF00FF00, 0)  # background (ignored by libwebp's decoder), loop forever
    frame = uint24(8 // 2) + uint24(6 // 2) + uint24(20 - 1) + uint24(14 - 1) + uint24(100) + b"\x00"
    body = b"WEBP" + riff_chunk(b"VP8X", vp8x) + riff_chunk(b"ANIM", anim) + riff_chunk(b"ANMF", frame + riff_chunk(b"VP8L", bitstream))
    return b"RIFF" + struct.pack("<I", len(body)) + body


def webps():
    rgb = Image.fromarray(pattern(96, 64, 30))
    rgb.save(FORMATS / "lossy.webp", quality=80)
    rgba = Image.fromarray(np.dstack([pattern(80, 60, 31), alpha_ramp(80, 60, 32)]))
    rgba.save(FORMATS / "lossy_alpha.webp", quality=80)
    Image.fromarray(pattern(64, 48, 33)).save(FORMATS / "lossless.webp", lossless=True)
    Image.fromarray(np.dstack([pattern(64, 48, 34), alpha_ramp(64, 48, 35)])).save(FORMATS / "lossless_alpha.webp", lossless=True)
    frames = [Image.fromarray(np.dstack([pattern(48, 36, seed), alpha_ramp(48, 36, seed + 1)])) for seed in (36, 38, 40)]
    frames[0].save(FORMATS / "animated.webp", save_all=True, append_images=frames[1:], duration=100, quality=80)
    write(FORMATS / "animated_offset_frame.webp", animated_with_offset_frame(alpha_flag=True))
    write(FORMATS / "animated_offset_frame_no_alpha_flag.webp", animated_with_offset_frame(alpha_flag=False))
    # 38 bytes for 1500×1000 pixels: a uniform 16×16 lossless image whose header is changed to declare the larger size
    # (its one-symbol Huffman codes take no bits per pixel, so the data is whole).
    (_, bitstream), = chunks(webp_bytes(Image.new("RGB", (16, 16), (10, 200, 30)), lossless=True))
    size_bits = int.from_bytes(bitstream[1:5], "little") & ~((1 << 28) - 1) | (1500 - 1) | (1000 - 1) << 14
    write(FORMATS / "uniform_lossless_small_file.webp", riff_webp(b"VP8L", bitstream[:1] + size_bits.to_bytes(4, "little") + bitstream[5:]))

    whole = (FORMATS / "lossy.webp").read_bytes()
    write(BAD / "truncated.webp", whole[: len(whole) // 2])
    garbage = np.random.default_rng(61).integers(0, 256, size=300, dtype=np.uint8).tobytes()
    body = b"WEBP" + riff_chunk(b"VP8 ", garbage)
    write(BAD / "corrupt.webp", b"RIFF" + struct.pack("<I", len(body)) + body)
    # A 16×16 lossy frame whose header is changed to declare 16383×10900 pixels (under the pixel limit).
    (_, bitstream), = chunks(webp_bytes(Image.new("RGB", (16, 16), (10, 200, 30)), quality=80))
    write(BAD / "short_lossy_data.webp", riff_webp(b"VP8 ", bitstream[:6] + struct.pack("<HH", 16383, 10900) + bitstream[10:]))


# --------------------------------------------------------------------------------------------------------------------
# EXIF orientation


def tiff_with_orientation(orientation, big_endian):
    """A TIFF header and IFD0 with ImageDescription (stored past the IFD, so an offset must be followed), then
    Orientation as an inline SHORT (its value sits in the first two bytes of the 4-byte field), then Software."""
    order = ">" if big_endian else "<"
    description = b"orientation test\0"
    software = b"make_media_format_fixtures\0"
    entries = 3
    data_offset = 8 + 2 + 12 * entries + 4
    ifd = struct.pack(order + "H", entries)
    ifd += struct.pack(order + "HHII", 0x010E, 2, len(description), data_offset)
    ifd += struct.pack(order + "HHIH2x", 0x0112, 3, 1, orientation)
    ifd += struct.pack(order + "HHII", 0x0131, 2, len(software), data_offset + len(description))
    ifd += struct.pack(order + "I", 0)
    header = (b"MM\x00\x2a" if big_endian else b"II\x2a\x00") + struct.pack(order + "I", 8)
    return header + ifd + description + software


def exif_images():
    image = Image.fromarray(pattern(48, 32, 70))
    for orientation in range(1, 9):
        exif = b"Exif\0\0" + tiff_with_orientation(orientation, big_endian=orientation > 4)
        image.save(EXIF / f"orientation_{orientation}.jpg", quality=90, exif=exif)
    image.save(EXIF / "orientation_6.png", exif=b"Exif\0\0" + tiff_with_orientation(6, big_endian=False))
    image.save(EXIF / "orientation_8.webp", lossless=True, exif=b"Exif\0\0" + tiff_with_orientation(8, big_endian=True))


# --------------------------------------------------------------------------------------------------------------------
# Golden


def rgb_entry(image, processor):
    rgb = convert_to_rgb(image, return_numpy=True)
    entry = {"width": image.width, "height": image.height, "rgb_sha256": sha256(rgb)}
    if processor is not None:
        entry["pixel_values"] = {"git-base": pixel_values(processor, image)}
    return entry


def golden_entry(path, processor):
    name = path.relative_to(IMAGES).as_posix()
    with Image.open(path) as image:
        entry = {"name": name, "format": image.format, "pillow_mode": image.mode, "frames": getattr(image, "n_frames", 1)}
        image.seek(0)
        image.load()
        preprocessor = processor if name in PREPROCESSED else None
        entry |= rgb_entry(image, preprocessor)
        orientation = image.getexif().get(0x0112)
        if orientation is not None:
            entry["exif_orientation"] = orientation
            entry["exif_transposed"] = rgb_entry(ImageOps.exif_transpose(image), preprocessor)
    return entry


def bad_entry(path):
    try:
        with Image.open(path) as image:
            image.load()
            convert_to_rgb(image, return_numpy=True)
    except Exception as error:  # noqa: BLE001 - the golden records whatever Pillow raised
        message = str(error).replace(f"{path.parent}/", "")  # no machine paths in the golden
        return {"name": path.relative_to(IMAGES).as_posix(), "pillow_error": f"{type(error).__name__}: {message}"}
    raise SystemExit(f"{path}: Pillow opened it; it is not a bad input")


def main():
    for folder in (FORMATS, EXIF, BAD):
        folder.mkdir(parents=True, exist_ok=True)
    gifs()
    webps()
    exif_images()

    arguments = {k: v for k, v in CONFIGS["git-base"].items() if k not in ("image_processor_type", "processor_class")}
    processor = CLIPImageProcessorPil(**arguments)
    good = sorted([*FORMATS.iterdir(), *EXIF.iterdir()])
    bad = sorted(p for p in BAD.iterdir() if p.suffix in (".gif", ".webp"))
    golden = {
        "origin": {
            "script": "tools/reference/make_media_format_fixtures.py",
            "pillow": PIL.__version__,
            "pillow_libwebp": features.version("webp"),
            "numpy": np.__version__,
            "convert": "transformers.image_transforms.convert_to_rgb after Image.open (first frame); "
            "exif_transposed: PIL.ImageOps.exif_transpose first",
        },
        "tolerance": "exact: sha256 of the uint8 RGB bytes (H, W, 3) and of the little-endian float32 pixel values "
        "(git-base: microsoft/git-base's processor configuration, as in preprocess.json)",
        "images": [golden_entry(path, processor) for path in good],
        "bad": [bad_entry(path) for path in bad],
    }
    OUTPUT.write_text(json.dumps(golden, indent=1) + "\n")
    sizes = {path.relative_to(IMAGES).as_posix(): path.stat().st_size for path in [*good, *bad]}
    print(f"wrote {len(good)} images and {len(bad)} bad inputs, {sum(sizes.values())} bytes; {OUTPUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
