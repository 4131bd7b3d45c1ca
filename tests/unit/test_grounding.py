from rag.services.grounding import (
    cited_numbers,
    is_refusal,
    strip_markers,
)


def test_citation_markers_in_the_shapes_small_models_write() -> None:
    assert cited_numbers("107.37亿元。根据资料编号[1]。") == [1]
    assert cited_numbers("65.6亿元 [编号2]") == [2]
    assert cited_numbers("见【1,3】和[2]") == [1, 3, 2]
    assert strip_markers("五座城市是上海。根据资料编号 [2] 和 [3]。") == "五座城市是上海。"
    assert strip_markers("总额107.37亿元。[编号] [2]") == "总额107.37亿元。"


def test_refusal_phrases() -> None:
    refusal = "文档中没有找到这个问题的答案。"
    assert is_refusal(refusal, refusal)
    assert is_refusal("资料中未提及2023年的数据。", refusal)
    assert is_refusal("", refusal)
    assert not is_refusal("107.37亿元[1]", refusal)
