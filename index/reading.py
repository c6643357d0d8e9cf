"""Which reading of an article made the sentences and quote records an index holds.

Both are made at ingest, and an unchanged article is skipped, so a change to the sentence splitter or to
the attribution rules would never reach an index built before it.  Each article stores the version that
read it (``articles.attributed``), and one read by an older version is read again at its next ingest:
only the sentence texts the index does not hold yet are embedded.
"""

READING_VERSION = 5
"""Bump when ``split`` or ``attribute`` would give an article other sentences or quote records.  1: the first
quote rules; 2: session 14's; 3: session 15's (an opening quotation mark starts the sentence it opens);
4: session 16's (of two subjects the person's, the inverted speaker of a rarer verb, more manners of speaking,
pasted comments and their split-off signatures, an unnamed source's description kept whole, a word for
speech only around its quotation, a quote ending in a comma kept in one sentence with its cue); 5: session
17's (a name runs on through a quoted nickname, "as X put it", a name whose apposition ends at a verb the
parse left without subject, "No." before a number ends no sentence, a person's clause ending in a colon
before a quote in the same sentence)."""
