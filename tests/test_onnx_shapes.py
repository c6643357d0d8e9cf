"""Reshape targets made constant where shape inference proves them, on small graphs run by ONNX Runtime."""

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

from index.onnx_shapes import constant_reshapes


def _graph(target_nodes: list, target: str) -> onnx.ModelProto:
    """x [batch, tokens, 8] reshaped to the shape ``target`` that ``target_nodes`` compute from x."""
    graph = helper.make_graph(
        [*target_nodes, helper.make_node("Reshape", ["x", target], ["y"], name="reshape")], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", "tokens", 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [numpy_helper.from_array(np.array(v, dtype=np.int64), n)
         for n, v in (("zero", [0]), ("one", [1]), ("heads", [2, 4]), ("width", [8]))])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def _dims(first: str, second: str) -> list:
    """Shape of x, its ``first`` and ``second`` dimensions (by initializer name), each as a 1-d tensor."""
    return [helper.make_node("Shape", ["x"], ["shape"]),
            helper.make_node("Gather", ["shape", first], ["a"], axis=0),
            helper.make_node("Gather", ["shape", second], ["b"], axis=0)]


def _run(model: onnx.ModelProto, x: np.ndarray) -> np.ndarray:
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(["y"], {"x": x})[0]


def _inputs() -> list[np.ndarray]:
    rng = np.random.default_rng(7)
    return [rng.standard_normal(shape).astype(np.float32) for shape in ((1, 5, 8), (3, 2, 8))]


def test_a_head_split_gets_a_constant_target_and_its_shape_chain_goes():
    computed = _graph([*_dims("zero", "one"), helper.make_node("Concat", ["a", "b", "heads"], ["target"], axis=0)],
                      "target")
    expected = [_run(computed, x) for x in _inputs()]
    folded = constant_reshapes(onnx.load_from_string(computed.SerializeToString()))
    reshape = next(n for n in folded.graph.node if n.op_type == "Reshape")
    targets = {i.name: numpy_helper.to_array(i).tolist() for i in folded.graph.initializer}
    assert targets[reshape.input[1]] == [0, 0, 2, 4]
    assert [n.op_type for n in folded.graph.node] == ["Reshape"]  # Shape, Gather and Concat gone
    for x, before in zip(_inputs(), expected):
        assert before.shape == (x.shape[0], x.shape[1], 2, 4)
        assert np.array_equal(_run(folded, x), before)


def test_a_target_with_two_unproven_dimensions_stays_computed():
    """[batch, tokens, 8] to [tokens, batch, 8]: neither of the first two is where it was, and a target
    can leave only one dimension to -1."""
    computed = _graph([*_dims("one", "zero"), helper.make_node("Concat", ["a", "b", "width"], ["target"], axis=0)],
                      "target")
    folded = constant_reshapes(onnx.load_from_string(computed.SerializeToString()))
    assert [n.op_type for n in folded.graph.node] == [n.op_type for n in computed.graph.node]
    for x in _inputs():
        assert np.array_equal(_run(folded, x), _run(computed, x))
        assert _run(folded, x).shape == (x.shape[1], x.shape[0], 8)
