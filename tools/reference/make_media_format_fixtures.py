"""Writes the WebP, GIF, BMP, TIFF and EXIF-orientation test images and their golden. Deterministic, no network.

    tools/reference/.venv/bin/python tools/reference/make_media_format_fixtures.py

Fixtures/images/formats/          WebP (lossy, lossless, with and without alpha, animated, an animation whose first
                                  frame is smaller than the canvas) and GIF (global and local palettes, transparency,
                                  interlacing, frames smaller than or beyond the logical screen, animation, 2 colours,
                                  grayscale (optimised and identity palettes), no palette, indices past the palette, a
                                  full LZW table with and without a clear code, extension blocks), BMP (24-bit, 32-bit
                                  with the fourth byte ignored or as alpha through bit fields, 16-bit 5-5-5 and 5-6-5,
                                  1-, 4- and 8-bit palettes, gray and black-and-white tables, OS/2 core header, top-down
                                  rows, RLE8 and RLE4) and TIFF (LZW with predictor, PackBits, Deflate, strips and tiles,
                                  RGB, RGBA straight, premultiplied and without ExtraSamples, 16-bit RGB big-endian,
                                  gray 4, 8 and 16-bit and with alpha, bilevel Group 4, palettes of 2 and 8 bits, CMYK,
                                  BigTIFF, an Orientation tag, several pages)
Fixtures/images/exif/             48x32 JPEGs with EXIF Orientation 1-8 (little-endian TIFF for 1-4, big-endian for
                                  5-8), a PNG with an eXIf chunk and a WebP with an EXIF chunk
Fixtures/images/bad/              truncated, corrupt and oversized GIF, WebP, BMP and TIFF files (written next to
                                  make_test_images.py's)
Fixtures/goldens/image_formats.json
                                  per image: Pillow's mode, frame count, size and the sha256 of the RGB bytes after
                                  transformers' convert_to_rgb; with EXIF, the same after ImageOps.exif_transpose; per
                                  bad input, Pillow's exception; CLIPImageProcessorPil pixel values of two images

GIFs whose structure Pillow cannot be asked to write (local palettes, frame offsets, missing palettes, a full LZW table
without a clear code, ...) are assembled here byte by byte with a plain GIF LZW encoder, and so are the BMPs and TIFFs
Pillow does not write (bit fields, RLE, tiles, premultiplied alpha, ...); Pillow decodes every one of them for the
golden.
"""

import hashlib
import io
import json
import struct
import sys
import zlib
from pathlib import Path

import numpy as np
import PIL
from PIL import Image, ImageOps, TiffImagePlugin, features
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
PREPROCESSED = [
    "formats/lossless_alpha.webp", "formats/interlaced.gif", "formats/bmp_rle8.bmp", "formats/tiff_rgba_deflate.tif",
    "exif/orientation_6.jpg",
]


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
# BMP


def bmp_file(width, height, bits, pixels, palette=b"", compression=0, colors=0, header_size=40, masks=(),
             top_down=False):
    """A BMP with a 40- to 124-byte Windows info header (masks in the header from 52 bytes on, after it for 40) or
    the 12-byte OS/2 core header, then the colour table (4-byte entries, 3 for the core header) and `pixels`."""
    if header_size == 12:
        info = struct.pack("<IHHHH", 12, width, height, 1, bits)
    else:
        info = struct.pack("<IiiHHIIiiII", header_size, width, -height if top_down else height, 1, bits, compression,
                           len(pixels), 2835, 2835, colors, 0)
        fields = struct.pack(f"<{len(masks)}I", *masks)
        info += fields + bytes(header_size - 40 - len(fields)) if header_size > 40 else fields
    offset = 14 + len(info) + len(palette)
    return b"BM" + struct.pack("<IHHI", offset + len(pixels), 0, 0, offset) + info + palette + pixels


