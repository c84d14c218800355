"""Writes Fixtures/goldens/tokenizer.json: token ids, token strings and decoded texts of transformers 5.23's
BertTokenizer on the bert-base-uncased vocabulary (Fixtures/vocab/bert-base-uncased-vocab.txt, git-base's vocabulary).

Sections:
* encodings: written strings (every Unicode category that matters, scripts, emoji, whitespace and control characters,
  long words, literal special tokens, punctuation runs, ...) plus seeded random mixes, each with ids and tokens with
  special tokens, and for a subset also without;
* decodes: id lists (WordPiece continuations first, special tokens in the middle, [UNK], apostrophes, quotes, seeded
  random ids) decoded with skip_special_tokens false and true;
* hub_layout: the text of the hub's tokenizer_config.json and special_tokens_map.json (docs/tokenizer.md,
  "Which tokenizer runs");
* variants: other tokenizer_config.json settings on a hub-layout folder (no lower-casing, explicit strip_accents,
  no CJK spacing: ids only; clean_up_tokenization_spaces: decodes only; a 4.x-style added_tokens_decoder with an
  extra special and an extra normalized token, which makes transformers ignore special_tokens_map.json);
* small_tokenizer_json: a tiny tokenizer.json-layout folder with added tokens using lstrip/rstrip/single_word/normalized
  (the files' text is stored as strings);
* quirky_vocabulary: a vocab.txt with CRLF, trailing whitespace, an empty line and a repeated token;
* unicode_blocks: for every block of 4096 code points, FNV-1a-64 of the normalizer + pre-tokenizer output of all its
  scalars separated by spaces, so that every scalar's normalization is checked without storing it.

The tokenizer is built as BertTokenizer(PATH), with the path positional (the keyword form silently builds a 5-token
vocabulary in 5.23), and cross-checked against AutoTokenizer and GitProcessor loading a hub-layout folder
(docs/checkpoints.md, "Files in a checkpoint folder") and a folder saved by transformers 5.23 (tokenizer.json
layout). Deterministic, no network.
Run with tools/reference/.venv/bin/python.
"""

import json
import random
import shutil
import tempfile
from pathlib import Path

import tokenizers
import transformers
from tokenizers import normalizers, pre_tokenizers
from transformers import AutoTokenizer, BertTokenizer, GitProcessor

ROOT = Path(__file__).resolve().parents[2]
VOCAB = ROOT / "Fixtures" / "vocab" / "bert-base-uncased-vocab.txt"
OUT = ROOT / "Fixtures" / "goldens" / "tokenizer.json"

# tokenizer_config.json and special_tokens_map.json of the microsoft/git-* hub repos (docs/tokenizer.md, "Which
# tokenizer runs").
HUB_TOKENIZER_CONFIG = {
    "cls_token": "[CLS]", "do_lower_case": True, "mask_token": "[MASK]",
    "model_input_names": ["input_ids", "attention_mask"], "model_max_length": 512,
    "name_or_path": "bert-base-uncased", "pad_token": "[PAD]", "processor_class": "GitProcessor",
    "sep_token": "[SEP]", "special_tokens_map_file": None, "strip_accents": None, "tokenize_chinese_chars": True,
    "tokenizer_class": "BertTokenizer", "unk_token": "[UNK]",
}
HUB_SPECIAL_TOKENS_MAP = {
    "cls_token": "[CLS]", "mask_token": "[MASK]", "pad_token": "[PAD]", "sep_token": "[SEP]", "unk_token": "[UNK]",
}
# preprocessor_config.json of microsoft/git-base (docs/checkpoints.md, "Image-processor settings"), only so that
# GitProcessor loads the folder.
HUB_PREPROCESSOR_CONFIG = {
    "crop_size": {"height": 224, "width": 224}, "do_center_crop": True, "do_convert_rgb": True, "do_normalize": True,
    "do_rescale": True, "do_resize": True, "image_mean": [0.48145466, 0.4578275, 0.40821073],
    "image_processor_type": "CLIPImageProcessor", "image_std": [0.26862954, 0.26130258, 0.27577711],
    "processor_class": "GitProcessor", "resample": 3, "rescale_factor": 0.00392156862745098,
    "size": {"shortest_edge": 224},
}



