"""A sentence-transformers model exported offline from its own weights, run by ONNX Runtime or OpenVINO.

sentence-transformers' ``backend="onnx"`` needs optimum-onnx, which pins
transformers below 4.58 (we run 5.x), so the export is done here with
``torch.onnx.export`` instead: transformer, pooling and normalisation in one
graph, written once into ``<cache>/onnx/<model>-<key>/`` beside the fast
tokenizer it was traced with.  Loading the cached graph needs neither torch
nor transformers, which keeps start-up short.  The trace uses eager attention
and its reshapes get constant targets (``onnx_shapes``): 340 nodes instead of
685 for all-MiniLM-L6-v2, the same arithmetic in less of the runtime's time.

Batches are formed from texts of like token count (``batching``), so little
time goes into padding tokens.

The same graph runs on either of two runtimes, each where it is fastest here:
- OpenVINO for batches of documents.  It runs the float32 graph in bfloat16
  where the CPU multiplies bfloat16 natively (AMX, AVX512-BF16), else in
  float32: 1.4-1.8x torch's bfloat16 autocast on this host's batches, at cosine
  >= 0.9999 to float32, so stored vectors keep the 0.999 the index needs.
- ONNX Runtime for questions, on a second graph with int8 weights in every
  matrix product (``quantize``, made once from the exported one): one short
  question is as quick there as on OpenVINO in bfloat16 on this host, and
  twice as quick as float32 on a CPU without bfloat16, at cosine 0.987 or
  more to float32; the dev splits keep their figures.  The int8 graph is
  kept only if a few probe questions keep cosine >= 0.98 to float32, checked
  once when it is made; for a model it distorts that much, questions stay
  float32 (``INT8_REFUSED`` records the decision).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Literal

import numpy as np

from .batching import by_token_count

logger = logging.getLogger(__name__)

EXPORT_VERSION = "2"  # bump when the exported graph changes shape or meaning
OPSET = 17
QUESTION_GRAPH = "question-int8.onnx"
INT8_REFUSED = "question-int8.refused"  # written instead of QUESTION_GRAPH when int8 distorts this model
# Questions use the int8 graph only if every probe's vector keeps at least this cosine to float32
# (all-MiniLM-L6-v2: 0.989 at worst over 300 PolNeAR questions); checked once, when the graph is made.
INT8_MIN_COSINE = 0.98
# The graph with constant reshape targets must give torch's vectors for PROBES to float32 rounding.
FOLDED_MIN_COSINE = 0.99999
PROBES = ("Who said there can be no talk about Ukraine without Ukraine?", "What was agreed on the call?",
          "How much will the council borrow to repair the harbour wall?", "When does the ferry strike end?",
          "Ukrainians are fighting bravely for their country, the defence secretary said.")
_HASHED_FILES = ("config.json", "modules.json", "sentence_bert_config.json", "tokenizer.json",
                 "tokenizer_config.json", "vocab.txt", "1_Pooling/config.json")
_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


def export_key(model_path: str) -> str:
    """Changes when the model files change; cheap enough to compute at every start."""
    folder = Path(model_path)
    digest = hashlib.sha256(EXPORT_VERSION.encode())
    for name in _HASHED_FILES:
        path = folder / name
        if path.exists():
            digest.update(name.encode() + path.read_bytes())
    for name in _WEIGHT_FILES:
        path = folder / name
        if path.exists():
            digest.update(f"{name}:{path.stat().st_size}".encode())
    return digest.hexdigest()[:16]


def export_folder(model_path: str, cache_dir: Path) -> Path:
    """Where the export of ``model_path`` lives under ``cache_dir``: a new folder whenever the model's files
    or ``EXPORT_VERSION`` change (``export_key``)."""
    from .embed import model_name_of

    return Path(cache_dir) / "onnx" / f"{model_name_of(model_path)}-{export_key(model_path)}"


Feeds = Mapping[str, np.ndarray]


class OnnxSentenceModel:
    """Normalised sentence vectors from the exported graph, on the CPU."""

    def __init__(self, model_path: str, cache_dir: Path, threads: int, *, int8: bool = False,
                 runtime: Literal["onnxruntime", "openvino"] = "onnxruntime"):
        from tokenizers import Tokenizer

        folder = export_folder(model_path, cache_dir)
        if not (folder / "model.onnx").exists():
            export(model_path, folder)
        info = json.loads((folder / "export.json").read_text())
        self.dim = int(info["dim"])
        self._inputs = list(info["inputs"])
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._short: dict[int, Tokenizer] = {}  # the same tokenizer cut at fewer tokens, by that number
        self._counter: Tokenizer | None = None
        if runtime == "openvino":
            self._infer = _openvino(folder / "model.onnx", threads)
            return
        import onnxruntime as ort

        self._options = ort.SessionOptions()
        self._options.intra_op_num_threads = threads
        self._options.inter_op_num_threads = 1
        # Idle threads sleep instead of spinning: on two shared cores a spinning thread steals the
        # time its partner (or the bot's other work) needs; it halved query CPU time in measurement.
        self._options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        graph = folder / "model.onnx"
        if int8 and not (folder / INT8_REFUSED).exists():
            if not (folder / QUESTION_GRAPH).exists():
                quantize(folder, partial(self._worst_cosine, self._open(graph)))
            if (folder / QUESTION_GRAPH).exists():
                graph = folder / QUESTION_GRAPH
        if graph.name == QUESTION_GRAPH:
            # One question's int8 products are too small to share: handing each op to a sleeping second
            # thread costs more than it saves (2.2 ms a question on one thread, 3.1 ms on two, this host).
            self._options.intra_op_num_threads = 1
        self._infer = self._open(graph)

    def encode(self, texts: Sequence[str], batch_size: int, max_tokens: int | None = None) -> np.ndarray:
        """Vectors of ``texts``, each cut at ``max_tokens`` (special tokens included) when given."""
        tokenizer = self._tokenizer if max_tokens is None else self._cut_at(max_tokens)
        texts = [text.strip() for text in texts]
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for rows in by_token_count(texts, batch_size, self._count_tokens):
            out[rows] = self._run(tokenizer, [texts[i] for i in rows])
        return out

    def _count_tokens(self, texts: list[str]) -> list[int]:
        """Each text's token count, through a copy of the tokenizer that does not pad."""
        if self._counter is None:
            from tokenizers import Tokenizer

            self._counter = Tokenizer.from_str(self._tokenizer.to_str())
            self._counter.no_padding()
        return [len(e.ids) for e in self._counter.encode_batch(texts)]

    def _cut_at(self, max_tokens: int):
        """A copy of the tokenizer that truncates earlier, and still ends each text with its [SEP]."""
        if max_tokens not in self._short:
            from tokenizers import Tokenizer

            short = Tokenizer.from_str(self._tokenizer.to_str())
            short.enable_truncation(max_tokens)
            self._short[max_tokens] = short
        return self._short[max_tokens]

    def _open(self, graph: Path) -> Callable[[Feeds], np.ndarray]:
        import onnxruntime as ort

        session = ort.InferenceSession(str(graph), self._options, providers=["CPUExecutionProvider"])
        return lambda feeds: session.run(["embedding"], dict(feeds))[0]

    def _worst_cosine(self, reference: Callable[[Feeds], np.ndarray], graph: Path) -> float:
        """The least cosine, over PROBES, between the vectors ``reference`` runs and ``graph``'s."""
        exact = self._run(self._tokenizer, list(PROBES), reference)
        other = self._run(self._tokenizer, list(PROBES), self._open(graph))
        return float((exact * other).sum(axis=1).min())

    def _run(self, tokenizer, texts: list[str], infer: Callable[[Feeds], np.ndarray] | None = None) -> np.ndarray:
        encodings = tokenizer.encode_batch(texts)
        feeds = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }
        return (infer or self._infer)({name: feeds[name] for name in self._inputs})


