"""Why usearch: build cost, query cost, recall@10 and bytes per row of the candidate graph indexes.

    .venv/bin/python benchmarks/ann_choice.py [--rows 100000]

Same data as run.py: real PolNeAR sentence vectors plus uniform random
filler; queries are held-out real sentences.  Each candidate proposes 40 rows
which are re-ranked by exact cosine, as index/search.py does.  hnswlib is not
measured: it stores float32 only and cannot serve from a memory-mapped file,
so it cannot meet 2 KB per sentence resident at a million rows.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from corpus import POLNEAR  # noqa: E402
from index.ann import _usearch_index_class  # noqa: E402
from index.embed import Embedder  # noqa: E402


def real_vectors(n: int) -> np.ndarray:
    sentences: list[str] = []
    with open(POLNEAR / "articles.jsonl", encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            sentences += [record["text"][a:b] for a, b in record["sentence_spans"] or []]
    return Embedder().encode(list(dict.fromkeys(sentences))[:n])


def measure(name: str, build, search, data: np.ndarray, queries: np.ndarray, truth: list[set]) -> None:
    cpu, wall = time.process_time(), time.perf_counter()
    size = build(data)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    recall, times = [], []
    for query, expected in zip(queries, truth):
        start = time.perf_counter()
        rows = np.array(search(query))
        rows = rows[np.argsort(-(data[rows] @ query))[:10]]
        times.append(time.perf_counter() - start)
        recall.append(len(expected & set(rows.tolist())) / 10)
    print(f"| {name} | {len(data) / wall:,.0f} ({cpu / len(data) * 1e6:.0f} µs CPU) | "
          f"{np.percentile(times, 50) * 1000:.2f} / {np.percentile(times, 95) * 1000:.2f} | "
          f"{np.mean(recall):.3f} | {size / len(data):,.0f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    real = real_vectors(3000)
    rng = np.random.default_rng(0)
    filler = rng.standard_normal((args.rows - 2500, real.shape[1]), dtype=np.float32)
    data = np.concatenate([real[:2500], filler / np.linalg.norm(filler, axis=1, keepdims=True)])
    queries = real[2500:]
    truth = [set(np.argsort(-(data @ q))[:10].tolist()) for q in queries]
    folder = Path(tempfile.mkdtemp())
    print(f"{args.rows:,} rows, {len(queries)} queries\n")
    print("| index | build rows/s | query p50 / p95 ms | recall@10 | file bytes/row |\n|---|---|---|---|---|")

    Index = _usearch_index_class()
    for dtype in ("i8", "f16"):
        index = Index(ndim=data.shape[1], metric="cos", dtype=dtype, connectivity=16, expansion_add=40,
                      expansion_search=128)

        def build(x, index=index, dtype=dtype):
            index.add(np.arange(len(x)), x)
            index.save(str(folder / f"{dtype}.usearch"))
            return (folder / f"{dtype}.usearch").stat().st_size

        measure(f"usearch HNSW {dtype}, M=16", build, lambda q, index=index: index.search(q, 40).keys,
                data, queries, truth)

    import faiss

    graph = faiss.IndexHNSWFlat(data.shape[1], 16, faiss.METRIC_INNER_PRODUCT)
    graph.hnsw.efConstruction, graph.hnsw.efSearch = 40, 128

    def build_faiss(x):
        graph.add(x)
        faiss.write_index(graph, str(folder / "faiss.index"))
        return (folder / "faiss.index").stat().st_size

    measure("faiss HNSWFlat f32, M=16", build_faiss, lambda q: graph.search(q[None], 40)[1][0], data, queries, truth)


if __name__ == "__main__":
    main()
