"""The bot's whole ranking: hybrid first stage, question-aware second stage, speaker filter.

One function, used by ``NewsIndex.ask`` and by the evaluation alike, so the
numbers measured are the numbers users get.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .embed import Embedder
from .hybrid import keyword_match, phrase_match, pool, search_words
from .rerank import read_question, rerank
from .store import Store

# Candidates each first-stage search brings; the reranker sees their union.  On the PolNeAR dev sets 25
# gave every figure 50 gave but one (pronoun MRR over the top 50, 0.934 -> 0.933), and the texts, flags,
# second stage and ANN candidates of half the pool save about 0.3 ms a question.
POOL_SIZE = 25

_NOT_A_NAME = {"mr", "mrs", "ms", "dr", "president", "senator", "sen", "governor", "gov", "secretary", "minister",
               "prime", "the", "rep", "former", "chancellor", "mayor", "general", "leader", "chief"}


def speaker_key(speaker: str) -> str | None:
    """The word a speaker is filed under: the surname ("President Trump" → "trump")."""
    words = [w for w in re.findall(r"[\w'’-]+", speaker.lower()) if w not in _NOT_A_NAME]
    return re.sub(r"(?:'s|’s)$", "", words[-1]) if words else None


@dataclass(frozen=True)
class Retrieval:
    """The ranking, and what was searched for (Y alone in "what did X say about Y")."""

    query_text: str
    ranked: list[tuple[int, float]]
    texts: dict[int, str]  # the text of every ranked id
    cosines: dict[int, float]  # the question's cosine to every ranked id, for confidence
    # (texts in the index, how many hold each of ``search_words(query_text)``): the keyword match's choice
    # of words and confidence's rarity weights, read once.
    term_counts: tuple[int, dict[str, int]]
    verbatim: frozenset[int] = frozenset()  # ranked ids that hold a "who said" question's quote word for word


def retrieve(store: Store, embedder: Embedder, question: str, pool_size: int = POOL_SIZE) -> Retrieval:
    """(text_id, score) best first.  "What did X say about Y" ranks only the sentences X is quoted in
    (none when X is never quoted) by Y."""
    intent = read_question(question)
    only = None
    query_text = question
    if intent.kind == "said_about":
        key = speaker_key(intent.speaker or "")
        only = store.texts_quoting([key]) if key else []
        if not only:
            return Retrieval(question, [], {}, {}, (0, {}))
        query_text = intent.topic or question
    query = embedder.encode_query(query_text)
    words = search_words(query_text)
    term_counts = store.term_counts(words)
    phrases = phrase_match(intent.quote) if intent.quote else None
    verbatim = frozenset(t for t, _ in store.keyword_search(phrases, pool_size)) if phrases else frozenset()
    candidates = pool(store, query, keyword_match(words, term_counts[1]), pool_size, only=only, extra=sorted(verbatim))
    texts = store.texts_of([c.text_id for c in candidates])
    candidates = [c for c in candidates if c.text_id in texts]
    ranked = rerank(intent, query_text, candidates, texts, store.attributed_texts(list(texts)), verbatim)
    return Retrieval(query_text, ranked, texts, {c.text_id: c.dense for c in candidates}, term_counts,
                     frozenset(t for t in verbatim if t in texts))
