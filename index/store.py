"""SQLite storage of sources, articles, sentences and the vector file.

All SQL lives here.  Writes of one article happen in one transaction after its
new vectors are durable on disk, so an interrupted ingest leaves the index as
it was before that article.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from sqlite_utils import Database

from .ann import ANN_MIN_ROWS, AnnIndex
from .errors import IndexBusyError, IndexMismatchError
from .models import Article, Quote, Sentence, SourceRef
from .reading import READING_VERSION
from .schema import migrations
from .terms import Terms
from .vectors import VectorFile

logger = logging.getLogger(__name__)


def text_hash(text: str) -> str:
    """Identity of a sentence text: the same words from two outlets share one vector."""
    return hashlib.sha1(" ".join(text.split()).encode("utf-8")).hexdigest()


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class StoredSentence:
    """A sentence row joined with its article, as search returns it."""

    id: int
    text_id: int
    ordinal: int
    line: int
    start: int
    end: int
    text: str
    article_rowid: int
    source: SourceRef


@dataclass(frozen=True)
class StoredQuote:
    speaker: str | None
    mention: str
    cue: str
    kind: str
    resolved_by: str
    first: int
    last: int
    act: str


_SENTENCE_SELECT = """
    SELECT s.id, s.text_id, s.ordinal, s.line, s.start, s."end", s.text, a.id,
           a.article_id, a.title, a.outlet, a.published, a.url, a.path
    FROM sentences s JOIN articles a ON a.id = s.article_id
