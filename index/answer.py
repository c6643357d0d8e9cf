"""From ranked sentence texts to answers: the quote, who said it, where it stands.

The speaker is the one of the quote record the sentence stands in (found at
ingest), from the main source or, failing that, from another outlet's copy.

A text carried by several articles (wire copy) becomes one answer whose
``also_in`` lists the other places; the newest article is the main source.
"""

from __future__ import annotations

from collections.abc import Sequence

from .models import Answer
from .store import Store


def build_answers(store: Store, ranked: Sequence[tuple[int, float]], k: int) -> list[Answer]:
    by_text = store.sentences_for_texts([text_id for text_id, _ in ranked])
    answers: list[Answer] = []
    wanted = [text_id for text_id, _ in ranked if by_text.get(text_id)][:k]
    covering = store.quotes_covering([p for text_id in wanted for p in by_text[text_id]])
    for text_id, score in ranked:
        places = by_text.get(text_id)
        if not places:  # a text whose article was replaced; its vector row stays unused
            continue
        first = places[0]
        speaker = next((covering[p.id].speaker for p in places if p.id in covering and covering[p.id].speaker), None)
        answers.append(Answer(
            quote=first.text,
            speaker=speaker,
            score=score,
            source=first.source,
            sentence_id=first.id,
            also_in=tuple(p.source for p in places[1:]),
        ))
        if len(answers) == k:
            break
    return answers