def added_token(content, **flags):
    return {"content": content, "lstrip": False, "normalized": False, "rstrip": False, "single_word": False,
            "special": True, **flags}


ADDED_TOKENS_DECODER = {
    "0": added_token("[PAD]"), "100": added_token("[UNK]"), "101": added_token("[CLS]"), "102": added_token("[SEP]"),
    "103": added_token("[MASK]", lstrip=True), "30522": added_token("<img>"),
    "30523": added_token("Hello There", normalized=True, special=False),
}
ADDED_TOKENS_TEXTS = ["<img> a photo of", "hello there [MASK] <img><img>x", "HELLO THERE", "[CLS]", "<IMG> <im g>"]

CAPTIONS = [
    "two cats laying on a pink blanket",
    "What is in the image?",
    "a man riding a wave on top of a surfboard.",
    "How many people are in the picture?",
    "what does the front of the bus say at the top?",
    "A dog sitting on a couch next to a remote control.",
    "Is this a vegetarian pizza?",
    "The quick brown fox jumps over the lazy dog",
    "What color is the umbrella?",
    "a group of people standing around a kitchen",
    "two cats sleeping on a pink blanket next to remotes.",
    "A red double-decker bus driving down a city street.",
    "Where is the giraffe looking?",
    "a plate of food with broccoli, rice and chicken",
    "Are there any clouds in the sky?",
    "a close up of a person holding a cell phone",
    "What's the man holding in his left hand?",
    "a woman's hand holding an umbrella in the rain",
    "an airplane flying over a snow covered mountain range",
    "Which animal is bigger: the elephant or the mouse?",
]

CATEGORIES = [
    "Lu: ÀÉÎÕÜ ĀĒĪŌŪ ΔΘΛ ЖЩЯ",                       # uppercase letters
    "Ll: àéîõü āēīōū δθλ жщя",                        # lowercase letters
    "Lt: ǅ ǈ ǋ ǲ ᾈ ᾘ ᾨ",                            # titlecase letters
    "Lm: ʰ ʲ ˆ ˇ ー ゝ ꜝ",                               # modifier letters
    "Lo: א ב ج د あ ア 中 ก ༀ ᄀ",                       # other letters
    "Mn: a\u0300b\u0301c\u0302d\u0303e\u0304 \u0300 x\u0345y",
    "Mc: \u0915\u0903 \u0995\u09be \u0d15\u0d3e \U0001d165",
    "Me: a\u20dd b\u20de c\u20df \u0488",
    "Nd: 0123456789 ٠١٢٣ ०१२३ ０１２３ 𝟎𝟏",
    "Nl: Ⅰ Ⅱ Ⅻ ⅻ 〇 〡 ᛮ",
    "No: ½ ¾ ² ³ ① ⑩ ༳ 𐄇",
    "Pc: _ ‿ ⁀ ⁔ ︳ ＿ a_b",
    "Pd: - – — ‐ ‑ ⸗ 〜 a-b",
    "Ps: ( [ { ⁅ 「 『 【 （",
    "Pe: ) ] } ⁆ 」 』 】 ）",
    "Pi: « ‘ “ ‹ ⸂",
    "Pf: » ’ ” › ⸃",
    "Po: ! \" # % & ' * , . / : ; ? @ \\ ¡ § ¶ · ¿ ; · ، । ・ 。 ※",
    "Sm: + < = > | ~ ¬ ± × ÷ ∑ ∞ ≠ ⊕",
    "Sc: $ ¢ £ ¤ ¥ ₠ € ₹ ₿ ﹩",
    "Sk: ^ ` ¨ ¯ ´ ¸ ˂ ˘ ˜ ゛ ＾",
    "So: © ® ° ☺ ♥ ☃ ⌘ ⏰ ⚽",
    "Zs: a\u00a0b\u1680c\u2000d\u2003e\u2009f\u200ag\u202fh\u205fi\u3000j",
    "Zl: line\u2028separator",
    "Zp: paragraph\u2029separator",
    "Cc: a\x01b\x07c\x1bd\x1fe\x7ff\x80g\x9fh",
    "Cf: soft\u00adhyphen zero\u200bwidth joiner\u200dx non\u200cjoiner word\u2060joiner bom\ufeffx rtl\u202eltr\u202c",
    "Cf: arabic\u0600mark \u061c \u06dd \u070f \u180e \U000110bd \U0001d173 tag\U000e0041\U000e007f",
    "Co: private\ue000use\uf8ff \U000f0000 \U0010fffd",
    "Cn: unassigned\u0378 \u0530x \U0001fffe \uffff end",
    "newer Unicode: \u0897\u0898 \u2e5d \u0890 \U00011938 \U0001f6dc \U0001fae8 \u08ca \U0001e4ec",
]

