"""Dense retrieval: cosine top-k over the vector file, exact when small, through the ANN graph when large.

Results are ``(text_id, score)`` sorted best first, as in
sentence-transformers' ``semantic_search``; the caller maps ids to sentences.
Scores are always the exact float32 cosine, whichever path found the rows,
so score thresholds mean the same at every index size.

Above ``store.ann.min_rows`` the graph proposes candidates for the rows it
covers and the rows it does not cover yet (appended since its last save,
possibly by another process) are scanned exactly, so nothing committed is
ever invisible.
"""

from __future__ import annotations

import numpy as np

from .store import Store


def dense_search(store: Store, query: np.ndarray, k: int) -> list[tuple[int, float]]:
    rows = store.text_count()
    if rows == 0 or k <= 0:
        return []
    matrix = store.vectors.matrix(rows)
    query = query.astype(np.float32)
    if rows < store.ann.min_rows:
        return exact_search(matrix, query, k)
    covered = min(store.ann.covered(), rows)
    candidates = np.asarray(sorted(store.ann.search(query, k, rows)), dtype=np.int64)
    scores = dict(zip(candidates.tolist(), (matrix[candidates] @ query).tolist()))
    if covered < rows:  # read before searching, so a graph replaced meanwhile can only overlap the tail
        scores.update((row + covered, score) for row, score in exact_search(matrix[covered:], query, k))
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))[:k]


def exact_search(matrix: np.ndarray, query: np.ndarray, k: int) -> list[tuple[int, float]]:
    """Top-k rows of ``matrix`` by dot product with ``query``: the reference the ANN is measured against."""
    if matrix.shape[0] == 0 or k <= 0:
        return []
    scores = matrix @ query
    k = min(k, scores.shape[0])
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.argsort(-scores[top], kind="stable")]
    return [(int(i), float(scores[i])) for i in top]
