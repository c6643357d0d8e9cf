"""The index's SQLite schema, as ordered, named migrations.

A new column or table is a new migration appended here, never an edit of an
old one, so an index built by an earlier version opens and upgrades in place.
"""

from sqlite_utils import Database, Migrations

migrations = Migrations("newsbot")


@migrations()
def m001_initial(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE sources (
            id INTEGER PRIMARY KEY,
            location TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            last_ingested TEXT
        );
        CREATE TABLE articles (
            id INTEGER PRIMARY KEY,
            source_id INTEGER REFERENCES sources(id),
            key TEXT NOT NULL UNIQUE,
            article_id TEXT NOT NULL,
            title TEXT,
            outlet TEXT,
            author TEXT,
            url TEXT,
            published TEXT,
            path TEXT,
            content_hash TEXT NOT NULL,
            ingested_at TEXT NOT NULL,
            sentence_count INTEGER NOT NULL
        );
        CREATE INDEX articles_hash ON articles(content_hash);
        CREATE INDEX articles_published ON articles(published);
        -- One row per distinct sentence text; its id is its row in the vector file.
        CREATE TABLE texts (
            id INTEGER PRIMARY KEY,
            hash TEXT NOT NULL UNIQUE,
            text TEXT NOT NULL
        );
        CREATE TABLE sentences (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id),
            ordinal INTEGER NOT NULL,
            line INTEGER NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            text_id INTEGER NOT NULL REFERENCES texts(id),
            text TEXT NOT NULL
        );
        CREATE UNIQUE INDEX sentences_article_ordinal ON sentences(article_id, ordinal);
        CREATE INDEX sentences_text ON sentences(text_id);
        CREATE VIRTUAL TABLE sentences_fts USING fts5(
            text, content='sentences', content_rowid='id', tokenize='porter unicode61'
        );
        CREATE TRIGGER sentences_ai AFTER INSERT ON sentences BEGIN
            INSERT INTO sentences_fts(rowid, text) VALUES (new.id, new.text);
        END;
        CREATE TRIGGER sentences_ad AFTER DELETE ON sentences BEGIN
            INSERT INTO sentences_fts(sentences_fts, rowid, text) VALUES ('delete', old.id, old.text);
        END;
        """
    )


@migrations()
def m002_quotes(db: Database) -> None:
    """Quote records found at ingest; ``attributed`` tells articles indexed before them, so that the next
    ingest of the same content attributes them instead of skipping them.  (It now holds the version of the
    reading that made an article's sentences and records, ``reading.READING_VERSION``; 0 is none.)"""
    db.executescript(
        """
        CREATE TABLE quotes (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id),
            first_ordinal INTEGER NOT NULL,
            last_ordinal INTEGER NOT NULL,
            line INTEGER NOT NULL,
            speaker TEXT,
            mention TEXT NOT NULL,
            cue TEXT NOT NULL,
            kind TEXT NOT NULL,
            resolved_by TEXT NOT NULL,
            text TEXT NOT NULL
        );
        CREATE INDEX quotes_article ON quotes(article_id, first_ordinal);
        CREATE INDEX quotes_speaker ON quotes(speaker COLLATE NOCASE);
        ALTER TABLE articles ADD COLUMN attributed INTEGER NOT NULL DEFAULT 0;
        """
    )


@migrations()
def m003_quote_act(db: Database) -> None:
    """Whether a quote record is speech or a stance ("she wants ..."): a stance answers "who" but is not
    something said.  Records written before this were all speech."""
    db.execute("ALTER TABLE quotes ADD COLUMN act TEXT NOT NULL DEFAULT 'speech'")


@migrations()
def m004_keyword_index_of_texts(db: Database) -> None:
    """Keyword search indexes each distinct text once, as the vectors do.  Over sentences, a story carried
    by ten outlets was ten rows: every question's BM25 pass scored each of them, and its words counted ten
    times towards how common they are (one syndicated copy of the benchmark corpus made questions about
    a quarter slower).  Texts are never deleted (their row is their vector's), so one trigger keeps the index."""
    db.executescript(
        """
        DROP TRIGGER sentences_ai;
        DROP TRIGGER sentences_ad;
        DROP TABLE sentences_fts;
        CREATE VIRTUAL TABLE texts_fts USING fts5(
            text, content='texts', content_rowid='id', tokenize='porter unicode61'
        );
        INSERT INTO texts_fts(texts_fts) VALUES ('rebuild');
        CREATE TRIGGER texts_ai AFTER INSERT ON texts BEGIN
            INSERT INTO texts_fts(rowid, text) VALUES (new.id, new.text);
        END;
        """
    )


@migrations()
def m005_sentences_in_speech(db: Database) -> None:
    """Whether a sentence stands inside a speech record with a speaker, kept on the sentence: "who said"
    questions ask it of every candidate, and the range join against the quotes took about 0.6 ms of a
    6 ms question (0.05 ms as a column).  Written with the sentence and deleted with it, as its quotes are."""
    db.executescript(
        """
        ALTER TABLE sentences ADD COLUMN in_speech INTEGER NOT NULL DEFAULT 0;
        UPDATE sentences SET in_speech = 1 WHERE EXISTS (
            SELECT 1 FROM quotes q WHERE q.article_id = sentences.article_id
            AND q.first_ordinal <= sentences.ordinal AND sentences.ordinal <= q.last_ordinal
            AND q.speaker IS NOT NULL AND q.act = 'speech'
        );
        """
    )


@migrations()
def m006_term_texts(db: Database) -> None:
    """How many texts hold each index term, kept as texts are stored.  Keyword search picks a question's
    rarest words by these counts and confidence weighs words by them; FTS5 counts a term only by walking
    its posting list (20 ms for a common word at a million sentences).  Texts are never deleted, so
    counts only grow, in the same transaction as the texts themselves."""
    db.executescript(
        """
        CREATE TABLE term_texts(term TEXT PRIMARY KEY, texts INTEGER NOT NULL) WITHOUT ROWID;
        CREATE VIRTUAL TABLE temp.m006_vocab USING fts5vocab(main, texts_fts, 'row');
        INSERT INTO term_texts(term, texts) SELECT term, doc FROM temp.m006_vocab;
        DROP TABLE temp.m006_vocab;
        """
    )