SCRIPTS = [
    "一二三 中文字符 漢字",
    "CJK ranges: \u4e00 \u9fff \u3400 \u4dbf \U00020000 \U0002a6df \U0002a700 \U0002b73f \U0002b740 \U0002b81f",
    "CJK ranges: \U0002b820 \U0002b91f \U0002b920 \U0002ceaf \U0002ceb0 \uf900 \ufaff \U0002f800 \U0002fa1f \U00030000",
    "中文english混合text",
    "日本語のテキスト、カタカナとひらがな。",
    "안녕하세요 세계 한국어",
    "สวัสดีครับ ภาษาไทย",
    "مرحبا بالعالم مَرْحَبًا",
    "नमस्ते दुनिया क्षि",
    "שָׁלוֹם עוֹלָם",
    "Σίσυφος ΣΟΦΟΣ ς σ Σ",
    "Привет мир Ёж ёлка",
    "İstanbul ılık IĞDIR İi Iı",
    "Straße GROSS ß ẞ STRASSE",
    "ＨＥＬＬＯ　ｗｏｒｌｄ！ １２３",
    "ﬁ ﬂ ﬀ ligatures ǆ Ǆ",
    "Ångström crème brûlée São Paulo Dvořák Zoë",
    "Héllo wörld! naïve café",
    "cafe\u0301 e\u0301\u0301 \u0301leading a\u0308\u0301 A\u030a",
    "ᄀ\u1161\u11a8 jamo",
    "Ελληνικά: άέήίόύώ ΆΈΉΊΌΎΏ ϊϋΐΰ",
    "Tiếng Việt có dấu",
    "ქართული ენა",
    "Հայերեն",
    "ᏣᎳᎩ",
    "ⴰⵣⵓⵍ",
]

EMOJI = [
    "😀 😃 😄 😁",
    "👍 👍🏻 👍🏽 👍🏿",
    "👨‍👩‍👧‍👦 family",
    "🏳️‍🌈 🏴‍☠️",
    "❤️ ♥️ ❤",
    "1️⃣ #️⃣ *️⃣",
    "🇺🇸🇫🇷🇯🇵",
    "I ❤️ NY!",
    "emoji🙂inside",
    "🤖🦾🧠",
]

WHITESPACE = [
    "",
    " ",
    "   ",
    "\t",
    "\n",
    "\r\n",
    "\t \n \r",
    "\x0b\x0c\x85",
    "\u3000\u00a0\u2028\u2029",
    "\u200b",
    "a\tb\nc\rd",
    "a\x0bb",
    "a\x0cb",
    "a\x85b",
    "a\u00a0b",
    "a\u3000b",
    "a\u2028b\u2029c",
    "a\u200bb",
    "a\u180eb",
    "  leading and trailing  ",
    "multiple     spaces\t\t\ttabs\n\n\nlines",
    "\x00",
    "a\x00b",
    "\ufffd",
    "a\ufffdb",
    "\x00\x01\x02\x03",
]

LONG_WORDS = [
    "a" * 99,
    "a" * 100,
    "a" * 101,
    "a" * 120,
    "é" * 100,
    "é" * 101,
    "e\u0301" * 100,
    "e\u0301" * 101,
    "x" * 50 + "é" + "x" * 49,
    "x" * 50 + "é" + "x" * 50,
    "supercalifragilisticexpialidocious" * 3,
    "un" + "affable" * 14,
    "un" + "affable" * 15,
    "中" * 120,
    "word " * 30,
    "antidisestablishmentarianism pneumonoultramicroscopicsilicovolcanoconiosis",
]

