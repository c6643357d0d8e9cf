"""``newsbot eval`` on tiny data sets written for these tests (same layout as shared/eval)."""

import json

import pytest

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
    ("polnear-pronoun", {"hit@1", "hit@5", "mrr", "speaker_accuracy"}, 1),
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


def test_eval_table_lists_methods_side_by_side(tmp_path):
    out = run_eval(tmp_path, "trecqa")
    assert out.splitlines()[0] == "trecqa (dev, 3 questions)"
    assert out.splitlines()[1].split() == ["newsbot", "dense", "keyword"]
    assert out.splitlines()[2].split()[0] == "map"


def test_unknown_dataset_is_a_clear_error(tmp_path):
    result = newsbot("eval", "nosuchset", "--data", str(EVAL), db=tmp_path / "unused.db")
    assert result.returncode != 0 and "nosuchset" in result.stderr
