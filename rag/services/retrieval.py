"""Hybrid retrieval: dense (Chroma) and BM25 over jieba tokens, fused by reciprocal rank."""

from __future__ import annotations

from collections.abc import Sequence

from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode
from llama_index.core.vector_stores.types import VectorStoreQuery

from rag.components.chinese_tokens import quoted_terms, term_coverage, unknown_words
from rag.components.vector_store import cosine_from_score
from rag.services.index_store import IndexStore
from rag.settings import RetrievalSettings


class HybridRetriever(BaseRetriever):
    """Returns copies of the chunks with `dense_similarity` (cosine, -1 when the dense side
    did not return the chunk), `dense_rank` and `bm25_rank` added to their metadata."""

    def __init__(
        self, index: IndexStore, embed_model: BaseEmbedding, settings: RetrievalSettings
    ) -> None:
        super().__init__()
        self.index = index
        self.embed_model = embed_model
        self.settings = settings

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        cfg = self.settings
        embedding = query_bundle.embedding or self.embed_model.get_query_embedding(
            query_bundle.query_str
        )
        dense = self.index.vector_store.query(
            VectorStoreQuery(query_embedding=embedding, similarity_top_k=cfg.dense_top_k)
        )
        nodes: dict[str, TextNode] = {}
        fused: dict[str, float] = {}
        extra: dict[str, dict[str, float | int]] = {}
        for rank, (node, score) in enumerate(
            zip(dense.nodes or [], dense.similarities or [], strict=False)
        ):
            nodes[node.node_id] = node  # type: ignore[assignment]
            fused[node.node_id] = fused.get(node.node_id, 0.0) + 1.0 / (cfg.rrf_k + rank + 1)
            extra.setdefault(node.node_id, {})["dense_similarity"] = round(
                cosine_from_score(score), 4
            )
            extra[node.node_id]["dense_rank"] = rank + 1
        for rank, (chunk, _score) in enumerate(
            self.index.bm25().query(query_bundle.query_str, cfg.bm25_top_k)
        ):
            if chunk.node_id not in nodes:
                nodes[chunk.node_id] = TextNode(
                    id_=chunk.node_id, text=chunk.text, metadata=dict(chunk.metadata)
                )
            fused[chunk.node_id] = fused.get(chunk.node_id, 0.0) + 1.0 / (cfg.rrf_k + rank + 1)
            extra.setdefault(chunk.node_id, {})["bm25_rank"] = rank + 1
        ranked = sorted(fused, key=lambda node_id: fused[node_id], reverse=True)[: cfg.top_k]
        results = []
        for node_id in ranked:
            node = nodes[node_id]
            metadata = {
                **node.metadata,
                "dense_similarity": -1.0,
                "dense_rank": 0,
                "bm25_rank": 0,
                **extra[node_id],
            }
            copy = TextNode(id_=node_id, text=node.get_content(), metadata=metadata)
            results.append(NodeWithScore(node=copy, score=fused[node_id]))
        return results


def best_similarity(hits: Sequence[NodeWithScore]) -> float:
    """The dense cosine similarity of the closest retrieved chunk (-1 when none has one)."""
    return max((float(h.node.metadata.get("dense_similarity", -1.0)) for h in hits), default=-1.0)


def worth_asking(question: str, hits: Sequence[NodeWithScore], settings: RetrievalSettings) -> bool:
    """Whether the retrieved chunks may hold the answer at all, so that the LLM is asked:
    the closest is within `min_dense_similarity` of the question; or, however far it is, a
    chunk holds a name the question asks about (李若岚, a word jieba's dictionary does not
    know) or what it quotes (「碧草如茵」); or the top chunk writes `min_term_coverage` of the
    question's words, weighted by rarity (「核心保护区有多大？」 against the passage that gives
    the area: a short question can sit far from the very passage that answers it)."""
    if not hits:
        return False
    if best_similarity(hits) >= settings.min_dense_similarity:
        return True
    names = unknown_words(question) + quoted_terms(question)
    if any(n in h.node.get_content().lower() for n in names for h in hits):
        return True
    return term_coverage(question, hits[0].node.get_content()) >= settings.min_term_coverage