UNKNOWN = [
    "unaffable",
    "xqzvbnkj",
    "abc🙂",
    "🙂abc",
    "hello\u0378world",
    "naïve\u20ddword",
    "ⓐⓑⓒ",
    "𝔥𝔢𝔩𝔩𝔬",
    "𝐡𝐞𝐥𝐥𝐨",
]

SPECIAL = [
    "[CLS]",
    "[SEP]",
    "[PAD]",
    "[MASK]",
    "[UNK]",
    "[unk]",
    "[Cls]",
    "[cls] [sep] [mask]",
    "[CLS] hello [SEP]",
    "[SEP] [PAD] [MASK] [UNK]",
    "hello[MASK]world",
    "[CLS][SEP]",
    "[[MASK]]",
    "[MASK",
    "MASK]",
    "a [MASK] b",
    " [SEP] ",
    "\t[CLS]\n",
    "[MASK]é",
    "[UNK]'s",
    "[unused0] [unused1]",
    "[ CLS ]",
    "##ing ## #",
    "[MASK][MASK][MASK]",
    "the [MASK] sat on the mat.",
]

PUNCTUATION = [
    "3.14159",
    "1,000,000",
    "$100.00",
    "(1 + 2) * 3 = 9",
    "!!!???...",
    "don't stop-believing (1,234.5)",
    "e-mail: test@example.com",
    "http://www.example.com/path?query=1&x=2",
    "#hashtag @mention",
    "--flag=value",
    "C++ and C#",
    "50% off!!!",
    "10:30pm",
    "\"quoted\" 'single'",
    "a man's shirt",
    "isn't",
    "I'm we've they're",
    "do not",
    "...",
    "…",
    "a.b.c",
    "x^2 + y^2 = z^2",
    "~`!@#$%^&*()_+-={}[]|\\:;\"'<>,.?/",
    "2024-01-01T12:00:00Z",
    "+49 (0) 123/456-789",
]


def written_strings():
    return CAPTIONS + CATEGORIES + SCRIPTS + EMOJI + WHITESPACE + LONG_WORDS + UNKNOWN + SPECIAL + PUNCTUATION


def random_strings(count, seed):
    rng = random.Random(seed)
    pools = [
        ["the", "a", "cat", "dog", "Man", "WOMAN", "riding", "surfboard", "kitchen", "umbrella", "pizza", "bus",
         "unaffable", "tokenization", "GIRAFFE", "Straße", "café", "naïve", "İstanbul", "ΣΟΦΟΣ", "мир"],
        list("!?.,;:'\"()[]{}-_/\\@#$%^&*+=<>|~`"),
        ["[CLS]", "[SEP]", "[PAD]", "[MASK]", "[UNK]", "[unk]", "##", "##ing"],
        list("中文日本語한국어ไทยعربيहिन्दी"),
        ["😀", "👍🏽", "👨‍👩‍👧", "🇯🇵", "❤️", "\u20dd", "\u0301", "\u0308"],
        [" ", "  ", "\t", "\n", "\r", "\x0b", "\x0c", "\x85", "\u00a0", "\u3000", "\u2028", "\u200b", "\x00",
         "\ufffd", "\x7f", "\u00ad", "\ue000"],
        ["0", "7", "42", "3.14", "1,000", "٣", "½", "Ⅻ"],
    ]
    weights = [10, 4, 2, 3, 2, 6, 2]
    strings = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(1, 14)):
            pool = rng.choices(pools, weights)[0]
            parts.append(rng.choice(pool))
            if rng.random() < 0.6:
                parts.append(" ")
        strings.append("".join(parts))
    return strings


