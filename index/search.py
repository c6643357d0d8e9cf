"""Dense retrieval: cosine top-k over the memory-mapped vector file.

Results are ``(text_id, score)`` sorted best first, as in
sentence-transformers' ``semantic_search``; the caller maps ids to sentences.
"""

from __future__ import annotations

import numpy as np

from .store import Store


def dense_search(store: Store, query: np.ndarray, k: int) -> list[tuple[int, float]]:
    matrix = store.matrix()
    if matrix.shape[0] == 0 or k <= 0:
        return []
    scores = matrix @ query.astype(np.float32)
    k = min(k, scores.shape[0])
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.argsort(-scores[top], kind="stable")]
    return [(int(i), float(scores[i])) for i in top]