def _openvino(graph: Path, threads: int) -> Callable[[Feeds], np.ndarray]:
    """The graph compiled by OpenVINO for the CPU, in its default precision there (bfloat16 where the CPU
    has it natively).  Its pinning to cores is off: the bot's other chats and spaCy share the two cores."""
    import openvino as ov
    import openvino.properties as props
    import openvino.properties.hint as hints

    compiled = ov.Core().compile_model(str(graph), "CPU", {
        hints.performance_mode: hints.PerformanceMode.LATENCY, props.inference_num_threads: threads,
        hints.enable_cpu_pinning: False})
    logger.info("document batches run on OpenVINO in %s", compiled.get_property(hints.inference_precision))
    request, output, lock = compiled.create_infer_request(), compiled.output("embedding"), threading.Lock()

    def run(feeds: Feeds) -> np.ndarray:
        with lock:  # one request, used by one thread at a time; its results are copied out
            return request.infer(dict(feeds))[output]

    return run


def export(model_path: str, folder: Path) -> None:
    """Trace the local model into ``folder``; written to a temporary folder and renamed, so never half-there."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    from .embed import read_st_config

    pooling, max_tokens = read_st_config(model_path)
    logger.info("exporting %s to ONNX in %s (once)", model_path, folder)
    tokenizer = AutoTokenizer.from_pretrained(model_path, local_files_only=True)
    # Eager attention is the same arithmetic as the default SDPA, but its export has no NaN guard
    # (IsNaN, Where) around each layer's softmax: document batches run 15 % faster on OpenVINO here.
    model = AutoModel.from_pretrained(model_path, local_files_only=True, attn_implementation="eager").eval()
    names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in tokenizer.model_input_names]
    sample = tokenizer(["an example sentence", "a second, longer example sentence"], padding=True,
                       return_tensors="pt")
    probes = tokenizer(list(PROBES), padding=True, return_tensors="pt")  # other lengths than the trace's
    fast = tokenizer.backend_tokenizer
    fast.enable_truncation(min(max_tokens, tokenizer.model_max_length))
    fast.enable_padding(pad_id=tokenizer.pad_token_id, pad_token=tokenizer.pad_token,
                        pad_type_id=tokenizer.pad_token_type_id)

    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=folder.name + ".", dir=folder.parent))
    pooled = _pooled(torch, model, names, pooling)
    with torch.inference_mode(False), torch.no_grad():
        expected = pooled(*(probes[n] for n in names)).numpy()  # first: after tracing, it gave other vectors
        torch.onnx.export(
            pooled, tuple(sample[n] for n in names), str(staging / "traced.onnx"),
            input_names=names, output_names=["embedding"],
            dynamic_axes={**{n: {0: "batch", 1: "tokens"} for n in names}, "embedding": {0: "batch"}},
            opset_version=OPSET, dynamo=False)
    _fold_shapes(staging, {n: probes[n].numpy() for n in names}, expected)
    fast.save(str(staging / "tokenizer.json"))
    (staging / "export.json").write_text(json.dumps(
        {"inputs": names, "dim": int(model.config.hidden_size), "pooling": pooling, "max_tokens": max_tokens,
         "source": str(model_path), "torch": torch.__version__}))
    try:
        os.rename(staging, folder)
    except OSError:  # another process finished the same export first
        if not (folder / "model.onnx").exists():
            raise


def _fold_shapes(staging: Path, feeds: Feeds, expected: np.ndarray) -> None:
    """``staging/model.onnx``: the traced graph with constant reshape targets (``onnx_shapes``), if it still
    gives torch's vectors for ``feeds``; else the traced graph as it is.

    The folding only saves time, so any failure of it (shape inference on a graph it does not know, a
    graph the runtime refuses) keeps the traced graph instead of failing the export.
    """
    import onnx
    import onnxruntime as ort

    from .onnx_shapes import constant_reshapes

    traced, folded = staging / "traced.onnx", staging / "model.onnx"
    try:
        onnx.save(constant_reshapes(onnx.load(str(traced))), str(folded))
        got = ort.InferenceSession(str(folded), providers=["CPUExecutionProvider"]).run(["embedding"], dict(feeds))[0]
        if got.shape == expected.shape and float((got * expected).sum(axis=1).min()) >= FOLDED_MIN_COSINE:
            traced.unlink()
            return
        logger.warning("constant reshape targets changed %s's vectors; its graph keeps the traced shapes", staging)
    except Exception:  # noqa: BLE001 - see the docstring
        logger.warning("could not give %s constant reshape targets; its graph keeps the traced shapes", staging,
                       exc_info=True)
    os.replace(traced, folded)


def quantize(folder: Path, worst_cosine: Callable[[Path], float]) -> None:
    """Write the int8 question graph beside the exported one, or INT8_REFUSED when ``worst_cosine`` of
    it falls under INT8_MIN_COSINE (questions then stay float32); renamed into place, never half-there.

    Only MatMul weights are quantised, per output channel: quantising the embedding table and
    attention too (onnxruntime's default) dropped all-MiniLM-L6-v2's cosine to float32 to 0.94.
    """
    from onnxruntime.quantization import QuantType, quantize_dynamic

    logger.info("quantising %s for questions (once)", folder / "model.onnx")
    staging = folder / f".{QUESTION_GRAPH}.{os.getpid()}"
    quantize_dynamic(folder / "model.onnx", staging, op_types_to_quantize=["MatMul"], per_channel=True,
                     weight_type=QuantType.QInt8)
    cosine = worst_cosine(staging)
    if cosine >= INT8_MIN_COSINE:
        os.replace(staging, folder / QUESTION_GRAPH)
        return
    logger.warning("int8 weights move this model's questions to cosine %.3f of float32 (under %.2f); "
                   "questions stay float32", cosine, INT8_MIN_COSINE)
    (folder / INT8_REFUSED).write_text(f"{cosine:.4f}\n")
    staging.unlink()


def _pooled(torch, model, names: list[str], pooling: str):
    """Transformer, then mean or CLS pooling, then L2 normalisation, as one traceable module.

    Built inside a function because torch is imported only when exporting.
    """

    class Pooled(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.model = model

        def forward(self, *inputs):
            feeds = dict(zip(names, inputs))
            hidden = self.model(**feeds).last_hidden_state
            if pooling == "cls":
                pooled = hidden[:, 0]
            else:
                mask = feeds["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2.0, dim=-1)

    return Pooled()
