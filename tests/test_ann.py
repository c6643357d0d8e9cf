"""The ANN graph behind dense_search: recall against exact search, persistence, catching up.

Vectors are random but clustered like sentence embeddings (uniform points on
the sphere have no near neighbours worth finding); they are written through
the real Store, so no model is needed.
"""

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np

from index.ann import ANN_MIN_ROWS
from index.models import Article, Sentence
from index.search import dense_search, exact_search
from index.store import Store, content_hash, text_hash

DIM = 384
ROOT = Path(__file__).resolve().parents[1]


def clustered(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((max(n // 40, 2), DIM))
    points = centres[rng.integers(0, len(centres), n)] + 0.35 * rng.standard_normal((n, DIM))
    return (points / np.linalg.norm(points, axis=1, keepdims=True)).astype(np.float32)


def add_rows(store: Store, vectors: np.ndarray, tag: str) -> None:
    """One synthetic article whose every sentence is new, with the given vectors."""
    lines = [f"Sentence {i} of batch {tag}." for i in range(len(vectors))]
    text = "\n".join(lines)
    sentences, start = [], 0
    for i, line in enumerate(lines):
        sentences.append(Sentence(ordinal=i, line=i + 1, start=start, end=start + len(line), text=line))
        start += len(line) + 1
    article = Article(text=text, source_id=tag, title=tag)
    with store.writer():
        store.save_article(key="id:" + tag, article=article, chash=content_hash(text), source=(tag, "file"),
                           sentences=sentences, new_texts={text_hash(t): t for t in lines}, new_vectors=vectors,
                           replace_rowid=None)


def open_store(path: Path, min_rows: int) -> Store:
    return Store(path, "synthetic", DIM, ann_min_rows=min_rows)


def test_ann_recall_at_10_against_exact(tmp_path):
    store = open_store(tmp_path / "ann.db", min_rows=1000)
    points = clustered(4200, seed=1)
    vectors, queries = points[:4000], points[4000:]  # queries from the same clusters, not in the index
    add_rows(store, vectors, "a")
    assert store.ann.sync(store.vectors, store.text_count()) == 4000
    recalls = []
    for query in queries:
        found = {row for row, _ in dense_search(store, query, 10)}
        truth = {row for row, _ in exact_search(vectors, query, 10)}
        recalls.append(len(found & truth) / 10)
    assert store.ann.covered() == 4000
    assert np.mean(recalls) >= 0.98


def test_scores_are_exact_cosines_on_both_paths(tmp_path):
    store = open_store(tmp_path / "ann.db", min_rows=500)
    vectors = clustered(1000, seed=3)
    add_rows(store, vectors, "a")
    store.ann.sync(store.vectors, store.text_count())
    query = vectors[17]
    ranked = dense_search(store, query, 5)
    assert ranked[0][0] == 17 and abs(ranked[0][1] - 1.0) < 1e-5
    assert all(abs(score - float(vectors[row] @ query)) < 1e-6 for row, score in ranked)


def test_below_threshold_search_is_exact_and_no_graph_is_written(tmp_path):
    store = open_store(tmp_path / "small.db", min_rows=ANN_MIN_ROWS)
    vectors = clustered(800, seed=4)
    add_rows(store, vectors, "a")
    assert store.ann.sync(store.vectors, store.text_count()) == 0
    assert not store.ann.path.exists()
    for query in clustered(20, seed=5):
        assert dense_search(store, query, 10) == exact_search(vectors, query, 10)


def test_rows_appended_by_another_process_are_found_then_caught_up(tmp_path):
    db = tmp_path / "shared.db"
    reader = open_store(db, min_rows=1000)
    first = clustered(2000, seed=6)
    add_rows(reader, first, "a")
    reader.ann.sync(reader.vectors, reader.text_count())
    reader.ann.release()
    assert dense_search(reader, first[5], 1)[0][0] == 5

    later = clustered(300, seed=7)
    np.save(tmp_path / "later.npy", later)
    script = textwrap.dedent(f"""
        import sys, numpy as np
        sys.path.insert(0, {str(ROOT)!r})
        from tests.test_ann import add_rows, open_store
        store = open_store({str(db)!r}, min_rows=1000)
        add_rows(store, np.load({str(tmp_path / "later.npy")!r}), "b")
    """)
    subprocess.run([sys.executable, "-c", script], check=True, cwd=ROOT)

    # The other writer added rows but did not update the graph: the reader, not restarted, still finds them.
    assert reader.ann.covered() == 2000 and reader.text_count() == 2300
    assert dense_search(reader, later[42], 1)[0][0] == 2042

    # The next writer catches the graph up from the vector file, without embedding anything.
    writer = open_store(db, min_rows=1000)
    with writer.writer():
        assert writer.ann.sync(writer.vectors, writer.text_count()) == 300
    assert reader.ann.covered() == 2300  # the reader maps the replaced file at its next search
    assert dense_search(reader, later[42], 1)[0][0] == 2042


def test_graph_ahead_of_the_vector_file_is_rebuilt(tmp_path):
    store = open_store(tmp_path / "ann.db", min_rows=500)
    add_rows(store, clustered(1200, seed=8), "a")
    store.ann.sync(store.vectors, store.text_count())
    store.ann.release()
    other = open_store(tmp_path / "other.db", min_rows=500)
    add_rows(other, clustered(900, seed=9), "b")
    other.ann.path.write_bytes(store.ann.path.read_bytes())  # a graph restored from a bigger index
    assert other.ann.sync(other.vectors, other.text_count()) == 900
    assert other.ann.covered() == 900
