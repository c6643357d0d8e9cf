"""newsbot speed and scale benchmark: every figure beside its baseline, measured in one run.

    .venv/bin/python benchmarks/run.py            # full run (make bench)
    .venv/bin/python benchmarks/run.py --quick    # smoke run, about two minutes

Sections: embedding rate and end-to-end ingest against plain
``SentenceTransformer.encode``; query latency at growing sizes against an
exact scan; memory and start-up of a fresh serving process against the
Foundation path (torch model, exact scan); txtai on the same sentences, each side
queried from a fresh process of its own; query
latency while another process ingests.  Prints one Markdown table and, with
``--write``, saves it with the machine description to benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import os
import platform
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from importlib.metadata import version
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from corpus import POLNEAR, corpus_sources, questions, rewritten_copy, strict_who_said  # noqa: E402
from fill import fill_to  # noqa: E402

from index.embed import Embedder  # noqa: E402
from index.engine import NewsIndex, clean_question  # noqa: E402
from index.search import dense_search, exact_search  # noqa: E402

logger = logging.getLogger("bench")
ROWS: list[tuple[str, str, str, str]] = []


def row(measure: str, ours: str, baseline: str, verdict: str) -> None:
    ROWS.append((measure, ours, baseline, verdict))
    logger.info("%s | %s | %s | %s", measure, ours, baseline, verdict)


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values) * 1000, q))


def timed_asks(index: NewsIndex, asked: list[str]) -> list[float]:
    index.ask(asked[0])
    out = []
    for question in asked:
        start = time.perf_counter()
        index.ask(question)
        out.append(time.perf_counter() - start)
    return out


# -- 1. embedding and ingest ------------------------------------------------

def bench_ingest(work: Path, sources: list[str], embedder: Embedder, copies: int) -> tuple[NewsIndex, float]:
    # Loaded before the clock starts, as the plain baseline's model is: the document graph (compiled at the
    # first batch, its kernels at each new shape) and spaCy, through a throwaway ingest of the seed news.
    embedder.encode([f"Warm-up sentence number {i}." for i in range(64)])
    warm = NewsIndex(work / "warm-up.db", embedder=embedder)
    warm.ingest(sources[:1])
    warm.close()
    index = NewsIndex(work / "news.db", embedder=embedder)
    report = index.ingest(sources)
    ingest_rate = report.sentences / report.seconds
    texts = [t for (t,) in index.store.db.execute("SELECT text FROM texts ORDER BY id").fetchall()]

    from sentence_transformers import SentenceTransformer

    plain = SentenceTransformer(embedder.model_path, device="cpu")
    plain.encode(texts[:32], show_progress_bar=False)
    embedder.encode(texts[:32])
    halves = (texts[: len(texts) // 2], texts[len(texts) // 2:])
    plain_s, fast_s, reference, fast = 0.0, 0.0, [], []
    for half, plain_first in zip(halves, (True, False)):  # A B B A, so load drifting mid-run hits both alike
        for which in ("plain", "fast") if plain_first else ("fast", "plain"):
            start = time.perf_counter()
            if which == "plain":
                reference.append(plain.encode(half, show_progress_bar=False))
                plain_s += time.perf_counter() - start
            else:
                fast.append(embedder.encode(half))
                fast_s += time.perf_counter() - start
    plain_rate, fast_rate = len(texts) / plain_s, len(texts) / fast_s
    reference, fast = np.concatenate(reference), np.concatenate(fast)
    reference /= np.linalg.norm(reference, axis=1, keepdims=True)
    min_cos = float((fast * reference).sum(axis=1).min())
    row(f"Embedding, {len(texts):,} unique sentences (sent/s)", f"{fast_rate:,.0f} (backend {embedder.backend})",
        f"{plain_rate:,.0f} (plain encode)", f"{fast_rate / plain_rate:.2f}× (target ≥ 1.5×); min cosine {min_cos:.5f}")
    row(f"Ingest end to end, {report.sentences:,} sentences (sent/s)", f"{ingest_rate:,.0f}",
        f"{plain_rate:,.0f} (plain encode alone)", f"{ingest_rate / plain_rate:.2f}× (target ≥ 1×)")
    for copy in range(1, copies + 1):
        path = rewritten_copy(Path(sources[-1]), work / f"copy{copy}.jsonl", copy, reverse_words=False)
        again = index.ingest([str(path)])
        row(f"Ingest, syndicated copy #{copy}: {again.added} articles, known texts (sent/s)",
            f"{again.sentences / again.seconds:,.0f}", f"{plain_rate:,.0f}",
            f"{again.embedded:,} of {again.sentences:,} sentences embedded (known text never is)")
    del plain
    return index, report.seconds


# -- 2. txtai side by side -------------------------------------------------

def places_by_text(index: NewsIndex) -> dict[int, list[tuple[str, int, int]]]:
    rows = index.store.db.execute(
        'SELECT s.text_id, a.article_id, s.start, s."end" FROM sentences s JOIN articles a ON a.id = s.article_id')
    out: dict[int, list[tuple[str, int, int]]] = {}
    for text_id, article_id, start, end in rows:
        out.setdefault(text_id, []).append((article_id, start, end))
    return out


def is_hit(places, gold) -> bool:
    return any(article == gold.article_id and start < q_end and q_start < end
               for article, start, end in places for q_start, q_end in gold.quote_spans)


def _run_apart(job, *args):
    """``job(*args)`` in a fresh process: each side of a comparison starts clean, nothing of the other's
    (or of the ingest before it: torch, spaCy, their thread pools and heap) in its way."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as apart:
        return apart.submit(job, *args).result()


