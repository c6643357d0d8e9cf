"""The benchmark's material, read in place from ../shared (never copied into the repo).

Corpus: the seed news folder and PolNeAR's 168 articles.  Questions: the
PolNeAR "Who said <quote>?" templates; the strict set (direct quote, named
speaker) with its gold spans for hit@1.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared"
NEWS_DIR = SHARED / "news"
POLNEAR = SHARED / "eval" / "polnear"


@dataclass(frozen=True)
class WhoSaid:
    question: str
    article_id: str
    quote_spans: tuple[tuple[int, int], ...]


def corpus_sources() -> list[str]:
    missing = [p for p in (NEWS_DIR, POLNEAR / "articles.jsonl") if not p.exists()]
    if missing:
        raise SystemExit(f"benchmark material not found: {', '.join(map(str, missing))}")
    return [str(NEWS_DIR), str(POLNEAR / "articles.jsonl")]


def strict_who_said() -> list[WhoSaid]:
    """quote_type == direct and speaker_name not null (README of shared/eval)."""
    out = []
    with open(POLNEAR / "attributions.jsonl", encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            if record["quote_type"] == "direct" and record["speaker_name"] and record["question"]:
                out.append(WhoSaid(record["question"], record["article_id"],
                                   tuple(tuple(span) for span in record["quote_spans"])))
    return out


def questions(n: int) -> list[str]:
    """``n`` questions: every PolNeAR direct-quote question, then the indirect quotes asked the same way."""
    asked: list[str] = []
    with open(POLNEAR / "attributions.jsonl", encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh]
    asked += [r["question"] for r in records if r["question"]]
    asked += [f"Who said {r['quote']}?" for r in records if not r["question"]]
    return asked[:n]


def rewritten_copy(source: Path, target: Path, copy: int, reverse_words: bool) -> Path:
    """The JSON Lines articles of ``source`` under new ids, each article led by one new line (so it is new content, its other
    sentences known: syndicated copy); with ``reverse_words`` every line's words reversed instead,
    so every sentence is new."""
    with open(source, encoding="utf-8") as src, open(target, "w", encoding="utf-8") as out:
        for line in src:
            record = json.loads(line)
            record["id"] = f"{record['id']}-copy{copy}"
            if reverse_words:
                record["text"] = "\n".join(" ".join(reversed(row.split())) for row in record["text"].split("\n"))
            else:
                record["text"] = f"Syndicated copy {copy} of {record['id']}.\n\n{record['text']}"
            out.write(json.dumps(record) + "\n")
    return target
