"""OpenVINO (bfloat16 where the CPU has it), ONNX Runtime and torch give interchangeable vectors for the
packaged model; questions on int8 weights stay close to them."""

import logging
import shutil

import numpy as np
import pytest

from index.batching import by_token_count
from index.embed import QUESTION_TOKENS, Embedder
from index.errors import ModelError

SENTENCES = [
    "The council voted to rebuild the harbour wall before winter.",
    "“We cannot wait another year,” the mayor said on Tuesday.",
    "Prices rose 3.2% in March, the statistics office said.",
    "Short.",
    "A much longer sentence that goes on about the ferry timetable, the weather over the estuary, the "
    "fishermen who moor their boats along the old quay and the bakery that opens at five every morning.",
    "Le maire a déclaré que le café resterait ouvert.",
]


@pytest.fixture(scope="module")
def torch_embedder():
    return Embedder(backend="torch")


@pytest.fixture(scope="module")
def float32_embedder():
    return Embedder(backend="onnx")


@pytest.mark.slow
def test_onnx_matches_torch(embedder, torch_embedder):
    assert embedder.backend == "auto"
    assert (embedder.name, embedder.dim) == (torch_embedder.name, torch_embedder.dim)
    fast = embedder.encode(SENTENCES)
    reference = torch_embedder.encode(SENTENCES)
    assert fast.dtype == np.float32 and fast.shape == (len(SENTENCES), 384)
    assert np.allclose(np.linalg.norm(fast, axis=1), 1.0, atol=1e-5)
    assert (fast * reference).sum(axis=1).min() >= 0.999


@pytest.mark.slow
def test_document_batches_match_torch_float32(embedder, torch_embedder):
    """Several batches of documents on OpenVINO, in bfloat16 where the CPU has it."""
    batch = [f"{sentence} ({i})" for i in range(11) for sentence in SENTENCES]
    fast = embedder.encode(batch)
    assert fast.dtype == np.float32 and np.allclose(np.linalg.norm(fast, axis=1), 1.0, atol=1e-5)
    assert (fast * torch_embedder.encode(batch)).sum(axis=1).min() >= 0.999


@pytest.mark.slow
def test_documents_run_on_openvino_once_the_first_batch_comes(caplog):
    caplog.set_level(logging.INFO, logger="index.onnx_model")
    embedder = Embedder()
    embedder.encode_query("What did the mayor say?")
    assert not [r for r in caplog.records if "OpenVINO" in r.getMessage()]  # answering alone never compiles it
    embedder.encode(SENTENCES)
    assert [r.getMessage() for r in caplog.records if "OpenVINO" in r.getMessage()][0].startswith(
        "document batches run on OpenVINO in ")


@pytest.mark.slow
@pytest.mark.parametrize("runtime", ["embedder", "float32_embedder"], ids=["openvino", "onnxruntime-float32"])
def test_batch_order_does_not_change_vectors(runtime, request):
    """Batching by token count reorders texts inside encode, over several batches; each vector must
    still land on its own text."""
    embedder = request.getfixturevalue(runtime)
    texts = [f"{sentence} ({i})" if i % 2 else f"({i}) {sentence} {sentence}"
             for i in range(6) for sentence in SENTENCES]
    assert embedder.batch_size < len(texts)
    together = embedder.encode(texts)
    alone = np.concatenate([embedder.encode([t]) for t in texts])
    assert (together * alone).sum(axis=1).min() >= 0.999


def test_batches_hold_neighbours_in_token_count():
    texts = ["nine", "three", "twelve", "three", "seven", "thirty", "one", "twelve"]
    counts = {"one": 1, "three": 3, "seven": 7, "nine": 9, "twelve": 12, "thirty": 30}
    asked = []

    def count_tokens(batch):
        asked.append(batch)
        return [counts[t] for t in batch]

    batches = by_token_count(texts, 3, count_tokens)
    assert sorted(i for batch in batches for i in batch) == list(range(len(texts)))
    assert [[counts[texts[i]] for i in batch] for batch in batches] == [[1, 3, 3], [7, 9, 12], [12, 30]]
    assert by_token_count(texts, 8, count_tokens) == [list(range(8))] and len(asked) == 1  # one batch: no count
    assert by_token_count([], 8, count_tokens) == [] and len(asked) == 1


@pytest.mark.slow
def test_int8_questions_stay_close_to_float32_and_find_the_same_sentence(embedder, float32_embedder):
    questions = ["Who wants the harbour wall rebuilt before winter?", "What did the mayor say?",
                 "How much did prices rise in March?", "When does the bakery open?", "Qui a parlé du café ?"]
    quick = np.stack([embedder.encode_query(q) for q in questions])
    exact = np.stack([float32_embedder.encode_query(q) for q in questions])
    assert np.allclose(np.linalg.norm(quick, axis=1), 1.0, atol=1e-5)
    assert (quick * exact).sum(axis=1).min() >= 0.98
    documents = float32_embedder.encode(SENTENCES)
    assert ((quick @ documents.T).argmax(axis=1) == (exact @ documents.T).argmax(axis=1)).all()
    assert list((exact @ documents.T).argmax(axis=1)) == [0, 1, 2, 4, 5]


@pytest.mark.slow
def test_a_question_is_embedded_up_to_its_token_cap(float32_embedder):
    """Words past QUESTION_TOKENS do not move a question's vector; a document keeps them."""
    embedder = float32_embedder
    quote = " ".join(SENTENCES[4].split() * 3)
    question = f"Who said {quote}?"
    assert len(question.split()) > QUESTION_TOKENS
    longer = embedder.encode_query(question + " And the harbour wall was rebuilt before the storms came.")
    assert float(embedder.encode_query(question) @ longer) >= 0.9999
    assert float(embedder.encode([question])[0] @ embedder.encode_query(question)) < 0.999
    short = SENTENCES[1]
    assert float(embedder.encode_query(short) @ embedder.encode([short])[0]) >= 0.9999


