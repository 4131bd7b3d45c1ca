from rag.components.chinese_tokens import term_coverage
from rag.components.embedding import HashingEmbedding
from rag.components.llm import ScriptedLLM
from rag.services.rag_service import RagService
from rag.settings import Settings
from tests.conftest import SEED_FOREIGN_TRADE_2025, SEEDS


def test_hashing_fake_ranks_by_shared_characters() -> None:
    embed = HashingEmbedding()
    query = embed.get_query_embedding("外贸进出口总额")
    near = embed.get_text_embedding("克州外贸进出口总额107.37亿元")
    far = embed.get_text_embedding("广州文化企业30强榜单")
    dot = lambda a, b: sum(x * y for x, y in zip(a, b, strict=True))  # noqa: E731
    assert dot(query, near) > dot(query, far)


def test_hybrid_finds_the_passage_and_reports_both_rankings(test_settings: Settings) -> None:
    service = RagService(test_settings, embed_model=HashingEmbedding(), llm=ScriptedLLM())
    service.ingest([SEEDS], progress=False)
    hits = service.retriever().retrieve("克州1-9月外贸进出口总额")
    assert len(hits) == test_settings.retrieval.top_k
    top = [h for h in hits if "107.37亿元" in h.node.get_content()]
    assert top
    assert top[0].node.metadata["source"] == SEED_FOREIGN_TRADE_2025.name
    meta = top[0].node.metadata
    assert meta["bm25_rank"] >= 1
    assert meta["dense_rank"] >= 1
    assert -1.0 <= meta["dense_similarity"] <= 1.0
    scores = [h.score or 0 for h in hits]
    assert scores == sorted(scores, reverse=True)


def test_bm25_matches_a_rare_exact_term(test_settings: Settings) -> None:
    service = RagService(test_settings, embed_model=HashingEmbedding(), llm=ScriptedLLM())
    service.ingest([SEEDS], progress=False)
    hits = service.index.bm25().query("海德坤集团无花果", 3)
    assert "海德坤" in hits[0][0].text


def test_term_coverage_weighs_what_the_question_is_about() -> None:
    own = "保护区总面积约47平方公里，其中核心保护区约22平方公里，缓冲区约25平方公里。"
    other = "该公司的销量大约为每年3万台，核心业务是汽车零件。"
    assert term_coverage("核心保护区有多大？", own) == 1.0
    # 核心 is there, 保护区 (the rarer word) is not
    assert term_coverage("核心保护区有多大？", other) < 0.5
    assert term_coverage("有多大？", own) == 0.0  # no content word: nothing to cover