def decode_token_lists():
    """Decodes given as token strings (converted to ids with the vocabulary)."""
    return [
        ["##a", "hello"],
        ["##ing", "##s"],
        ["[CLS]", "a", "man", "'", "s", "shirt", "[SEP]"],
        ['"', "stop", '"'],
        ["[CLS]", "hello", "[UNK]", "world", "[SEP]"],
        ["hello", "[SEP]", "world", "[PAD]", "[PAD]"],
        ["is", "##n", "'", "t"],
        ["isn", "'", "t"],
        ["hello", ".", "world", "?", "!", ","],
        ["do", "not"],
        ["i", "'", "m", "we", "'", "ve", "they", "'", "re"],
        ["'", "s"],
        ["[CLS]", "##a"],
        ["[MASK]", "##a", "[MASK]"],
        ["una", "##ffa", "##ble"],
        ["中", "文", "字"],
        ["(", "1", ",", "234", ".", "5", ")"],
        ["[unused5]", "[unused0]", "##"],
        ["[CLS]", "two", "cats", "laying", "on", "a", "pink", "blanket", "[SEP]"],
        ["a", "-", "b", "-", "-", "c"],
        ["[SEP]", "[SEP]"],
        ["[UNK]"],
        [".", ".", "."],
        ["hello", "'", "'", "world"],
        ["$", "100", ".", "00"],
    ]


def fnv1a64(data):
    value = 0xCBF29CE484222325
    for byte in data:
        value ^= byte
        value = (value * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{value:016x}"


def unicode_block_digests(block_size):
    normalizer = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True, strip_accents=None,
                                            lowercase=True)
    pre = pre_tokenizers.BertPreTokenizer()
    digests = []
    for start in range(0, 0x110000, block_size):
        chars = [chr(cp) for cp in range(start, start + block_size) if not 0xD800 <= cp <= 0xDFFF]
        words = [word for word, _ in pre.pre_tokenize_str(normalizer.normalize_str(" ".join(chars)))]
        digests.append(fnv1a64("\n".join(words).encode("utf-8")))
    return digests


def make_hub_folder(folder, config, with_preprocessor=False, special_tokens_map=None):
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(VOCAB, folder / "vocab.txt")
    (folder / "tokenizer_config.json").write_text(json.dumps(config), encoding="utf-8")
    (folder / "special_tokens_map.json").write_text(json.dumps(special_tokens_map or HUB_SPECIAL_TOKENS_MAP),
                                                    encoding="utf-8")
    if with_preprocessor:
        (folder / "preprocessor_config.json").write_text(json.dumps(HUB_PREPROCESSOR_CONFIG), encoding="utf-8")
    return folder


def encode_entry(tokenizer, text, without_special):
    encoding = tokenizer(text)
    entry = {"text": text, "ids": encoding["input_ids"], "tokens": encoding.tokens()}
    if without_special:
        plain = tokenizer(text, add_special_tokens=False)
        entry["ids_without_special_tokens"] = plain["input_ids"]
        entry["tokens_without_special_tokens"] = plain.tokens()
    return entry


def decode_entries(tokenizer, id_lists):
    return [{"ids": ids, "skip_special_tokens": skip, "text": tokenizer.decode(ids, skip_special_tokens=skip)}
            for ids in id_lists for skip in (False, True)]