def bmp_rows(values, bits):
    """Rows of samples (ints of `bits` bits, packed most significant first below 8 bits, little-endian above),
    bottom row first, each padded to 4 bytes."""
    rows = []
    for row in values[::-1]:
        if bits < 8:
            packed = int("".join(format(int(v), f"0{bits}b") for v in row).ljust(-(-len(row) * bits // 8) * 8, "0"), 2)
            data = packed.to_bytes(-(-len(row) * bits // 8), "big")
        else:
            data = b"".join(int(v).to_bytes(bits // 8, "little") for v in row)
        rows.append(data + bytes(-len(data) % 4))
    return b"".join(rows)


def bmp_palette(colors, entry_size=4):
    return b"".join(bytes((b, g, r)) + bytes(entry_size - 3) for r, g, b in colors)


def rle_runs(rows, four_bit):
    """RLE8/RLE4 data for rows of indices (bottom row first in the file): a run for each stretch of equal values (RLE4
    runs alternate two indices), an absolute run for the rest, end of line after each row and end of bitmap, with a
    delta that skips the first two pixels of the top row (left as index 0)."""
    data = bytearray()
    for number, row in enumerate(rows[::-1]):
        x = 0
        if number == len(rows) - 1:
            data += b"\0\x02\x02\x00"
            x = 2
        while x < len(row):
            run = 1
            while x + run < len(row) and run < 255 and row[x + run] == row[x + run % 2 if four_bit else x]:
                run += 1
            if run >= 3 or len(row) - x < 3:
                value = row[x] << 4 | row[min(x + 1, len(row) - 1)] if four_bit else row[x]
                data += bytes([run, value])
                x += run
                continue
            count = min(len(row) - x, 12)
            chunk = row[x : x + count]
            packed = bytes(chunk[i] << 4 | (chunk[i + 1] if i + 1 < count else 0) for i in range(0, count, 2)) if four_bit else bytes(chunk)
            data += bytes([0, count]) + packed + bytes(len(packed) % 2)
            x += count
        data += b"\0\0"
    return bytes(data + b"\0\x01")


def bmps():
    rgb = pattern(29, 17, 80)
    save = lambda image, name: image.save(FORMATS / name)  # noqa: E731
    save(Image.fromarray(rgb), "bmp_rgb24.bmp")
    # Pillow writes RGBA as 32-bit BI_RGB and reads the fourth byte back as padding: the image is opaque.
    save(Image.fromarray(np.dstack([pattern(21, 13, 81), alpha_ramp(21, 13, 82)])), "bmp_rgba_as_bgrx.bmp")
    save(Image.fromarray(pattern(30, 14, 83, channels=1)[:, :, 0]), "bmp_gray8.bmp")
    save(Image.fromarray(pattern(27, 15, 84)).quantize(colors=40, dither=Image.Dither.NONE), "bmp_palette8.bmp")
    save(Image.fromarray(pattern(35, 9, 85, channels=1)[:, :, 0]).convert("1"), "bmp_bilevel.bmp")

    indices, colors = quantized(23, 11, 86, 16)
    write(FORMATS / "bmp_palette4_top_down.bmp",
          bmp_file(23, 11, 4, bmp_rows(indices[::-1], 4), bmp_palette(colors), colors=16, top_down=True))
    two = (np.asarray(pattern(37, 7, 87, channels=1))[:, :, 0] > 127).astype(int).tolist()
    write(FORMATS / "bmp_palette1.bmp", bmp_file(37, 7, 1, bmp_rows(two, 1), bmp_palette([(200, 30, 40), (20, 60, 220)]), colors=2))
    indices, colors = quantized(19, 12, 88, 64)
    write(FORMATS / "bmp_os2_palette8.bmp", bmp_file(19, 12, 8, bmp_rows(indices, 8), bmp_palette(colors, 3) + bytes(3 * 192), header_size=12))

    values = pattern(17, 10, 89).astype(int)
    rgb565 = (values[:, :, 0] >> 3) << 11 | (values[:, :, 1] >> 2) << 5 | values[:, :, 2] >> 3
    rgb555 = (values[:, :, 0] >> 3) << 10 | (values[:, :, 1] >> 3) << 5 | values[:, :, 2] >> 3
    write(FORMATS / "bmp_rgb565_bitfields.bmp",
          bmp_file(17, 10, 16, bmp_rows(rgb565.tolist(), 16), compression=3, header_size=56, masks=(0xF800, 0x7E0, 0x1F, 0)))
    write(FORMATS / "bmp_rgb555.bmp", bmp_file(17, 10, 16, bmp_rows(rgb555.tolist(), 16)))
    rgba = np.dstack([pattern(18, 12, 90), alpha_ramp(18, 12, 91)]).astype(int)
    bgra = rgba[:, :, 2] | rgba[:, :, 1] << 8 | rgba[:, :, 0] << 16 | rgba[:, :, 3] << 24
    write(FORMATS / "bmp_bgra_bitfields_v5.bmp",
          bmp_file(18, 12, 32, bmp_rows(bgra.tolist(), 32), compression=3, header_size=124, masks=(0xFF0000, 0xFF00, 0xFF, 0xFF000000)))
    padding = np.random.default_rng(92).integers(0, 256, size=(12, 18)).astype(int)
    write(FORMATS / "bmp_bgrx_random_fourth_byte.bmp", bmp_file(18, 12, 32, bmp_rows((bgra & 0xFFFFFF | padding << 24).tolist(), 32)))

    indices, colors = quantized(26, 14, 93, 12)
    blocky = [[row[x // 4 * 4] for x in range(len(row))] for row in indices]
    write(FORMATS / "bmp_rle8.bmp", bmp_file(26, 14, 8, rle_runs(blocky, False), bmp_palette(colors), compression=1, colors=12))
    write(FORMATS / "bmp_rle4.bmp", bmp_file(26, 14, 4, rle_runs(blocky, True), bmp_palette(colors), compression=2, colors=12))

    whole = (FORMATS / "bmp_rgb24.bmp").read_bytes()
    write(BAD / "truncated.bmp", whole[: len(whole) * 2 // 3])
    runs = rle_runs(blocky, False)
    write(BAD / "short_rle8.bmp", bmp_file(26, 14, 8, runs[: len(runs) // 2], bmp_palette(colors), compression=1, colors=12))
    write(BAD / "unsupported_bitfields.bmp",
          bmp_file(4, 4, 32, bytes(64), compression=3, header_size=56, masks=(0xFF, 0xFF00, 0xFF0000, 0)))
    write(BAD / "huge_20000x20000.bmp", bmp_file(20000, 20000, 24, bytes(64)))


# --------------------------------------------------------------------------------------------------------------------
# TIFF

TIFF_SHORT, TIFF_LONG = 3, 4


def tiff_file(tags, chunks, tiled=False, big_endian=False):
    """A classic TIFF of one directory, written first: `tags` maps tag → (type, values); the offsets and byte counts
    of the strips or tiles in `chunks` (stored in order after the directory) are added."""
    order = ">" if big_endian else "<"
    sizes = [len(chunk) + len(chunk) % 2 for chunk in chunks]

    def directory(first_chunk):
        offsets = [first_chunk + sum(sizes[:index]) for index in range(len(chunks))]
        every = {**tags, (324 if tiled else 273): (TIFF_LONG, offsets), (325 if tiled else 279): (TIFF_LONG, [len(c) for c in chunks])}
        values_at = 8 + 2 + 12 * len(every) + 4
        entries, values = b"", b""
        for tag, (kind, items) in sorted(every.items()):
            data = struct.pack(order + ("H" if kind == TIFF_SHORT else "I") * len(items), *items)
            if len(data) <= 4:
                entries += struct.pack(order + "HHI", tag, kind, len(items)) + data + bytes(4 - len(data))
            else:
                entries += struct.pack(order + "HHII", tag, kind, len(items), values_at + len(values))
                values += data + bytes(len(data) % 2)
        return struct.pack(order + "H", len(every)) + entries + bytes(4) + values

    first_chunk = 8 + len(directory(0))
    header = (b"MM\0*" if big_endian else b"II*\0") + struct.pack(order + "I", 8)
    return header + directory(first_chunk) + b"".join(chunk + bytes(len(chunk) % 2) for chunk in chunks)


def tiff_samples(array, bits, big_endian=False):
    """The rows of `array` [rows, columns, samples] as TIFF samples: packed most significant first below 8 bits, each
    row to a whole byte."""
    if bits == 16:
        return array.astype(">u2" if big_endian else "<u2").tobytes()
    if bits == 8:
        return array.astype(np.uint8).tobytes()
    rows = array.reshape(array.shape[0], -1)
    return b"".join(np.packbits(np.unpackbits(row.astype(np.uint8)[:, None], axis=1)[:, 8 - bits :].ravel()).tobytes() for row in rows)


def packbits(data):
    """PackBits with literal runs only (valid, if not small)."""
    return b"".join(bytes([len(data[i : i + 128]) - 1]) + data[i : i + 128] for i in range(0, len(data), 128))


def horizontal_differences(array, bits):
    """TIFF predictor 2: each sample minus the same sample of the pixel to its left, modulo 2**bits."""
    wide = array.astype(np.int64)
    wide[:, 1:] = wide[:, 1:] - wide[:, :-1]
    return wide % (1 << bits)


def tiff_image(array, photometric, bits=8, extra=(), compression=1, rows_per_strip=None, tile=None, big_endian=False,
               predictor=1, more_tags=None):
    """A TIFF of `array` [height, width, samples]: strips of `rows_per_strip` rows (default one strip) or square tiles
    of `tile` pixels, compressed with none (1), Deflate (8) or PackBits (32773)."""
    height, width, samples = array.shape
    tags = {256: (TIFF_LONG, [width]), 257: (TIFF_LONG, [height]), 258: (TIFF_SHORT, [bits] * samples),
            259: (TIFF_SHORT, [compression]), 262: (TIFF_SHORT, [photometric]), 277: (TIFF_SHORT, [samples]),
            284: (TIFF_SHORT, [1])}
    if extra:
        tags[338] = (TIFF_SHORT, list(extra))
    if predictor != 1:
        tags[317] = (TIFF_SHORT, [predictor])
    tags |= more_tags or {}
    if tile:
        tags |= {322: (TIFF_LONG, [tile]), 323: (TIFF_LONG, [tile])}
        padded = np.zeros((-(-height // tile) * tile, -(-width // tile) * tile, samples), dtype=array.dtype)
        padded[:height, :width] = array
        blocks = [padded[y : y + tile, x : x + tile] for y in range(0, padded.shape[0], tile) for x in range(0, padded.shape[1], tile)]
    else:
        rows = rows_per_strip or height
        tags[278] = (TIFF_LONG, [rows])
        blocks = [array[y : y + rows] for y in range(0, height, rows)]
    if predictor == 2:
        blocks = [horizontal_differences(block, bits) for block in blocks]
    encode = {1: lambda d: d, 8: zlib.compress, 32773: packbits}[compression]
    return tiff_file(tags, [encode(tiff_samples(block, bits, big_endian)) for block in blocks], tiled=tile is not None, big_endian=big_endian)


def tiffs():
    save = lambda image, name, **options: image.save(FORMATS / name, **options)  # noqa: E731
    save(Image.fromarray(pattern(33, 21, 100)), "tiff_rgb_lzw_predictor.tif", compression="tiff_lzw", tiffinfo={317: 2})
    save(Image.fromarray(pattern(28, 19, 101)), "tiff_rgb_packbits.tif", compression="packbits")
    save(Image.fromarray(np.dstack([pattern(24, 18, 102), alpha_ramp(24, 18, 103)])), "tiff_rgba_deflate.tif", compression="tiff_adobe_deflate")
    save(Image.fromarray(pattern(30, 20, 104, channels=1)[:, :, 0]), "tiff_gray_deflate.tif", compression="tiff_deflate")
    save(Image.fromarray(pattern(45, 22, 105, channels=1)[:, :, 0]).convert("1"), "tiff_bilevel_group4.tif", compression="group4")
    save(Image.fromarray(pattern(27, 16, 106)).quantize(colors=50, dither=Image.Dither.NONE), "tiff_palette8_lzw.tif", compression="tiff_lzw")
    save(Image.fromarray((pattern(26, 15, 107, channels=1)[:, :, 0].astype(np.uint16) * 300).astype(np.uint16)), "tiff_gray16.tif")
    save(Image.fromarray(pattern(22, 14, 108)).convert("CMYK"), "tiff_cmyk.tif", compression="tiff_lzw")
    save(Image.fromarray(np.dstack([pattern(20, 16, 109, channels=1)[:, :, 0], alpha_ramp(20, 16, 110)]), "LA"), "tiff_gray_alpha.tif")
    save(Image.fromarray(pattern(18, 11, 111)), "tiff_bigtiff.tif", big_tiff=True, compression="tiff_lzw")
    orientation = TiffImagePlugin.ImageFileDirectory_v2()
    orientation[0x0112] = 6
    save(Image.fromarray(pattern(25, 14, 112)), "tiff_orientation_6.tif", tiffinfo=orientation)
    pages = [Image.fromarray(pattern(20, 12, seed)) for seed in (113, 114, 115)]
    pages[0].save(FORMATS / "tiff_multipage.tif", save_all=True, append_images=pages[1:], compression="tiff_lzw")

    write(FORMATS / "tiff_rgb_tiles_deflate_predictor.tif",
          tiff_image(pattern(40, 35, 116), 2, compression=8, tile=16, predictor=2))
    write(FORMATS / "tiff_rgb16_big_endian_strips.tif",
          tiff_image(pattern(23, 13, 117).astype(np.uint16) * 257 + 31, 2, bits=16, rows_per_strip=4, big_endian=True))
    premultiplied = np.dstack([pattern(21, 15, 118), alpha_ramp(21, 15, 119)]).astype(np.uint16)
    premultiplied[:, :, :3] = premultiplied[:, :, :3] * premultiplied[:, :, 3:] // 255
    write(FORMATS / "tiff_rgba_premultiplied.tif", tiff_image(premultiplied, 2, extra=(1,), compression=32773))
    write(FORMATS / "tiff_rgba_without_extrasamples.tif", tiff_image(np.dstack([pattern(19, 12, 120), alpha_ramp(19, 12, 121)]), 2))
    write(FORMATS / "tiff_gray4_min_is_white.tif", tiff_image(pattern(31, 9, 122, channels=1) >> 4, 0, bits=4, rows_per_strip=3))
    indices, colors = quantized(29, 10, 123, 4)
    color_map = [c[channel] * 257 for channel in range(3) for c in colors]
    write(FORMATS / "tiff_palette2.tif",
          tiff_image(np.asarray(indices)[:, :, None], 3, bits=2, more_tags={320: (TIFF_SHORT, color_map)}))

    whole = tiff_image(pattern(30, 20, 124), 2, compression=8, rows_per_strip=5)
    write(BAD / "truncated.tif", whole[: len(whole) * 2 // 3])
    write(BAD / "huge_40000x40000.tif", tiff_file({256: (TIFF_LONG, [40000]), 257: (TIFF_LONG, [40000]), 258: (TIFF_SHORT, [8]),
                                                    262: (TIFF_SHORT, [1]), 278: (TIFF_LONG, [40000])}, [bytes(16)]))


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
    bmps()
    tiffs()
    exif_images()

    arguments = {k: v for k, v in CONFIGS["git-base"].items() if k not in ("image_processor_type", "processor_class")}
    processor = CLIPImageProcessorPil(**arguments)
    good = sorted([*FORMATS.iterdir(), *EXIF.iterdir()])
    bad = sorted(p for p in BAD.iterdir() if p.suffix in (".gif", ".webp", ".bmp", ".tif"))
    golden = {
        "origin": {
            "script": "tools/reference/make_media_format_fixtures.py",
            "pillow": PIL.__version__,
            "pillow_libwebp": features.version("webp"),
            "pillow_libtiff": features.version("libtiff"),
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