def test_unknown_backend_and_missing_folder_are_refused(tmp_path):
    with pytest.raises(ModelError):
        Embedder(backend="tensorflow")
    with pytest.raises(ModelError):
        Embedder(str(tmp_path / "absent"))


@pytest.mark.slow
def test_int8_that_distorts_a_model_is_refused_once_and_questions_stay_float32(tmp_path, monkeypatch,
                                                                                float32_embedder):
    """The check at quantising time: under INT8_MIN_COSINE the int8 graph is not kept, the refusal is
    recorded, and a later start does not try again."""
    from index import onnx_model
    from index.embed import default_cache_dir, default_model_path

    path = default_model_path()
    exported = onnx_model.export_folder(path, default_cache_dir())
    Embedder()  # makes sure the float32 export is there to copy
    for cache in ("kept", "refused"):
        onnx_model.export_folder(path, tmp_path / cache).mkdir(parents=True)
        for file in ("model.onnx", "export.json", "tokenizer.json"):
            shutil.copy(exported / file, onnx_model.export_folder(path, tmp_path / cache) / file)

    Embedder(cache_dir=tmp_path / "kept")  # the packaged model passes the check
    kept = onnx_model.export_folder(path, tmp_path / "kept")
    assert (kept / onnx_model.QUESTION_GRAPH).exists() and not (kept / onnx_model.INT8_REFUSED).exists()

    folder = onnx_model.export_folder(path, tmp_path / "refused")
    monkeypatch.setattr(onnx_model, "INT8_MIN_COSINE", 1.01)  # no int8 graph can reach it
    refused = Embedder(cache_dir=tmp_path / "refused")
    assert (folder / onnx_model.INT8_REFUSED).exists() and not (folder / onnx_model.QUESTION_GRAPH).exists()
    assert 0.9 < float((folder / onnx_model.INT8_REFUSED).read_text()) < 1.0
    question = "Who said the harbour wall would be rebuilt?"
    assert float(refused.encode_query(question) @ float32_embedder.encode_query(question)) >= 0.9999

    monkeypatch.setattr(onnx_model, "INT8_MIN_COSINE", 0.0)
    Embedder(cache_dir=tmp_path / "refused")
    assert not (folder / onnx_model.QUESTION_GRAPH).exists()  # decided once, at the first start
    assert not list(folder.glob(".question-int8*"))  # no staging file left behind


@pytest.mark.slow
def test_the_exported_graph_computes_no_attention_reshape_target(embedder):
    """The export gives each layer's head split and merge a constant target (``onnx_shapes``) and uses eager
    attention, whose softmax has no NaN guard: no shape chains or Where nodes left in the encoder layers."""
    import onnx

    from index.embed import default_cache_dir, default_model_path
    from index.onnx_model import export_folder

    graph = onnx.load(str(export_folder(default_model_path(), default_cache_dir()) / "model.onnx"),
                      load_external_data=False).graph
    constant = {i.name for i in graph.initializer}
    layers = [n for n in graph.node if n.name.startswith("/model/encoder/")]
    reshapes = [n for n in layers if n.op_type == "Reshape"]
    assert len(reshapes) == 24 and all(n.input[1] in constant for n in reshapes)
    assert not [n for n in layers if n.op_type in ("Shape", "Where", "IsNaN")]


@pytest.mark.slow
@pytest.mark.parametrize("fault", ["raises", "changes_vectors"])
# torch's TorchScript exporter warns about itself and its trace on every export; the export checks its
# graph against the module's own vectors on other lengths than the trace's instead.
@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning", "ignore::torch.jit.TracerWarning")
def test_an_export_whose_shape_folding_fails_keeps_the_traced_graph(float32_embedder, tmp_path, monkeypatch, caplog,
                                                                    fault):
    """Folding only saves time: shape inference giving up, or a folded graph that no longer gives torch's
    vectors, leaves the traced graph in place and the export whole."""
    import onnx
    from onnx import numpy_helper

    from index import onnx_model, onnx_shapes
    from index.embed import default_model_path

    folding = onnx_shapes.constant_reshapes

    def broken(model):
        if fault == "raises":
            raise RuntimeError("shape inference gave up")
        model = folding(model)
        head_split = next(i for i in model.graph.initializer
                          if i.name.endswith("/constant_shape") and numpy_helper.to_array(i).tolist() == [0, 0, 12, 32])
        head_split.CopyFrom(numpy_helper.from_array(np.array([0, 0, 32, 12], dtype=np.int64), head_split.name))
        return model

    monkeypatch.setattr(onnx_shapes, "constant_reshapes", broken)
    caplog.set_level(logging.WARNING, logger="index.onnx_model")
    folder = onnx_model.export_folder(default_model_path(), tmp_path)
    onnx_model.export(default_model_path(), folder)
    assert sorted(p.name for p in folder.iterdir()) == ["export.json", "model.onnx", "tokenizer.json"]
    assert "keeps the traced shapes" in caplog.text
    assert not [i for i in onnx.load(str(folder / "model.onnx"), load_external_data=False).graph.initializer
                if i.name.endswith("/constant_shape")]
    # The traced graph, run as the folded one is (float32 on ONNX Runtime), gives the folded graph's vectors.
    traced = Embedder(backend="onnx", cache_dir=tmp_path).encode(SENTENCES)
    assert (traced * float32_embedder.encode(SENTENCES)).sum(axis=1).min() >= 0.99999
