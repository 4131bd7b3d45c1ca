"""Runs an exported embedding graph (see embedding_export) on OpenVINO or ONNX Runtime."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from rag.components.embedding_export import GRAPH

Runtime = Literal["openvino", "onnxruntime"]
Precision = Literal["auto", "f32"]
# token ids [batch, seq] and attention mask [batch, seq] (int64) -> vectors [batch, dim]
Runner = Callable[[Any, Any], Any]


def open_runtime(folder: Path, runtime: Runtime, precision: Precision = "auto") -> Runner:
    """A function that runs the graph in `folder`. `precision="auto"` lets OpenVINO compute in
    bfloat16 where the CPU has it natively (AVX512-BF16 or AMX; measured probe cosine 0.9998
    against fp32), and in fp32 elsewhere; ONNX Runtime always computes in fp32."""
    graph = str(folder / GRAPH)
    if runtime == "onnxruntime":
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        session = ort.InferenceSession(graph, options, providers=["CPUExecutionProvider"])

        def run_ort(input_ids: Any, attention_mask: Any) -> Any:
            feed = {"input_ids": input_ids, "attention_mask": attention_mask}
            return session.run(None, feed)[0]

        return run_ort

    import openvino as ov

    core = ov.Core()
    compiled = core.compile_model(
        graph,
        "CPU",
        {
            "INFERENCE_PRECISION_HINT": openvino_precision(core, precision),
            "PERFORMANCE_HINT": "LATENCY",
        },
    )
    # One infer request, not safe to share between threads: callers serialise (ExportedEmbedding
    # holds a lock around tokenising and running).
    request = compiled.create_infer_request()

    def run_ov(input_ids: Any, attention_mask: Any) -> Any:
        feed = {"input_ids": input_ids, "attention_mask": attention_mask}
        return request.infer(feed)[0].copy()

    return run_ov


def openvino_precision(core: Any, precision: Precision) -> str:
    capabilities = core.get_property("CPU", "OPTIMIZATION_CAPABILITIES")
    return "bf16" if precision == "auto" and "BF16" in capabilities else "f32"
