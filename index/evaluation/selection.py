"""Answer-sentence selection (TrecQA, WikiQA): rank each question's candidates, report MAP and MRR.

Each question's candidates become a small index of their own, stored and
attributed exactly as ingest stores an article, so the bot's ranking runs on
them unchanged (its BM25 statistics are those of the candidate list, as in
the published lexical baselines).  Only the clean questions count: at least
one right and one wrong candidate.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from ..attribute import attribute_quotes
from ..embed import Embedder
from ..hybrid import fts_query
from ..models import Article, Sentence
from ..retrieve import retrieve
from ..search import dense_search
from ..split import line_starts
from ..store import Store, text_hash
from .metrics import average_precision, mean, reciprocal_rank


def candidate_store(folder: Path, embedder: Embedder, candidates: Sequence[str]) -> tuple[Store, dict[int, list[int]]]:
    """An index holding the candidates as the sentences of one article; text id → candidate indices."""
    text = "\n".join(" ".join(c.split()) or "-" for c in candidates)
    starts = line_starts(text)
    sentences = [Sentence(ordinal=i, line=i + 1, start=starts[i], end=starts[i] + len(line), text=line)
                 for i, line in enumerate(text.split("\n"))]
    store = Store(folder / "candidates.db", embedder.name, embedder.dim)
    new_texts = {text_hash(s.text): s.text for s in sentences}
    with store.writer():
        store.save_article(key="candidates", article=Article(text=text, source_id="candidates"),
                           chash="candidates", source=("candidates", "file"), sentences=sentences,
                           quotes=attribute_quotes(text, sentences), new_texts=new_texts,
                           new_vectors=embedder.encode(list(new_texts.values())), replace_rowid=None)
    ids = store.known_text_ids(new_texts)
    by_text: dict[int, list[int]] = {}
    for s in sentences:
        by_text.setdefault(ids[text_hash(s.text)], []).append(s.ordinal)
    return store, by_text


def _ranking(ranked: Sequence[int], by_text: dict[int, list[int]], n: int) -> list[int]:
    """Candidate indices in ranked order; those a method did not return follow in list order."""
    order = [i for text_id in ranked for i in by_text.get(text_id, [])]
    seen = set(order)
    return order + [i for i in range(n) if i not in seen]


def evaluate_selection(records: Sequence[dict], embedder: Embedder) -> dict:
    clean = [r for r in records if r.get("clean")]
    scores: dict[str, dict[str, list[float]]] = {m: {"map": [], "mrr": []} for m in ("newsbot", "dense", "keyword")}
    for record in clean:
        n = len(record["candidates"])
        gold = set(record["gold"])
        with tempfile.TemporaryDirectory(prefix="newsbot-eval-") as tmp:
            store, by_text = candidate_store(Path(tmp), embedder, record["candidates"])
            try:
                question = record["question"]
                match = fts_query(question)
                rankings = {
                    "newsbot": [t for t, _ in retrieve(store, embedder, question, pool_size=n).ranked],
                    "dense": [t for t, _ in dense_search(store, embedder.encode_query(question), n)],
                    "keyword": [t for t, _ in store.keyword_search(match, n)] if match else [],
                }
            finally:
                store.close()
        for method, ranked in rankings.items():
            order = _ranking(ranked, by_text, n)
            scores[method]["map"].append(average_precision(order, gold))
            scores[method]["mrr"].append(reciprocal_rank([i in gold for i in order]))
    return {"questions": len(clean),
            "methods": {m: {k: mean(v) for k, v in s.items()} for m, s in scores.items()}}
