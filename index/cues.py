"""Word lists that say what a sentence does: report speech, agree, date, count.

Attribution uses them to pick the sentences worth parsing and to find the
reporting verb; reranking uses them to match a sentence to what a question
asks.  They are plain word forms, not lemmas, so no tagger has to run.
"""

from __future__ import annotations

import re

_REPORTING_STEMS = (
    "say", "said", "says", "saying", "tell", "told", "tells", "telling", "add", "added", "adds", "adding",
    "state", "stated", "states", "announce", "announced", "announces", "confirm", "confirmed", "confirms",
    "claim", "claimed", "claims", "argue", "argued", "argues", "insist", "insisted", "insists", "warn",
    "warned", "warns", "write", "wrote", "writes", "written", "tweet", "tweeted", "tweets", "explain",
    "explained", "explains", "note", "noted", "notes", "ask", "asked", "asks", "reply", "replied", "replies",
    "respond", "responded", "responds", "declare", "declared", "declares", "post", "posted", "suggest",
    "suggested", "suggests", "acknowledge", "acknowledged", "acknowledges", "admit", "admitted", "admits",
    "predict", "predicted", "predicts", "recall", "recalled", "recalls", "urge", "urged", "urges", "vow",
    "vowed", "vows", "promise", "promised", "promises", "believe", "believed", "believes", "think",
    "thought", "thinks", "report", "reported", "reports", "continue", "continued", "continues", "quip",
    "quipped", "joke", "joked", "jokes", "remark", "remarked", "remarks", "comment", "commented",
    "comments", "describe", "described", "describes", "call", "called", "calls", "contend", "contended",
    "contends", "maintain", "maintained", "maintains", "assert", "asserted", "asserts", "emphasize",
    "emphasized", "emphasise", "emphasised", "stress", "stressed", "stresses", "highlight", "highlighted",
    "highlights", "criticize", "criticized", "criticise", "criticised", "praise", "praised", "praises",
    "deny", "denied", "denies", "concede", "conceded", "concedes", "boast", "boasted", "boasts",
    "complain", "complained", "complains", "shout", "shouted", "exclaim", "exclaimed", "reiterate",
    "reiterated", "mention", "mentioned", "observe", "observed", "testify", "testified", "pledge",
    "pledged", "pledges", "tout", "touted", "touts", "accuse", "accused", "accuses", "charge", "charged",
    "counter", "countered", "retort", "retorted", "proclaim", "proclaimed",
    "learn", "learned", "learnt", "hear", "heard", "read", "reads", "show", "showed", "shows",
    "indicate", "indicated", "indicates", "suspect", "suspected", "worry", "worried", "fear", "feared",
    "hope", "hoped", "hopes", "expect", "expected", "expects", "agree", "agreed", "agrees",
    "conclude", "concluded", "concludes", "demand", "demanded", "demands", "scold", "scolded", "liken", "likened",
    "sing", "sang", "sings", "asking", "writing", "noting", "arguing", "insisting", "warning", "explaining",
    "declaring", "claiming", "stating", "announcing", "confirming", "suggesting", "acknowledging", "admitting",
    "recalling", "urging", "vowing", "promising", "tweeting", "replying", "responding", "quipping", "joking",
    "continuing", "predicting", "asserting", "stressing", "emphasizing", "emphasising", "boasting", "complaining",
    "attack", "attacked", "attacks", "mock", "mocked", "mocks", "slam", "slammed", "slams", "blast", "blasted",
    "blasts", "dismiss", "dismissed", "dismisses", "question", "questioned", "questions", "wonder", "wondered",
    "wonders", "recount", "recounted", "recounts", "acknowledge", "reply", "interject", "interjected",
    "cite", "cited", "cites", "citing", "invoke", "invoked", "invokes", "echo", "echoed", "echoes", "disclose",
    "disclosed", "discloses", "propose", "proposed", "proposes", "proposing",
    "point", "pointed", "points", "pointing", "found", "finds", "estimate", "estimated", "estimates", "discuss",
    "discussed", "discusses", "condemn", "condemned", "condemns", "reject", "rejected", "rejects", "endorse",
    "endorsed", "endorses", "characterize", "characterized", "characterizes", "characterise", "characterised",
    "reference", "referenced", "references", "characterizing", "commenting", "conceding", "concluding", "contending",
    "denying", "disclosing", "echoing", "highlighting", "invoking", "maintaining", "pledging", "recounting",
    "referencing", "remarking", "touting", "wondering", "accusing", "agreeing", "attacking", "believing", "blasting",
    "calling", "condemning", "demanding", "describing", "endorsing", "estimating", "expecting", "hoping",
    "indicating", "mocking", "praising", "questioning", "reading", "rejecting", "reporting", "showing", "singing",
    "slamming", "thinking", "discussing", "dismissing",
)
# Manners of speaking that news writing puts after a quote ("“Not again,” she sighed.", "he cautioned that
# ...").  Without them such a quote would go unparsed and fall to the speaker of the quote before it.  Only
# the forms that are seldom nouns, and not the verbs that take someone's words as their object ("disputed
# Reyes's claim that “...”": the quote is Reyes's); all of them weak (below), so they count only beside a
# quote, a clause or a colon.
_MANNER_STEMS = (
    "answered", "alleged", "alleges", "alleging", "cautioned", "cautions", "cautioning", "lamented", "laments",
    "lamenting", "mused", "muses", "musing", "scoffed", "scoffs", "snapped", "pleaded", "pleads", "pled", "pleading",
    "begged", "implored", "implores", "yelled", "yells", "screamed", "screams", "cried", "cries", "whispered",
    "whispers", "muttered", "mutters", "murmured", "underscored", "underscores", "underscoring", "affirmed",
    "affirms", "reaffirmed", "reaffirms", "revealed", "reveals", "revealing", "confided", "confessed", "swore",
    "swears", "threatened", "threatens", "threatening", "chided", "bragged", "brags", "bragging", "gushed",
    "deadpanned", "recommended", "recommends", "advised", "advises", "hinted", "implied", "implies", "inquired",
    "enquired", "queried", "texted", "emailed", "messaged", "grumbled", "groused", "fumed", "ranted", "thundered",
    "intoned", "elaborated", "clarified", "opined", "speculated", "speculates", "reminded", "reminds", "assured",
    "assures", "reassured", "informed", "sighed", "laughed", "interrupted", "chimed", "gloated", "marveled",
    "marvelled", "concurred", "pronounced", "mourned", "exhorted", "exhorts", "raged", "roared", "bellowed", "barked",
    "growled", "hissed", "sneered", "teased", "protested", "objected", "reflected", "ventured", "posited", "reasoned",
    "surmised", "rebutted", "demurred", "admonished", "chastised", "exulted", "crowed", "griped", "whined", "moaned",
    "sniped", "boomed", "lectured", "preached", "cracked", "chuckled", "joshed", "ribbed", "needled", "remembered",
    "remembers", "reminisced", "apologized", "apologised", "apologizes", "apologises", "retaliated",
)
REPORTING_VERBS = frozenset(_REPORTING_STEMS + _MANNER_STEMS)

