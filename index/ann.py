"""Approximate nearest neighbours over the vector file: a usearch HNSW graph in ``<db stem>.ann``.

The graph is derived data.  Its keys are vector-file rows and it only ever
holds committed rows, added in order, so its size says how far it has caught
up.  Only the ingest writer adds to it, then replaces the file atomically;
readers memory-map the file (``view``), so opening is instant, a million rows
cost page cache rather than heap, and a reader sees a newer file at its next
search.  Rows it does not cover yet (another process appended them, or a
crash came before the save) are scanned exactly by ``search.dense_search``,
and the next ingest adds them from the vector file without re-embedding.

usearch was chosen by measurement (``benchmarks/ann_choice.py``): with int8
vectors its file is a third of faiss' HNSW, and it serves straight from a
memory-mapped file shared by every process, where faiss' HNSW and hnswlib
read the whole graph into each process' heap (faiss builds and searches
faster, but search is ~1 ms of a ~15 ms question).  int8 distances blur near-ties, so the graph proposes
``CANDIDATES`` rows and the caller ranks them by exact float32 cosine.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np

from .vectors import VectorFile

logger = logging.getLogger(__name__)

ANN_MIN_ROWS = 20_000
"""Below this many rows an exact scan takes under ~3 ms, so no graph is kept."""
CONNECTIVITY = 16
EXPANSION_ADD = 40
EXPANSION_SEARCH = 128
CANDIDATES = 40
"""Rows proposed per search before exact re-ranking (at least 4 per wanted result)."""
_ADD_CHUNK = 50_000


class AnnIndex:
    """The on-disk graph, viewed for searching and loaded for adding."""

    def __init__(self, path: Path, dim: int, min_rows: int = ANN_MIN_ROWS):
        self.path = Path(path)
        self.dim = dim
        self.min_rows = min_rows
        self._view = None
        self._stamp: tuple[int, int, int] | None = None
        self._writable = None

    def covered(self) -> int:
        """Rows the graph on disk holds (0 when there is none)."""
        view = self._current_view()
        return 0 if view is None else len(view)

    def search(self, query: np.ndarray, k: int, rows: int) -> list[int]:
        """Candidate rows below ``rows``, roughly nearest first; the caller scores them exactly."""
        view = self._current_view()
        if view is None or k <= 0:
            return []
        matches = view.search(query.astype(np.float32), min(max(CANDIDATES, 4 * k), len(view)))
        return [int(key) for key in matches.keys if key < rows]

    def sync(self, vectors: VectorFile, rows: int) -> int:
        """Writer only: add rows ``covered..rows`` from the vector file and replace the file on disk.

        Returns the number of rows added.  A graph that holds rows the vector
        file no longer has (an index restored from an older copy) is rebuilt.
        """
        if rows < self.min_rows or (self._writable is None and self.covered() == rows):
            return 0  # nothing to add: do not load the graph into memory
        index = self._writable_index()
        if len(index) > rows:
            logger.warning("%s covers %d rows but only %d are committed; rebuilding", self.path, len(index), rows)
            index = self._writable = self._new_index()
        start = len(index)
        if start == rows:
            return 0
        matrix = vectors.matrix(rows)
        for chunk in range(start, rows, _ADD_CHUNK):
            end = min(chunk + _ADD_CHUNK, rows)
            index.add(np.arange(chunk, end, dtype=np.uint64), np.ascontiguousarray(matrix[chunk:end]))
        self._save(index)
        logger.info("ANN index %s now covers %d rows (+%d)", self.path, rows, rows - start)
        return rows - start

    def release(self) -> None:
        """Drop the writable copy at the end of an ingest; searches use the file."""
        self._writable = None

    def _new_index(self):
        return _usearch_index_class()(ndim=self.dim, metric="cos", dtype="i8", connectivity=CONNECTIVITY,
                     expansion_add=EXPANSION_ADD, expansion_search=EXPANSION_SEARCH)

    def _writable_index(self):
        if self._writable is None:
            self._writable = self._new_index()
            if self.path.exists():
                try:
                    self._writable.load(str(self.path))
                except (RuntimeError, ValueError) as exc:
                    logger.warning("cannot read %s (%s); rebuilding it", self.path, exc)
                    self._writable = self._new_index()
        return self._writable

    def _save(self, index) -> None:
        staging = self.path.with_name(self.path.name + ".tmp")
        index.save(str(staging))
        with open(staging, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(staging, self.path)

    def _current_view(self):
        """The memory-mapped graph, re-mapped when a writer has replaced the file."""
        try:
            st = self.path.stat()
        except FileNotFoundError:
            self._view, self._stamp = None, None
            return None
        stamp = (st.st_ino, st.st_size, st.st_mtime_ns)
        if stamp != self._stamp:
            view = self._new_index()
            try:
                _read_ahead(self.path)
                view.view(str(self.path))
            except (RuntimeError, ValueError) as exc:
                logger.warning("cannot map %s (%s); searching exactly until it is rebuilt", self.path, exc)
                view = None
            else:
                view.expansion_search = EXPANSION_SEARCH
            self._view, self._stamp = view, stamp
        return self._view


def _read_ahead(path: Path) -> None:
    """Ask the kernel to read the whole graph now, in large sequential requests.

    Mapping the graph touches every page of it (usearch walks each node once), and page faults read
    a cold file at 40 MB/s on this machine's disk against 114 MB/s for this read-ahead: the first
    answer at a million sentences (a 530 MB graph) waits about 5 s instead of 13.
    """
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return  # view() reports the problem
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
    finally:
        os.close(fd)


def _usearch_index_class():
    """usearch's Index, imported after onnxruntime.

    With usearch 2.26 loaded first, importing onnxruntime 1.32 segfaults in
    its module initialisation; the other order works, so the embedder can
    load at any time after this.
    """
    import onnxruntime  # noqa: F401
    from usearch.index import Index

    return Index
