"""The float32 matrix file that sits beside the database.

Row ``i`` is the embedding of ``texts.id == i``.  The file is append-only:
vectors are written and fsynced *before* the SQLite transaction that makes
their rows visible commits, so a crash leaves at most some unreferenced rows
at the tail, which the next writer cuts off.  Readers memory-map the file, so
a million rows cost page cache, not heap.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)


class VectorFile:
    """Append-only little-endian float32 rows of a fixed dimension."""

    def __init__(self, path: Path, dim: int):
        self.path = path
        self.dim = dim
        self._row_bytes = dim * 4
        self._map: np.ndarray | None = None
        self._mapped_rows = 0

    def rows_on_disk(self) -> int:
        return self.bytes_on_disk() // self._row_bytes

    def bytes_on_disk(self) -> int:
        try:
            return self.path.stat().st_size
        except FileNotFoundError:
            return 0

    def truncate(self, rows: int) -> None:
        """Cut rows beyond ``rows`` (left by an ingest that never committed).

        Bytes are compared, not whole rows: a writer killed in the middle of
        ``append`` leaves part of a row, which must go too.
        """
        extra = self.bytes_on_disk() - rows * self._row_bytes
        if extra > 0:
            logger.warning("dropping %d uncommitted vector bytes (%.2f rows) from %s",
                           extra, extra / self._row_bytes, self.path)
            with open(self.path, "r+b") as fh:
                fh.truncate(rows * self._row_bytes)
                os.fsync(fh.fileno())
            self._map = None

    def append(self, vectors: np.ndarray, at_row: int) -> None:
        """Write ``vectors`` as rows ``at_row..`` and make them durable."""
        if len(vectors) == 0:
            return
        data = np.ascontiguousarray(vectors, dtype="<f4")
        if data.shape[1] != self.dim:
            raise ValueError(f"vector size {data.shape[1]} != index size {self.dim}")
        self.truncate(at_row)
        with open(self.path, "ab") as fh:
            if fh.tell() != at_row * self._row_bytes:
                raise RuntimeError(f"{self.path} has {fh.tell() // self._row_bytes} rows, expected {at_row}")
            fh.write(data.tobytes())
            fh.flush()
            os.fsync(fh.fileno())

    def matrix(self, rows: int) -> np.ndarray:
        """The first ``rows`` rows, memory-mapped; re-mapped only when the file grew."""
        rows = min(rows, self.rows_on_disk())
        if rows == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self._map is None or self._mapped_rows < rows:
            self._map = np.memmap(self.path, dtype="<f4", mode="r", shape=(self.rows_on_disk(), self.dim))
            self._mapped_rows = self._map.shape[0]
        return self._map[:rows]
