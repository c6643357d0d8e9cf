"""A fresh serving process: seconds to first answer, then resident memory per sentence.

Run by run.py as ``probe.py DB BACKEND SEARCH N``; prints one JSON line.
Start-up counts from the process' creation (psutil) to the first answer.
Memory is the RSS growth after the model is loaded and has run once (so the
model is excluded), over opening the index and answering ``N`` questions.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    db, backend, search, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    from corpus import questions
    from index.embed import Embedder
    from index.engine import NewsIndex

    process = psutil.Process()
    asked = questions(n + 1)
    embedder = Embedder(backend=backend)
    embedder.encode_query("warm the model up once")
    rss_model = process.memory_info().rss
    index = NewsIndex(db, embedder=embedder)
    if search == "exact":
        index.store.ann.min_rows = 1 << 62
    first = index.ask(asked[0])
    startup = time.time() - process.create_time()
    for question in asked[1:]:
        index.ask(question)
    rows = index.store.text_count()
    grown = process.memory_info().rss - rss_model
    print(json.dumps({"startup_s": startup, "rss_bytes_per_sentence": grown / rows, "rows": rows,
                      "answered": bool(first.answers)}))


if __name__ == "__main__":
    main()