"""


_KIND_RANK = {"direct": 0, "mixed": 1, "indirect": 2}


def _preference(quote: StoredQuote) -> tuple:
    """Sort key of the quote records covering one sentence, best first: a stance only where no speech
    record names a speaker."""
    return (quote.speaker is None, quote.act != "speech", _KIND_RANK.get(quote.kind, 3), quote.resolved_by == "none",
            -quote.first)


def _row_to_sentence(row: Sequence) -> StoredSentence:
    return StoredSentence(
        id=row[0], text_id=row[1], ordinal=row[2], line=row[3], start=row[4], end=row[5],
        text=row[6], article_rowid=row[7],
        source=SourceRef(article_id=row[8], title=row[9], outlet=row[10], published=row[11],
                         url=row[12], path=row[13], line=row[3]),
    )


class Store:
    """One index: ``<name>.db`` plus ``<name>.vectors.f32`` and the ANN graph ``<name>.ann`` beside it."""

    def __init__(self, db_path: Path, model_name: str, dim: int, ann_min_rows: int = ANN_MIN_ROWS):
        self.db_path = Path(db_path)
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(self.db_path), check_same_thread=False, timeout=30)
        self.db = Database(conn)
        self._lock = threading.RLock()
        with self._lock, _opening(self.db_path):
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            migrations.apply(self.db)
            self._check_meta(model_name, dim)
        self.terms = Terms()
        self.vectors = VectorFile(self.db_path.with_suffix(".vectors.f32"), dim)
        self.ann = AnnIndex(self.db_path.with_suffix(".ann"), dim, ann_min_rows)
        self.dim = dim

    def _check_meta(self, model_name: str, dim: int) -> None:
        meta = dict(self.db.execute("SELECT key, value FROM meta").fetchall())
        if not meta:
            with self.db.conn:
                self.db["meta"].insert_all(
                    [{"key": "model", "value": model_name}, {"key": "dim", "value": str(dim)}])
            return
        if int(meta["dim"]) != dim or meta["model"] != model_name:
            raise IndexMismatchError(
                f"{self.db_path} was built with {meta['model']} ({meta['dim']} dims); "
                f"the loaded model is {model_name} ({dim} dims). Use another --db or the same model.")

    def close(self) -> None:
        self.db.conn.close()

    # -- writing ---------------------------------------------------------

    @contextmanager
    def writer(self) -> Iterator[None]:
        """Hold the single-writer lock; cut vector rows a crashed writer left behind, and merge the keyword
        index when the writing that ends without error added texts."""
        lock_path = self.db_path.with_suffix(".lock")
        with open(lock_path, "w") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise IndexBusyError(f"another ingest is running on {self.db_path}") from exc
            rows = self.text_count()
            self.vectors.truncate(rows)
            try:
                yield
                if self.text_count() > rows:
                    self.merge_keyword_index()
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One explicit transaction on the raw connection (sqlite-utils' ``execute`` autocommits)."""
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.rollback()
            raise
        conn.commit()

    def find_article(self, key: str, chash: str) -> tuple[int | None, bool]:
        """(rowid of the article with this key, whether this exact content is already stored with the sentences
        and quote records the current reading makes, ``READING_VERSION``)."""
        with self._lock:
            same = self.db.execute("SELECT 1 FROM articles WHERE content_hash = ? AND attributed >= ? LIMIT 1",
                                   [chash, READING_VERSION]).fetchone()
            row = self.db.execute("SELECT id FROM articles WHERE key = ?", [key]).fetchone()
        return (row[0] if row else None), same is not None

    def known_text_ids(self, hashes: Iterable[str]) -> dict[str, int]:
        hashes = list(set(hashes))
        found: dict[str, int] = {}
        with self._lock:
            for i in range(0, len(hashes), 500):
                chunk = hashes[i:i + 500]
                marks = ",".join("?" * len(chunk))
                found.update(self.db.execute(f"SELECT hash, id FROM texts WHERE hash IN ({marks})", chunk).fetchall())
        return found

    def text_count(self) -> int:
        with self._lock:
            row = self.db.execute("SELECT max(id) FROM texts").fetchone()
        return 0 if row[0] is None else row[0] + 1

    def save_article(self, *, key: str, article: Article, chash: str, source: tuple[str, str],
                     sentences: Sequence[Sentence], new_texts: dict[str, str],
                     new_vectors: np.ndarray, replace_rowid: int | None, quotes: Sequence[Quote] = ()) -> int:
        """Store one article atomically: vectors first (durable), then all rows in one transaction."""
        # Tokenized before the store lock and the write transaction: questions this store answers meanwhile
        # (the bot ingesting a feed) and writers in other processes wait on no tokenizer.
        new_terms = Counter(t for terms in self.terms.of(list(new_texts.values())) for t in terms)
        with self._lock:
            base = self.text_count()
            self.vectors.append(new_vectors, at_row=base)
            text_ids = self.known_text_ids(text_hash(s.text) for s in sentences)
            try:
                with self._transaction() as conn:
                    conn.execute("INSERT INTO sources(location, kind, last_ingested) VALUES (?, ?, ?) "
                                 "ON CONFLICT(location) DO UPDATE SET last_ingested = excluded.last_ingested",
                                 [source[0], source[1], _now()])
                    source_rowid = conn.execute("SELECT id FROM sources WHERE location = ?", [source[0]]).fetchone()[0]
                    for offset, (h, text) in enumerate(new_texts.items()):
                        conn.execute("INSERT INTO texts(id, hash, text) VALUES (?, ?, ?)", [base + offset, h, text])
                        text_ids[h] = base + offset
                    conn.executemany("INSERT INTO term_texts(term, texts) VALUES (?, ?) "
                                     "ON CONFLICT(term) DO UPDATE SET texts = texts + excluded.texts",
                                     new_terms.items())
                    if replace_rowid is not None:
                        conn.execute("DELETE FROM quotes WHERE article_id = ?", [replace_rowid])
                        conn.execute("DELETE FROM sentences WHERE article_id = ?", [replace_rowid])
                        conn.execute("DELETE FROM articles WHERE id = ?", [replace_rowid])
                    cur = conn.execute(
                        "INSERT INTO articles(source_id, key, article_id, title, outlet, author, url, published, "
                        "path, content_hash, ingested_at, sentence_count, attributed) "
                        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        [source_rowid, key, article.source_id or key, article.title, article.outlet,
                         article.author, article.url, article.published, article.path, chash, _now(),
                         len(sentences), READING_VERSION])
                    rowid = cur.lastrowid
                    spoken = _in_speech(quotes)
                    conn.executemany(
                        'INSERT INTO sentences(article_id, ordinal, line, start, "end", text_id, text, in_speech) '
                        "VALUES (?,?,?,?,?,?,?,?)",
                        [(rowid, s.ordinal, s.line, s.start, s.end, text_ids[text_hash(s.text)], s.text,
                          int(s.ordinal in spoken)) for s in sentences])
                    conn.executemany(
                        "INSERT INTO quotes(article_id, first_ordinal, last_ordinal, line, speaker, mention, cue, act, "
                        "kind, resolved_by, text) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                        [(rowid, q.first, q.last, q.line, q.speaker, q.mention, q.cue, q.act, q.kind, q.resolved_by,
                          q.text) for q in quotes])
            except BaseException:
                self.vectors.truncate(base)
                raise
        return rowid

    def merge_keyword_index(self) -> None:
        """Merge the full-text index into one segment, at the end of writing that added texts (``writer``).

        FTS5 writes each transaction's terms as a new segment and looks every searched word up in each
        segment: an index built one article at a time holds 9 segments at 6,500 sentences and 24 at a
        million, and keyword search took 0.25 and 0.7 ms a question longer than on one segment.  The merge
        rewrites the index (20 ms at 6,500 sentences, 1.2 s at a million) in one transaction on a
        connection of its own, so questions, which read in WAL mode, never wait on it, not even those
        this store answers meanwhile (the bot ingesting a feed).
        """
        conn = sqlite3.connect(str(self.db_path), timeout=30)
        try:
            with conn:
                conn.execute("INSERT INTO texts_fts(texts_fts) VALUES ('optimize')")
        finally:
            conn.close()

    # -- reading ---------------------------------------------------------

    def matrix(self) -> np.ndarray:
        return self.vectors.matrix(self.text_count())

    def sentences_for_texts(self, text_ids: Sequence[int]) -> dict[int, list[StoredSentence]]:
        """All sentences carrying each text, newest article first (wire copy in several outlets)."""
        if not text_ids:
            return {}
        marks = ",".join("?" * len(text_ids))
        with self._lock:
            rows = self.db.execute(
                _SENTENCE_SELECT + f" WHERE s.text_id IN ({marks}) ORDER BY a.published DESC, a.id",
                list(map(int, text_ids))).fetchall()
        out: dict[int, list[StoredSentence]] = {}
        for row in rows:
            out.setdefault(row[1], []).append(_row_to_sentence(row))
        return out

    def texts_of(self, text_ids: Sequence[int]) -> dict[int, str]:
        """The sentence text of each text id still standing in an article (a replaced article leaves its
        old texts' vector rows behind, unused)."""
        if not text_ids:
            return {}
        marks = ",".join("?" * len(text_ids))
        with self._lock:
            return dict(self.db.execute(
                f"SELECT t.id, t.text FROM texts t WHERE t.id IN ({marks}) "
                "AND EXISTS (SELECT 1 FROM sentences s WHERE s.text_id = t.id)", list(map(int, text_ids))).fetchall())

    def attributed_texts(self, text_ids: Sequence[int]) -> set[int]:
        """The texts that stand, somewhere, inside a speech record with a speaker."""
        if not text_ids:
            return set()
        marks = ",".join("?" * len(text_ids))
        with self._lock:
            rows = self.db.execute(f"SELECT DISTINCT text_id FROM sentences WHERE text_id IN ({marks}) AND in_speech",
                                   list(map(int, text_ids))).fetchall()
        return {r[0] for r in rows}

    def sentence(self, sentence_id: int) -> StoredSentence | None:
        with self._lock:
            row = self.db.execute(_SENTENCE_SELECT + " WHERE s.id = ?", [sentence_id]).fetchone()
        return _row_to_sentence(row) if row else None

    def neighbours(self, sentence: StoredSentence) -> tuple[StoredSentence | None, StoredSentence | None]:
        """The sentences just before and after, in the same article."""
        with self._lock:
            rows = self.db.execute(
                _SENTENCE_SELECT + " WHERE s.article_id = ? AND s.ordinal IN (?, ?)",
                [sentence.article_rowid, sentence.ordinal - 1, sentence.ordinal + 1]).fetchall()
        by_ordinal = {r[2]: _row_to_sentence(r) for r in rows}
        return by_ordinal.get(sentence.ordinal - 1), by_ordinal.get(sentence.ordinal + 1)

    def keyword_search(self, match: str, limit: int) -> list[tuple[int, float]]:
        """(text_id, bm25 score; higher is better) for an FTS5 MATCH expression, best first, over the texts
        that stand in an article."""
        with self._lock:
            return self.db.execute(
                # Ordered by the selected score, not by bm25() again: SQLite would compute it twice a row.
                "SELECT texts_fts.rowid, -bm25(texts_fts) AS score FROM texts_fts WHERE texts_fts MATCH ? "
                "AND EXISTS (SELECT 1 FROM sentences s WHERE s.text_id = texts_fts.rowid) "
                "ORDER BY score DESC LIMIT ?", [match, limit]).fetchall()

    def term_counts(self, words: Sequence[str]) -> tuple[int, dict[str, int]]:
        """(texts in the index, how many of them hold each word), stemmed as the index stems.

        Read from ``term_texts``, which each new text's terms update in the transaction that stores it:
        FTS5 would count a term by walking its whole posting list (20 ms for a common word at a million
        sentences), and counts cached instead of that went stale whenever anyone wrote.
        """
        word_terms = dict(zip(words, self.terms.of_words(words)))
        terms = sorted({t for held in word_terms.values() for t in held})
        marks = ",".join("?" * len(terms))
        with self._lock:
            total = self.text_count()
            found = dict(self.db.execute(f"SELECT term, texts FROM term_texts WHERE term IN ({marks})", terms)
                         .fetchall()) if terms else {}
        # A word the tokenizer splits ("e_mail") is held at most as often as its rarest part.
        return total, {w: min((found.get(t, 0) for t in held), default=0) for w, held in word_terms.items()}

    def vectors_of(self, text_ids: Sequence[int]) -> np.ndarray:
        """The stored vectors of these texts, in the given order."""
        return np.asarray(self.matrix()[np.asarray(text_ids, dtype=np.int64)], dtype=np.float32)

    def quotes_covering(self, sentences: Sequence[StoredSentence]) -> dict[int, StoredQuote]:
        """The quote record each sentence stands in (by sentence id): a speaker before none, direct before
        mixed before indirect, a resolved speaker before a phrase, the nearest cue last."""
        ids = sorted({s.id for s in sentences})
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        with self._lock:
            rows = self.db.execute(
                "SELECT s.id, q.speaker, q.mention, q.cue, q.kind, q.resolved_by, q.first_ordinal, q.last_ordinal, "
                "q.act "
                "FROM sentences s JOIN quotes q ON q.article_id = s.article_id "
                f"AND q.first_ordinal <= s.ordinal AND s.ordinal <= q.last_ordinal WHERE s.id IN ({marks})",
                ids).fetchall()
        out: dict[int, StoredQuote] = {}
        for sentence_id, *fields in rows:
            quote = StoredQuote(*fields)
            best = out.get(sentence_id)
            if best is None or _preference(quote) < _preference(best):
                out[sentence_id] = quote
        return out

    def texts_quoting(self, speaker_words: Sequence[str]) -> list[int]:
        """Text ids of every sentence inside a speech record whose speaker contains all these words (a stance
        is not something X said)."""
        where = " AND ".join("q.speaker LIKE ?" for _ in speaker_words) or "0"
        with self._lock:
            rows = self.db.execute(
                "SELECT DISTINCT s.text_id FROM quotes q JOIN sentences s ON s.article_id = q.article_id "
                f"AND s.ordinal BETWEEN q.first_ordinal AND q.last_ordinal WHERE q.act = 'speech' AND {where}",
                [f"%{w}%" for w in speaker_words]).fetchall()
        return [r[0] for r in rows]

    def articles(self, limit: int | None = None) -> list[dict]:
        sql = ("SELECT article_id, outlet, title, published, sentence_count, url, path FROM articles "
               "ORDER BY published IS NULL, published DESC, id DESC")
        with self._lock:
            rows = self.db.execute(sql + (f" LIMIT {int(limit)}" if limit else "")).fetchall()
        keys = ("id", "outlet", "title", "published", "sentences", "url", "path")
        return [dict(zip(keys, r)) for r in rows]

    def counts(self) -> dict[str, int]:
        with self._lock:
            return {name: self.db.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
                    for name in ("sources", "articles", "sentences", "texts", "quotes")}

    def meta(self) -> dict[str, str]:
        with self._lock:
            return dict(self.db.execute("SELECT key, value FROM meta").fetchall())

    def size_on_disk(self) -> int:
        paths = [self.db_path, self.db_path.with_name(self.db_path.name + "-wal"), self.vectors.path,
                 self.ann.path]
        return sum(p.stat().st_size for p in paths if p.exists())


@contextmanager
def _opening(db_path: Path) -> Iterator[None]:
    """Serialise schema set-up between processes opening the same index.

    Two processes creating a new index at once (the bot starting while an
    ingest starts) otherwise fail with "database is locked" on the switch to
    WAL, or "table meta already exists" from both running the first
    migration.  Held for milliseconds, and apart from the ingest lock, so a
    reader can open the index while an ingest runs.
    """
    with open(db_path.with_suffix(".open.lock"), "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _in_speech(quotes: Sequence[Quote]) -> set[int]:
    """Ordinals of the sentences inside a speech record with a speaker (``sentences.in_speech``)."""
    return {o for q in quotes if q.speaker is not None and q.act == "speech" for o in range(q.first, q.last + 1)}


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
