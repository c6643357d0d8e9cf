"""``newsbot eval`` on tiny data sets written for these tests (same layout as shared/eval)."""

import json

import pytest

from index.evaluation.metrics import speaker_matches
from tests.conftest import FIXTURES
from tests.test_cli import newsbot

EVAL = FIXTURES / "eval"
METHODS = {"newsbot", "dense", "keyword"}


def run_eval(tmp_path, *args):
    result = newsbot("eval", *args, "--data", str(EVAL), "--split", "dev", db=tmp_path / "unused.db")
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("dataset, metrics, questions", [
    ("trecqa", {"map", "mrr"}, 3),
    ("polnear", {"hit@1", "hit@5", "mrr", "speaker_accuracy"}, 1),
    ("abstention", {"answered_unanswerable", "refused_answerable"}, 5),
])
def test_eval_json_shape(tmp_path, dataset, metrics, questions):
    payload = json.loads(run_eval(tmp_path, dataset, "--json"))
    assert set(payload) == {"dataset", "split", "questions", "methods"}
    assert (payload["dataset"], payload["split"], payload["questions"]) == (dataset, "dev", questions)
    assert set(payload["methods"]) == METHODS
    for values in payload["methods"].values():
        assert set(values) == metrics and all(0.0 <= v <= 1.0 for v in values.values())
    if dataset == "trecqa":
        assert payload["methods"]["newsbot"]["mrr"] == 1.0
    if dataset.startswith("polnear"):
        assert payload["methods"]["newsbot"]["hit@1"] == 1.0
        assert payload["methods"]["newsbot"]["speaker_accuracy"] == 1.0


def test_eval_table_lists_methods_side_by_side():
    from bot.cli import eval_table

    table = eval_table({"dataset": "trecqa", "split": "dev", "questions": 3, "methods": {
        "newsbot": {"map": 0.9, "mrr": 1.0}, "dense": {"map": 0.8, "mrr": 0.9}, "keyword": {"map": 0.5, "mrr": 0.6}}})
    lines = table.splitlines()
    assert lines[0] == "trecqa (dev, 3 questions)"
    assert lines[1].split() == ["newsbot", "dense", "keyword"]
    assert lines[2].split() == ["map", "0.900", "0.800", "0.500"]


def test_polnear_subsets_pick_their_questions():
    from index.evaluation.attribution import questions

    rows = [json.loads(line) for line in (EVAL / "polnear" / "attributions.jsonl").read_text().splitlines()]
    strict = questions(rows, "polnear", "dev")
    pronoun = questions(rows, "polnear-pronoun", "dev")
    broad = questions(rows, "polnear-broad", "dev")
    assert [q["gold_speaker"] for q in strict] == ["Leo Marsh"]
    assert [q["gold_speaker"] for q in pronoun] == ["Priya Shah"]
    assert len(broad) == 3 and broad[2]["ask"] == "Who said members had accepted a 5% pay rise?"


def test_unknown_dataset_is_a_clear_error(tmp_path):
    result = newsbot("eval", "nosuchset", "--data", str(EVAL), db=tmp_path / "unused.db")
    assert result.returncode != 0 and "nosuchset" in result.stderr


@pytest.mark.parametrize("predicted, gold, match", [
    ("Donald Trump", "Trump", True),
    ("Trump", "Donald Trump", True),
    ("President Trump", "donald trump", True),
    ("Amy Lund and Brian Okafor", "Brian Okafor", True),
    ("A 2019 study by professor Lena Ortiz", "Lena Ortiz", True),
    ("Donald", "Donald Trump", False),
    ("Hillary Clinton", "Donald Trump", False),
    (None, "Donald Trump", False),
])
def test_speaker_match_is_full_name_or_surname(predicted, gold, match):
    assert speaker_matches(predicted, gold) is match


def test_calibrate_sweeps_the_grid_on_three_kinds_of_question(tmp_path):
    """On dev: TrecQA's train and dev questions asked of PolNeAR (2 + 4 here), PolNeAR's who-said questions,
    and the 5 TrecQA questions with an answer asked of their own candidate sentences."""
    from index.evaluation.abstention import THRESHOLDS, WEIGHTS

    index = ["--index", str(tmp_path / "polnear.db")]
    result = newsbot("calibrate", "--json", "--data", str(EVAL), *index, db=tmp_path / "unused.db")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert [payload[k] for k in ("split", "unanswerable", "answerable", "paraphrases")] == ["dev", 6, 1, 5]
    pairs = payload["pairs"]
    assert len(pairs) == len(WEIGHTS) * len(THRESHOLDS)
    errors = [p["answered_unanswerable"] + (p["refused_answerable"] + p["refused_paraphrases"]) / 2 for p in pairs]
    assert errors == sorted(errors) and errors[0] < errors[-1]
    table = newsbot("calibrate", "--data", str(EVAL), *index, db=tmp_path / "unused.db").stdout
    assert table.splitlines()[0] == "abstention (dev: 6 unanswerable, 1 answerable, 5 paraphrases)"
    assert table.rstrip().endswith("(now)")


def test_calibrate_row_of_the_bots_pair_is_what_ask_does(tmp_path, embedder):
    """The sweep weighs confidences anew instead of asking; for the pair in use it must refuse exactly what
    ``ask`` refuses: as ``eval abstention`` counts it, and on the index of candidate sentences."""
    from index.confidence import COVERAGE_WEIGHT
    from index.engine import DEFAULT_MIN_SCORE
    from index.evaluation import _candidates_index, _jsonl, _polnear_index
    from index.evaluation.abstention import calibrate, evaluate_abstention, top_confidences
    from index.evaluation.metrics import mean

    rows = _jsonl(EVAL / "trecqa" / "train.jsonl") + _jsonl(EVAL / "trecqa" / "dev.jsonl")
    unanswerable = [r["question"] for r in rows]
    answerable = ["Who said the new timetable will cut journey times?", "Who said it was a fair deal for drivers?",
                  *unanswerable[:2]]  # asked on the answerable side too, so both rates count something
    paraphrases = [r["question"] for r in rows if r["gold"]] + ["What is the new penguin at the zoo called?"]
    polnear = _polnear_index(EVAL / "polnear", embedder, tmp_path / "polnear.db")
    candidates = _candidates_index([r for r in rows if r["gold"]], embedder, tmp_path)
    try:
        pairs = calibrate(top_confidences(polnear, unanswerable), top_confidences(polnear, answerable),
                          top_confidences(candidates, paraphrases))
        measured = evaluate_abstention(polnear, unanswerable, answerable)["methods"]["newsbot"]
        refused = [candidates.ask(q, 1).abstained for q in paraphrases]
    finally:
        polnear.close()
        candidates.close()
    ours = next(p for p in pairs if (p["weight"], p["threshold"]) == (COVERAGE_WEIGHT, DEFAULT_MIN_SCORE))
    assert measured == {k: ours[k] for k in ("answered_unanswerable", "refused_answerable")}
    assert measured["refused_answerable"] > 0
    assert refused == [False] * 5 + [True] and ours["refused_paraphrases"] == mean([float(r) for r in refused])