def _txtai_side(model_path: str, texts: list[tuple[int, str]], asked: list[str]) -> tuple[float, list, list]:
    """Build time, query times and the top text id of each question, for txtai in this process."""
    from txtai import Embeddings

    start = time.perf_counter()
    tx = Embeddings(path=model_path)
    tx.index([(text_id, text, None) for text_id, text in texts])
    build_s = time.perf_counter() - start
    tx.search(asked[0], 1)
    times, top = [], []
    for question in asked:
        start = time.perf_counter()
        found = tx.search(question, 1)
        times.append(time.perf_counter() - start)
        top.append(int(found[0][0]) if found else None)
    return build_s, times, top


def _our_side(db: str, asked: list[str]) -> tuple[list, list, list[str]]:
    """Query times and the top text id of each question, from a process that only answers, as the bot's
    does (so it never imports torch or spaCy: the modules it did load are returned to show it)."""
    index = NewsIndex(db)
    index.ask(asked[0])
    times, top = [], []
    for question in asked:
        start = time.perf_counter()
        answers = index.ask(question, k=1).answers
        times.append(time.perf_counter() - start)
        top.append(index.store.sentence(answers[0].sentence_id).text_id if answers else None)
    index.close()
    return times, top, sorted(name for name in ("torch", "spacy") if name in sys.modules)


def bench_txtai(index: NewsIndex, ingest_s: float, limit: int | None) -> None:
    places = places_by_text(index)
    indexed = {a for p in places.values() for a, _, _ in p}
    gold = [g for g in strict_who_said() if g.article_id in indexed][:limit]
    asked = [g.question for g in gold]
    texts = index.store.db.execute("SELECT id, text FROM texts ORDER BY id").fetchall()
    tx_build, tx_times, tx_top = _run_apart(_txtai_side, index.embedder.model_path, texts, asked)
    our_times, our_top, loaded = _run_apart(_our_side, str(index.store.db_path), asked)
    if loaded:
        raise RuntimeError(f"the answering process loaded {', '.join(loaded)}; the bot's does not")
    tx_hits, our_hits = ([is_hit(places.get(t, []), g) for t, g in zip(top, gold) if t is not None]
                         for top in (tx_top, our_top))
    row(f"Index build vs txtai, {len(texts):,} unique sentences (s)", f"{ingest_s:.1f} (whole ingest from files)",
        f"{tx_build:.1f} (txtai index of the split sentences)", f"{tx_build / ingest_s:.2f}×")
    p50, tx_p50 = pct(our_times, 50), pct(tx_times, 50)
    row("Query p50 vs txtai, each in a fresh process (ms)", f"{p50:.1f} (answer with speaker and source)",
        f"{tx_p50:.1f} (txtai search: ids)", f"{tx_p50 / p50:.2f}× faster (target ≥ 2×)")
    row(f"hit@1, PolNeAR strict who-said ({len(gold)} q)", f"{sum(our_hits) / len(gold):.3f}",
        f"{sum(tx_hits) / len(gold):.3f} (txtai)", "equal or better" if sum(our_hits) >= sum(tx_hits) else "WORSE")


