"""Expected failures of the index, each a small named exception.

The bot and the command line turn these into plain-language replies; anything
else that escapes is a bug and is logged with its traceback.
"""


class NewsbotError(Exception):
    """Base of every failure the index expects and can explain."""


class SourceError(NewsbotError):
    """A source cannot be read or holds no article text."""


class FetchError(SourceError):
    """A URL could not be fetched safely (refused address, too big, timeout)."""


class QuestionError(NewsbotError):
    """A question that cannot be searched (empty, or nothing but symbols)."""


class IndexMismatchError(NewsbotError):
    """The index was built with another model or vector size than the one loaded."""


class IndexBusyError(NewsbotError):
    """Another process holds the ingest lock on this index."""


class ModelError(NewsbotError):
    """The embedding model folder is missing or has a layout the chosen backend cannot run."""
