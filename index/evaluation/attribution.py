"""Who said it, over a whole news index (PolNeAR): did the bot find the quote's sentence, and its speaker?

All 168 articles go into one index, so every question competes with every
sentence.  A hit is a returned sentence (or another outlet's identical copy)
that overlaps the annotated quote or stands in one of its sentences.  The
dense and keyword baselines get the same attribution, so their speaker
accuracy differs from the bot's only by what they retrieve.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..answer import build_answers
from ..engine import NewsIndex
from ..hybrid import fts_query
from ..retrieve import retrieve
from ..search import dense_search
from .metrics import mean, reciprocal_rank, speaker_matches

DEPTH = 50  # ranks looked at for MRR; a quote found lower counts as missed

SUBSETS = {
    "polnear": "strict: direct quotes whose annotated speaker holds a name",
    "polnear-broad": "broad: every attribution with a resolved speaker (span or CoreNLP coreference)",
    "polnear-pronoun": "the broad set's attributions whose speaker is written as a pronoun",
}


def questions(attributions: Sequence[dict], subset: str, split: str) -> list[dict]:
    """(question, gold) records of one subset; non-direct quotes are asked with the same template."""
    out = []
    for a in attributions:
        if a["split"] != split:
            continue
        if subset == "polnear":
            keep, gold = a["quote_type"] == "direct" and a["speaker_name"], a["speaker_name"]
        elif subset == "polnear-broad":
            keep, gold = bool(a["speaker_resolved"]), a["speaker_resolved"]
        else:
            keep, gold = a["speaker_is_pronoun"] and a["speaker_resolved"], a["speaker_resolved"]
        if keep:
            out.append({**a, "ask": a["question"] or f"Who said {a['quote']}?", "gold_speaker": gold})
    return out


def gold_ranges(record: dict, article: dict) -> list[tuple[int, int]]:
    spans = [tuple(s) for s in record["quote_spans"]]
    sentence_spans = article.get("sentence_spans") or []
    spans += [tuple(sentence_spans[i]) for i in record.get("quote_sentences") or [] if i < len(sentence_spans)]
    return spans


def hits(index: NewsIndex, ranked: Sequence[tuple[int, float]], article_id: str,
         ranges: Sequence[tuple[int, int]]) -> list[bool]:
    """For each ranked text: does it, in any of the places it stands, overlap the gold quote?"""
    places = index.store.sentences_for_texts([text_id for text_id, _ in ranked])
    return [any(p.source.article_id == article_id and any(p.start < e and b < p.end for b, e in ranges)
                for p in places.get(text_id, [])) for text_id, _ in ranked]


def evaluate_who_said(index: NewsIndex, records: Sequence[dict], articles: dict[str, dict]) -> dict:
    store, embedder = index.store, index.embedder
    methods: dict[str, Callable[[str], list[tuple[int, float]]]] = {
        "newsbot": lambda q: retrieve(store, embedder, q).ranked[:DEPTH],
        "dense": lambda q: dense_search(store, embedder.encode_query(q), DEPTH),
        "keyword": lambda q: store.keyword_search(m, DEPTH) if (m := fts_query(q)) else [],
    }
    results = {}
    for name, rank in methods.items():
        h1, h5, rr, spk = [], [], [], []
        for record in records:
            ranked = rank(record["ask"])
            ranges = gold_ranges(record, articles[record["article_id"]])
            found = hits(index, ranked, record["article_id"], ranges)
            answers = build_answers(store, ranked[:1], 1)
            h1.append(float(any(found[:1])))
            h5.append(float(any(found[:5])))
            rr.append(reciprocal_rank(found))
            spk.append(float(bool(answers) and speaker_matches(answers[0].speaker, record["gold_speaker"])))
        results[name] = {"hit@1": mean(h1), "hit@5": mean(h5), "mrr": mean(rr), "speaker_accuracy": mean(spk)}
    return {"questions": len(records), "methods": results}