def small_tokenizer_json_case(workdir):
    """A tiny tokenizer.json-layout folder whose added tokens use every flag."""
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", "foo", "##s", "bar", "a", "b", ",",
             ".", "'", "s", "un", "##aff", "##able", "e", "!", "<", ">", "sw"]
    first_added = len(vocab)
    specials = [{"id": index, "content": content, "single_word": False, "lstrip": False, "rstrip": False,
                 "normalized": False, "special": True} for index, content in enumerate(vocab[:5])]
    added = [
        {"id": first_added, "content": "<sp>", "single_word": False, "lstrip": True, "rstrip": True,
         "normalized": False, "special": True},
        {"id": first_added + 1, "content": "Foo Bar", "single_word": False, "lstrip": False, "rstrip": False,
         "normalized": True, "special": False},
        {"id": first_added + 2, "content": "<sw>", "single_word": True, "lstrip": False, "rstrip": False,
         "normalized": False, "special": False},
        {"id": first_added + 3, "content": "É!", "single_word": False, "lstrip": False, "rstrip": False,
         "normalized": True, "special": False},
        {"id": first_added + 4, "content": "<sp>x", "single_word": False, "lstrip": False, "rstrip": False,
         "normalized": False, "special": False},
    ]
    tokenizer_json = {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": specials + added,
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                       "strip_accents": None, "lowercase": True},
        "pre_tokenizer": {"type": "BertPreTokenizer"}, "post_processor": None,
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": {token: index for index, token in enumerate(vocab)}},
    }
    tokenizer_config = {"tokenizer_class": "BertTokenizer", "do_lower_case": True}
    folder = workdir / "small"
    folder.mkdir()
    (folder / "tokenizer.json").write_text(json.dumps(tokenizer_json), encoding="utf-8")
    (folder / "tokenizer_config.json").write_text(json.dumps(tokenizer_config), encoding="utf-8")
    tokenizer = AutoTokenizer.from_pretrained(folder)
    texts = ["hello <sp> world", "hello<sp>world", "hello\t<sp>\tworld", "<sp>", " <sp> ", "<sp>x", "<sp> x",
             "foo bar FOO BAR Foo Bar xfoo barx", "a <sw> b", "a<sw> b", "<sw>", "(<sw>)", "é! É! e!", "unaffable",
             "hellos worlds", "[CLS] foo [MASK]", "", "a, b. s's"]
    id_lists = [[2, 5, first_added, 6, first_added + 1, first_added + 2, first_added + 3, 3],
                [5, first_added + 4, 6], [first_added + 1, 8], [10, 14, 15]]
    return {
        "tokenizer_json": json.dumps(tokenizer_json, ensure_ascii=False),
        "tokenizer_config": json.dumps(tokenizer_config),
        "encodings": [encode_entry(tokenizer, text, without_special=True) for text in texts],
        "decodes": decode_entries(tokenizer, id_lists),
    }


def quirky_vocabulary_case(workdir):
    """A vocab.txt with CRLF, trailing spaces and NBSP (trimmed), an empty line (a token ""), a leading tab (kept)
    and a repeated token (the last id wins; the earlier id names no token)."""
    text = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\nworld \r\nhello\n\nfoo\u00a0\n##s\n\tbar\n"
    path = workdir / "quirky-vocab.txt"
    path.write_text(text, encoding="utf-8", newline="")
    tokenizer = BertTokenizer(str(path))
    ids = list(range(len(text.split("\n")) - 1))
    return {
        "vocab_txt": text,
        "vocab_size": tokenizer.vocab_size,
        "tokens_by_id": tokenizer.convert_ids_to_tokens(ids),
        "encodings": [encode_entry(tokenizer, text, without_special=False)
                      for text in ["hello world worlds foo bar", "hello", "foos", "\tbar"]],
        "decodes": decode_entries(tokenizer, [[6, 7, 8, 9, 10, 11], [7, 8, 7]]),
    }


