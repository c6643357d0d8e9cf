"""Plain records that travel between the steps of the pipeline.

They are frozen dataclasses so a step can hand them on without fearing that a
later step mutates what an earlier one stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Article:
    """One article as extracted from a source, before splitting.

    ``text`` is exactly what line numbers and offsets refer to: for a plain
    text file it is the whole file as read, for JSON Lines the record's
    ``text``, for HTML the extracted body.  ``skip_spans`` are ``(start, end)``
    character ranges of page furniture (bylines, datelines, "Read more: ...")
    that must never become answerable sentences.
    """

    text: str
    source_id: str | None = None
    title: str | None = None
    outlet: str | None = None
    author: str | None = None
    url: str | None = None
    published: str | None = None
    path: str | None = None
    skip_spans: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Sentence:
    """A sentence with where it stands: ``text == article.text[start:end]``."""

    ordinal: int
    line: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Quote:
    """Who said what, found at ingest: a quotation or reported speech and its speaker.

    ``speaker`` is the named person or organisation when the article names
    one (a pronoun or a title resolved to it), else the phrase as written
    ("a campaign aide"), else None.  ``mention`` is the speaker as written in
    the cue clause.  ``first``..``last`` are the ordinals of the sentences the
    quote spans; ``line`` is the line of the first.  ``act`` is "speech" for
    something said or written, "stance" for a position held ("he wants ...",
    "she opposed ..."): a stance names who, but is not what anyone said.
    """

    speaker: str | None
    mention: str
    cue: str
    text: str
    kind: str  # "direct" (all quoted), "mixed" (partly quoted) or "indirect" (reported)
    first: int
    last: int
    line: int
    resolved_by: str  # "name", "pronoun", "title", "continuation" or "none"
    act: str = "speech"  # "speech" or "stance"


@dataclass(frozen=True)
class SourceRef:
    """Where a quote stands: enough to print a source line or a link."""

    article_id: str
    title: str | None
    outlet: str | None
    published: str | None
    url: str | None
    path: str | None
    line: int

    def to_dict(self) -> dict:
        return {
            "article_id": self.article_id,
            "title": self.title,
            "outlet": self.outlet,
            "published": self.published,
            "url": self.url,
            "path": self.path,
            "line": self.line,
        }


@dataclass(frozen=True)
class Answer:
    """One quote that answers a question, with every place it was reported."""

    quote: str
    speaker: str | None
    score: float
    source: SourceRef
    sentence_id: int
    also_in: tuple[SourceRef, ...] = ()

    def to_dict(self) -> dict:
        return {
            "quote": self.quote,
            "speaker": self.speaker,
            "score": round(float(self.score), 4),
            "source": self.source.to_dict(),
        }


@dataclass(frozen=True)
class AnswerSet:
    """What ``ask`` returns: the answers, or an honest abstention."""

    question: str
    answers: tuple[Answer, ...] = ()
    abstained: bool = False

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "abstained": self.abstained,
            "answers": [a.to_dict() for a in self.answers],
        }


@dataclass
class IngestReport:
    """Counts of one ingest run, for the summary line and for ``/add``."""

    added: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0
    sentences: int = 0
    embedded: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.added} added, {self.updated} updated, {self.skipped} skipped, "
            f"{self.failed} failed; {self.sentences} sentences "
            f"({self.embedded} embedded) in {self.seconds:.1f}s"
        )