# -- 3. latency at size ----------------------------------------------------

def bench_size(index: NewsIndex, size: int, asked: list[str]) -> None:
    start = time.perf_counter()
    fill_to(index.store, size)
    fill_s = time.perf_counter() - start
    store = index.store
    ann_p = timed_asks(index, asked)
    min_rows, store.ann.min_rows = store.ann.min_rows, 1 << 62
    exact_p = timed_asks(index, asked)
    store.ann.min_rows = min_rows
    recall = []
    if store.text_count() >= min_rows:
        matrix = store.vectors.matrix(store.text_count())
        for question in asked:
            query = index.embedder.encode_query(clean_question(question))
            truth = {r for r, _ in exact_search(matrix, query, 10)}
            recall.append(len(truth & {r for r, _ in dense_search(store, query, 10)}) / 10)
    path = "ANN" if store.text_count() >= min_rows else "exact"
    target = {100_000: " (target p95 ≤ 25)", 1_000_000: " (target p95 ≤ 50)"}.get(size, "")
    rec = f"; recall@10 {np.mean(recall):.3f}" if recall else ""
    row(f"Query p50 / p95 at {store.text_count():,} sentences (ms)",
        f"{pct(ann_p, 50):.1f} / {pct(ann_p, 95):.1f} ({path})",
        f"{pct(exact_p, 50):.1f} / {pct(exact_p, 95):.1f} (exact scan)", f"{len(asked)} questions{target}{rec}; "
        f"filled in {fill_s:.0f} s")


_EVICT = """
import os, sys
for path in sys.argv[1:]:
    fd = os.open(path, os.O_RDONLY)
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    os.close(fd)
"""


def drop_from_page_cache(db: Path) -> None:
    """Evict the index files (database, WAL, vectors, graph) from this machine's page cache, so a probe
    reads them from the disk as after a reboot: start-up then no longer depends on what the kernel's
    reclaim happened to keep (this VM's varied from 3.5 to 21.6 s between runs).  A host-side disk cache
    may still serve some reads.

    Done in another process: closing any descriptor of a database file drops every POSIX lock this
    process holds on it, including the WAL read lock of the bench's own open connection, and a writer
    may then overwrite pages that connection still reads ("database disk image is malformed").
    """
    subprocess.run([sys.executable, "-c", _EVICT, *map(str, db.parent.glob(db.stem + "*"))], check=True)


def bench_process(db: Path, rows: int) -> None:
    def probe(backend: str, search: str, cold: bool) -> dict:
        if cold:
            drop_from_page_cache(db)
        out = subprocess.run([sys.executable, str(HERE / "probe.py"), str(db), backend, search, "200"],
                             capture_output=True, text=True, check=True)
        return json.loads(out.stdout.strip().splitlines()[-1])

    ours, base = probe("auto", "ann", cold=True), probe("torch", "exact", cold=True)
    warm, warm_base = probe("auto", "ann", cold=False), probe("torch", "exact", cold=False)
    row(f"Resident memory at {rows:,} sentences, model excluded (bytes/sentence)",
        f"{warm['rss_bytes_per_sentence']:,.0f}", f"{warm_base['rss_bytes_per_sentence']:,.0f} (torch + exact scan)",
        "target ≤ 2,048")
    row(f"Start-up to first answer at {rows:,} sentences, index files cold (s)", f"{ours['startup_s']:.1f}",
        f"{base['startup_s']:.1f} (torch + exact scan)", "target ≤ 10")
    row(f"Start-up to first answer at {rows:,} sentences, index files in page cache (s)",
        f"{warm['startup_s']:.1f}", f"{warm_base['startup_s']:.1f} (torch + exact scan)", "target ≤ 10")


