"""``newsbot eval``: the bot's ranking measured on public sets, next to dense-only and keyword-only.

Data sets live in a folder laid out as ``shared/eval`` (see its README):
``trecqa/`` and ``wikiqa/`` hold ``{split}.jsonl`` candidate lists;
``polnear/`` holds ``articles.jsonl`` and ``attributions.jsonl``.  A folder of
either layout given by path works the same way.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..embed import Embedder
from ..engine import NewsIndex
from ..errors import NewsbotError
from .abstention import calibrate, evaluate_abstention, top_confidences
from .attribution import SUBSETS, evaluate_who_said, questions
from .selection import evaluate_selection

DATASETS = ("trecqa", "wikiqa", *SUBSETS, "abstention")


class DatasetError(NewsbotError):
    """A data set that is not there or not in a known layout."""


def _jsonl(path: Path) -> list[dict]:
    if not path.is_file():
        raise DatasetError(f"{path} not found")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _folder(data: Path, name: str) -> Path:
    folder = data / name
    if not folder.is_dir():
        raise DatasetError(f"no data set {name!r} in {data}")
    return folder


def _ingested(articles: Path, embedder: Embedder, db: Path) -> NewsIndex:
    """The index at ``db`` holding every article of a JSON Lines file (ingest skips those already there)."""
    index = NewsIndex(db, embedder=embedder)
    report = index.ingest([str(articles)])
    if report.failed:
        index.close()
        raise DatasetError(f"ingest of {articles} failed: {'; '.join(report.errors[:3])}")
    return index


def _polnear_index(folder: Path, embedder: Embedder, db: Path) -> NewsIndex:
    """An index of every PolNeAR article (when ``db`` is reused, only what it lacks is read)."""
    return _ingested(folder / "articles.jsonl", embedder, db)


def locate(dataset: str, data: Path) -> tuple[str, str, Path]:
    """(name, kind, folder) of a data set given by name or by path; fails before any model loads."""
    path = Path(dataset)
    if path.is_dir():
        data, name = path.parent, path.name
    else:
        name = dataset
    folder = _folder(data, "polnear" if name in SUBSETS or name == "abstention" else name)
    if name in DATASETS:
        kind = name
    else:
        kind = "polnear" if (folder / "articles.jsonl").exists() else "selection"
    if kind == "abstention":
        _folder(data, "trecqa")
    return name, kind, folder


def evaluate(dataset: str, split: str, data: Path, embedder: Embedder, index_db: Path | None = None) -> dict:
    """Run one evaluation; returns {"dataset", "split", "questions", "methods": {...}}."""
    name, kind, folder = locate(dataset, data)
    if kind in ("trecqa", "wikiqa", "selection"):
        result = evaluate_selection(_jsonl(folder / f"{split}.jsonl"), embedder)
        return {"dataset": name, "split": split, **result}
    with _polnear_opened(folder, embedder, index_db) as index:
        if kind == "abstention":
            result = evaluate_abstention(index, *_abstention_questions(folder, split))
        else:
            articles = {a["id"]: a for a in _jsonl(folder / "articles.jsonl")}
            subset = kind if kind in SUBSETS else "polnear"
            records = questions(_jsonl(folder / "attributions.jsonl"), subset, split)
            result = evaluate_who_said(index, records, articles)
    return {"dataset": name, "split": split, **result}


def calibration(split: str, data: Path, embedder: Embedder, index_db: Path | None = None) -> dict:
    """The "not found" sweep: {"split", "unanswerable", "answerable", "paraphrases", "pairs": best first}.

    Three kinds of question, each asked of an index: TrecQA's questions of the PolNeAR index, which
    cannot answer them; PolNeAR's strict who-said questions of the same index, which quote their
    answer; and the TrecQA questions that have an answer sentence, asked of an index of their own
    candidate sentences, where they paraphrase it.  On dev, TrecQA's train questions join dev's: they
    are not test data either, and dev's 82 alone make each question 1.2 %."""
    _, _, folder = locate("abstention", data)
    trecqa = [row for s in (("train", "dev") if split == "dev" else (split,)) for row in _trecqa(folder, s)]
    unanswerable, answerable = [r["question"] for r in trecqa], _answerable(folder, split)
    with _polnear_opened(folder, embedder, index_db) as index:
        refused, answered = top_confidences(index, unanswerable), top_confidences(index, answerable)
    with tempfile.TemporaryDirectory(prefix="newsbot-calibrate-") as tmp:
        paraphrased = [r for r in trecqa if r["gold"]]
        index = _candidates_index(paraphrased, embedder, Path(tmp))
        try:
            paraphrases = top_confidences(index, [r["question"] for r in paraphrased])
        finally:
            index.close()
    return {"split": split, "unanswerable": len(unanswerable), "answerable": len(answerable),
            "paraphrases": len(paraphrases), "pairs": calibrate(refused, answered, paraphrases)}


def _candidates_index(rows: list[dict], embedder: Embedder, folder: Path) -> NewsIndex:
    """An index of answer-sentence selection data: each question's candidate sentences as one article."""
    articles = folder / "candidates.jsonl"
    articles.write_text("".join(json.dumps({"id": r["id"], "title": r["question"], "text": "\n".join(r["candidates"])})
                                + "\n" for r in rows), encoding="utf-8")
    return _ingested(articles, embedder, folder / "candidates.db")


def _abstention_questions(folder: Path, split: str) -> tuple[list[str], list[str]]:
    """(unanswerable, answerable): TrecQA's questions, and PolNeAR's strict who-said questions."""
    return [r["question"] for r in _trecqa(folder, split)], _answerable(folder, split)


def _trecqa(polnear: Path, split: str) -> list[dict]:
    """TrecQA's records of one split, from the folder beside PolNeAR's."""
    return _jsonl(polnear.parent / "trecqa" / f"{split}.jsonl")


def _answerable(folder: Path, split: str) -> list[str]:
    return [q["ask"] for q in questions(_jsonl(folder / "attributions.jsonl"), "polnear", split)]


@contextmanager
def _polnear_opened(folder: Path, embedder: Embedder, index_db: Path | None) -> Iterator[NewsIndex]:
    """The PolNeAR index at ``index_db`` (built there once), or in a temporary folder for this run."""
    with tempfile.TemporaryDirectory(prefix="newsbot-eval-") as tmp:
        index = _polnear_index(folder, embedder, index_db or Path(tmp) / "polnear.db")
        try:
            yield index
        finally:
            index.close()