# Verbs that mostly report when their object is a clause, and otherwise just mean what they mean:
# they need a clause, a quote or a colon to count as a cue.
WEAK_REPORTING = frozenset({
    "read", "reads", "show", "showed", "shows", "learn", "learned", "learnt", "hear", "heard", "call", "called",
    "calls", "continue", "continued", "continues", "post", "posted", "note", "notes", "report", "reports",
    "reported", "state", "states", "expect", "expected", "expects", "hope", "hoped", "hopes", "agree", "agreed",
    "agrees", "describe", "described", "describes", "think", "thought", "thinks", "believe", "believed",
    "believes", "fear", "feared", "worry", "worried", "suspect", "suspected", "indicate", "indicated",
    "indicates", "charge", "charged", "praise", "praised", "praises", "accuse", "accused", "accuses",
    "criticize", "criticized", "criticise", "criticised", "sing", "sang", "sings", "attack", "attacked", "attacks",
    "mock", "mocked", "mocks", "slam", "slammed", "slams", "blast", "blasted", "blasts", "dismiss", "dismissed",
    "dismisses", "question", "questioned", "questions", "demand", "demanded", "demands", "liken", "likened",
    "found", "finds", "estimate", "estimated", "estimates", "discuss", "discussed", "discusses", "condemn", "condemned",
    "condemns", "reject", "rejected", "rejects", "endorse", "endorsed", "endorses", "point", "points",
    "accusing", "agreeing", "attacking", "believing", "blasting", "calling", "condemning", "demanding", "describing",
    "endorsing", "estimating", "expecting", "hoping", "indicating", "mocking", "praising", "questioning", "reading",
    "rejecting", "reporting", "showing", "singing", "slamming", "thinking", "discussing", "dismissing",
    "write", "writes", "wrote", "written", "writing",  # "artists writing songs about him"
    *_MANNER_STEMS,
})