# -- 4. queries during an ingest -------------------------------------------

def _ingest_job(db: str, source: str) -> None:
    index = NewsIndex(db)
    index.ingest([source])
    index.close()


def bench_concurrent(index: NewsIndex, work: Path, asked: list[str], articles: int | None) -> None:
    idle = timed_asks(index, asked)
    source = rewritten_copy(POLNEAR / "articles.jsonl", work / "concurrent.jsonl", 99, reverse_words=True)
    if articles:
        lines = source.read_text().splitlines()[:articles]
        source.write_text("\n".join(lines) + "\n")
    before = index.store.text_count()
    job = multiprocessing.get_context("spawn").Process(target=_ingest_job, args=(str(index.store.db_path),
                                                                                  str(source)))
    job.start()
    while index.store.text_count() == before and job.is_alive():  # wait for its first commit
        time.sleep(0.05)
    busy: list[float] = []
    while job.is_alive() or len(busy) < len(asked):
        busy += timed_asks(index, asked[:50])
    job.join()
    added = index.store.text_count() - before
    row(f"Query p95 during a concurrent ingest (ms), {index.store.text_count():,} sentences",
        f"{pct(busy, 95):.1f} ({len(busy)} queries)", f"{pct(idle, 95):.1f} (idle)",
        f"other process added {added:,} sentences; WAL readers never blocked")


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
               platform.processor())
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    # The libraries whose versions move the figures: spaCy 3.8.7+ parses 2-3x slower than 3.8.6 here.
    libraries = ", ".join(f"{name} {version(name)}" for name in ("spacy", "torch", "onnxruntime", "openvino"))
    return (f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB RAM, Python {platform.python_version()}, "
            f"{platform.system()}; {libraries}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small corpus and sizes: a smoke run")
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=None,
                        help="index sizes for latency, comma-separated (default 10000,100000,1000000)")
    parser.add_argument("--questions", type=int, default=None, help="questions per latency figure (default 500)")
    parser.add_argument("--workdir", type=Path, default=None, help="where the indexes go (default: a temp dir)")
    parser.add_argument("--write", action="store_true", help="also write benchmarks/RESULTS.md")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    for noisy in ("index", "sentence_transformers", "txtai", "httpx", "faiss"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    sizes = args.sizes or ([10_000, 30_000] if args.quick else [10_000, 100_000, 1_000_000])
    n_questions = args.questions or (50 if args.quick else 500)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="newsbot-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    started, load_start = time.perf_counter(), os.getloadavg()[0]

    sources = corpus_sources()
    if args.quick:  # the seed article and the first 20 PolNeAR articles
        subset = work / "polnear-subset.jsonl"
        subset.write_text("".join((POLNEAR / "articles.jsonl").read_text().splitlines(keepends=True)[:20]))
        sources = [sources[0], str(subset)]
    embedder = Embedder()
    index, ingest_s = bench_ingest(work, sources, embedder, copies=1)
    bench_txtai(index, ingest_s, limit=60 if args.quick else None)
    asked = questions(n_questions)
    for size in sizes:
        bench_size(index, size, asked)
    bench_process(index.store.db_path, index.store.text_count())
    bench_concurrent(index, work, asked, articles=10 if args.quick else None)
    index.close()

    table = ["| Measure | newsbot | Baseline (same run) | Ratio / target |", "|---|---|---|---|"]
    table += [f"| {' | '.join(r)} |" for r in ROWS]
    header = (f"Measured {time.strftime('%Y-%m-%d')} on {machine()}; "
              f"`benchmarks/run.py{' --quick' if args.quick else ''}` took {time.perf_counter() - started:.0f} s; "
              f"1-minute load average {load_start:.1f} at start, {os.getloadavg()[0]:.1f} at end "
              f"(other processes share these cores).")
    print("\n" + header + "\n\n" + "\n".join(table))
    if args.write:
        results = HERE / "RESULTS.md"
        notes = results.read_text().split("<!-- table -->")[-1] if results.exists() else "\n"
        results.write_text("## Speed\n\n" + header + "\n\n" + "\n".join(table) + "\n\n<!-- table -->" + notes)


if __name__ == "__main__":
    main()
