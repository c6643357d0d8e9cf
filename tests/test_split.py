from hypothesis import given, settings, strategies as st

from index.split import line_starts, split_sentences
from index.plaintext import parse_plain_text
from tests.conftest import FIXTURES


def test_offsets_slice_back_to_the_sentence_and_lines_are_exact():
    text = (FIXTURES / "harbour.txt").read_text()
    lines = text.splitlines()
    sentences = split_sentences(text)
    assert sentences
    for s in sentences:
        assert text[s.start:s.end] == s.text
        assert s.text in lines[s.line - 1]


def test_abbreviations_do_not_end_sentences():
    text = "Speaking on Monday, Mr. Grant met Dr. Hale of the U.S. embassy. She left early."
    assert [s.text for s in split_sentences(text)] == [
        "Speaking on Monday, Mr. Grant met Dr. Hale of the U.S. embassy.", "She left early."]


def test_ellipsis_inside_a_quote_stays_in_one_sentence():
    text = '"Ukrainians are fighting bravely ... it\'s our job to help," he said. Then he left.'
    assert [s.text for s in split_sentences(text)][0].endswith("he said.")


def test_line_without_full_stop_is_its_own_sentence():
    text = "The minister was seen leaving the building\nHe declined to comment."
    assert [(s.line, s.text) for s in split_sentences(text)] == [
        (1, "The minister was seen leaving the building"), (2, "He declined to comment.")]


def test_hard_wrapped_paragraph_is_joined():
    text = "The council agreed to borrow\nfour million pounds for the repairs.\nIt starts in April."
    sentences = split_sentences(text)
    assert [s.line for s in sentences] == [1, 3]
    assert sentences[0].text == "The council agreed to borrow\nfour million pounds for the repairs."


def test_furniture_spans_are_not_split():
    article = parse_plain_text((FIXTURES / "harbour.txt").read_text(), path="harbour.txt", outlet=None,
                               source_id="harbour")
    texts = [s.text for s in split_sentences(article.text, article.skip_spans)]
    assert not any(t.startswith(("Read more", "Advertisement", "Share this", "Maria Lopez", "3 March")) for t in texts)
    assert "The council agreed to borrow £4 million to pay for the repairs." in texts


def test_line_starts_handles_crlf():
    assert line_starts("a\r\nb\nc") == [0, 3, 5]


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400))
def test_any_text_splits_into_sentences_that_slice_back(text):
    for s in split_sentences(text):
        assert text[s.start:s.end] == s.text
        assert s.text == s.text.strip() and s.text
        assert 1 <= s.line <= len(line_starts(text))


_LINE_BREAKS = st.sampled_from(["\n", "\r\n", "\r", "\n\n", "\u2028", "\x85", "\x0c"])
_PIECES = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60),
    st.sampled_from(["Mr.", "Dr.", "U.S.", "...", '"', "”", "Read more: x", "By Jane Doe", "Advertisement",
                     "13 February 2025, 16:11 | Updated: 13 February 2025, 16:24", "Title: T", "Outlet: O"]),
    _LINE_BREAKS,
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_news_shaped_text_with_furniture_splits_into_ordered_exact_sentences(text):
    """As ingest calls it: plain-text parsing marks furniture, the splitter must skip it and stay exact."""
    article = parse_plain_text(text, path="x.txt", outlet=None, source_id="x")
    sentences = split_sentences(article.text, article.skip_spans)
    starts = line_starts(article.text)
    assert [s.ordinal for s in sentences] == list(range(len(sentences)))
    for before, after in zip(sentences, sentences[1:]):
        assert before.end <= after.start
    for s in sentences:
        assert article.text[s.start:s.end] == s.text
        assert starts[s.line - 1] <= s.start and (s.line == len(starts) or s.start < starts[s.line])
        assert not any(a <= s.start < b for a, b in article.skip_spans)


def test_an_opening_quotation_mark_starts_the_sentence_it_opens():
    # spaCy's sentencizer keeps every punctuation mark after a full stop, opening ones too.
    text = ('Blake was less pleased. "It is a vanity project," he said. “It will cost millions.” '
            'The vote is on Friday. (It may be put off.)')
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        "Blake was less pleased.", '"It is a vanity project," he said.', "“It will cost millions.”",
        "The vote is on Friday.", "(It may be put off.)"]
    assert all(text[s.start:s.end] == s.text for s in sentences)


def test_a_quote_ending_in_a_comma_runs_on_into_its_cue():
    # spaCy cuts after "!!!" even when a comma and a closing mark say the sentence goes on.
    text = ('Fans cheered the result. "Go, team, go!!!," the club\'s captain Lena Ruiz wrote on Facebook. '
            '"We are on our way."\nNew line. "Why not?," she asked.')
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        "Fans cheered the result.", '"Go, team, go!!!," the club\'s captain Lena Ruiz wrote on Facebook.',
        '"We are on our way."', "New line.", '"Why not?," she asked.']
    assert all(text[s.start:s.end] == s.text for s in sentences)


def test_a_number_sign_does_not_end_a_sentence_before_its_number():
    # spaCy's tokenizer has no "No." abbreviation: "the No." ended a sentence and "2 in the ..." began one.
    text = "As Tom Reyes, the No. 2 at the centre, put it: “Not this winter.” Asked again, he said No. Then he left."
    assert [s.text for s in split_sentences(text)] == [
        "As Tom Reyes, the No. 2 at the centre, put it: “Not this winter.”", "Asked again, he said No.", "Then he left."]