def main():
    reference = BertTokenizer(str(VOCAB))  # positional: vocab_file= would silently build a 5-token vocabulary
    assert reference.vocab_size == 30522, reference.vocab_size

    texts = list(dict.fromkeys(written_strings() + random_strings(160, seed=20251123)))  # without repeats
    encodings = [encode_entry(reference, text, without_special=index % 3 == 0) for index, text in enumerate(texts)]

    id_lists = [reference.convert_tokens_to_ids(tokens) for tokens in decode_token_lists()]
    id_lists += [entry["ids"] for entry in encodings[::12]]
    rng = random.Random(7)
    id_lists += [[rng.randrange(reference.vocab_size) for _ in range(rng.randint(1, 12))] for _ in range(15)]
    id_lists += [[]]
    decodes = decode_entries(reference, id_lists)

    variant_texts = CAPTIONS[:2] + CATEGORIES + SCRIPTS + EMOJI[:3] + LONG_WORDS[:10] + SPECIAL[:8] + ["İ" * 60]
    variants = []
    with tempfile.TemporaryDirectory() as temporary:
        workdir = Path(temporary)

        # Cross-checks: hub layout through AutoTokenizer and GitProcessor, and the layout transformers 5.23 saves.
        hub = AutoTokenizer.from_pretrained(make_hub_folder(workdir / "hub", HUB_TOKENIZER_CONFIG, True))
        processor = GitProcessor.from_pretrained(workdir / "hub")
        reference.save_pretrained(workdir / "saved")
        saved = AutoTokenizer.from_pretrained(workdir / "saved")
        for other in (hub, processor.tokenizer, saved):
            assert other.vocab_size == 30522
            for entry in encodings:
                assert other(entry["text"])["input_ids"] == entry["ids"], (type(other), entry["text"])
            for entry in decodes:
                assert other.decode(entry["ids"], skip_special_tokens=entry["skip_special_tokens"]) == entry["text"]
        for entry in encodings[:40]:
            assert processor(text=entry["text"])["input_ids"] == entry["ids"]

        for index, (changes, special_tokens_map) in enumerate([
            ({"do_lower_case": False}, HUB_SPECIAL_TOKENS_MAP),
            ({"do_lower_case": True, "strip_accents": False}, HUB_SPECIAL_TOKENS_MAP),
            ({"do_lower_case": False, "strip_accents": True}, HUB_SPECIAL_TOKENS_MAP),
            ({"tokenize_chinese_chars": False}, HUB_SPECIAL_TOKENS_MAP),
            ({"clean_up_tokenization_spaces": True}, HUB_SPECIAL_TOKENS_MAP),
            # transformers 4.x style: added_tokens_decoder, which makes special_tokens_map.json be ignored.
            ({"added_tokens_decoder": ADDED_TOKENS_DECODER}, {"cls_token": "[SEP]"}),
        ]):
            config = {**HUB_TOKENIZER_CONFIG, **changes}
            folder = make_hub_folder(workdir / f"variant{index}", config, special_tokens_map=special_tokens_map)
            tokenizer = AutoTokenizer.from_pretrained(folder)
            decoding_only = "clean_up_tokenization_spaces" in changes
            if "added_tokens_decoder" in changes:
                variant_texts_here = ADDED_TOKENS_TEXTS
                id_lists_here = [[101, 30522, 7592, 30523, 102], [103, 30522, 30523]]
            else:
                variant_texts_here = variant_texts
                id_lists_here = id_lists[:30] if decoding_only else id_lists[:8]
            variants.append({
                "tokenizer_config": json.dumps(config),
                "special_tokens_map": json.dumps(special_tokens_map),
                "encodings": [] if decoding_only else [
                    {"text": text, "ids": tokenizer(text)["input_ids"]} for text in variant_texts_here],
                "decodes": decode_entries(tokenizer, id_lists_here),
            })
        small = small_tokenizer_json_case(workdir)
        quirky = quirky_vocabulary_case(workdir)

    block_size = 4096
    golden = {
        "origin": {
            "script": "tools/reference/make_tokenizer_goldens.py",
            "transformers": transformers.__version__,
            "tokenizers": tokenizers.__version__,
            "vocabulary": "Fixtures/vocab/bert-base-uncased-vocab.txt",
            "tokenizer": "BertTokenizer(vocabulary path, positional); cross-checked against AutoTokenizer and "
                         "GitProcessor on a hub-layout folder and on the folder save_pretrained writes",
        },
        "tolerance": "exact: ids equal, token strings and texts equal scalar by scalar",
        "hub_layout": {"tokenizer_config": json.dumps(HUB_TOKENIZER_CONFIG),
                       "special_tokens_map": json.dumps(HUB_SPECIAL_TOKENS_MAP)},
        "encodings": encodings,
        "decodes": decodes,
        "variants": variants,
        "small_tokenizer_json": small,
        "quirky_vocabulary": quirky,
        "unicode_blocks": {
            "block_size": block_size,
            "rule": "for each block of code points [k*block_size, (k+1)*block_size) without surrogates: join the "
                    "scalars with ' ', apply BertNormalizer(clean_text, handle_chinese_chars, strip_accents=None, "
                    "lowercase) and BertPreTokenizer, join the words with '\\n', FNV-1a-64 of the UTF-8 bytes",
            "digests": unicode_block_digests(block_size),
        },
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(golden, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}: {len(encodings)} strings, {len(decodes)} decodes, "
          f"{len(variants)} variants, {len(small['encodings'])} + {len(small['decodes'])} small-folder cases, "
          f"{len(golden['unicode_blocks']['digests'])} unicode blocks, {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()