# Verbs of wanting, planning and taking sides ("She wants to triple AmeriCorps", "he has championed gay
# rights"): they attribute a position to their subject without any act of saying.  Attribution keeps them
# as stance records, which answer "who" but never "what did X say".  Forms that are mostly nouns ("plan",
# "support", "back", "vote") are left out, so that a sentence is not parsed for a noun.
STANCE_VERBS = frozenset({
    "want", "wants", "wanted", "wanting", "plans", "planned", "planning", "intend", "intends", "intended",
    "intending", "seek", "seeks", "sought", "seeking", "supports", "supported", "supporting", "oppose", "opposes",
    "opposed", "opposing", "favor", "favors", "favored", "favour", "favours", "favoured", "prefer", "prefers",
    "preferred", "champion", "champions", "championed", "backs", "backed", "backing", "refuse", "refuses",
    "refused", "refusing", "decline", "declines", "declined", "push", "pushes", "pushed", "pushing",
    "advocate", "advocates", "advocated", "advocating", "rail", "rails", "railed", "railing", "herald",
    "heralds", "heralded", "welcome", "welcomes", "welcomed", "sponsored", "voted", "aims", "aimed",
})

# Words for something said, which name their speaker as an owner: "Trump's claim that ...".
SPEECH_NOUNS = frozenset({
    "claim", "claims", "statement", "statements", "comment", "comments", "remark", "remarks", "words", "tweet",
    "tweets", "assertion", "argument", "warning", "promise", "pledge", "vow", "accusation", "message", "speech",
    "response", "reply",
})

OPEN_QUOTES = "\"“„«"
CLOSE_QUOTES = "\"”»"
QUOTE_MARK = re.compile(r"[\"“”„«»]")

_WORD = re.compile(r"\w+")
_CUE_PHRASES = re.compile(r"\baccording to\b|\bputs? it\b", re.IGNORECASE)  # "as Milbank puts it, “…”"

AGREEMENT = re.compile(
    r"\b(agree[ds]?|agreement|deal|decid(?:e|ed|es)|decision|approv(?:e|ed|es|al)|vot(?:e|ed|es) (?:to|for)|"
    r"settle[ds]?|sign(?:ed|s)?|accept(?:ed|s)?|reach(?:ed)? (?:a|an) |resol(?:ve[ds]?|ution)|"
    r"commit(?:ted|s)?|pledge[ds]?|consensus|ratif(?:y|ied))\b", re.IGNORECASE)
MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|December|"
          "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec")
DATE = re.compile(rf"\b(?:1[0-9]{{3}}|20[0-9]{{2}})s?\b|\b(?:{MONTHS})\.?\b|\b(?:Monday|Tuesday|Wednesday|Thursday|"
                  r"Friday|Saturday|Sunday|yesterday|today|tomorrow|tonight|last (?:week|month|year)|"
                  r"next (?:week|month|year)|centur(?:y|ies)|decades?)\b")
NUMBER = re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|"
                    r"fifty|hundred|thousand|million|billion|trillion|dozen|half|percent|per cent)\b|[£$€¥%]",
                    re.IGNORECASE)
_CAPITALISED = re.compile(r"(?<![.!?\"“] )(?<!^)\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*")

def names_outside(text: str, exclude: set[str]) -> bool:
    """Whether ``text`` names something (a capitalised word mid-sentence) that ``exclude`` does not hold."""
    return any(m.group(0).lower() not in exclude and not set(m.group(0).lower().split()) <= exclude
               for m in _CAPITALISED.finditer(text))


def has_reporting_word(text: str) -> bool:
    """Whether a sentence holds a reporting word ("said", "according to", "put it"): worth parsing for a
    speaker."""
    # A set lookup per word: the rerank asks this of every candidate, and one regex alternation of
    # ~280 verbs cost more than the rest of the second stage together.
    return not REPORTING_VERBS.isdisjoint(_WORD.findall(text.lower())) or bool(_CUE_PHRASES.search(text))


def has_stance_word(text: str) -> bool:
    """Whether a sentence holds a verb of stance ("wants", "opposed"): worth parsing for whose stance it is."""
    return not STANCE_VERBS.isdisjoint(_WORD.findall(text.lower()))
