from rag.services.grounding import (
    cited_numbers,
    contains_number,
    find_evidence,
    is_refusal,
    question_coverage,
    strip_markers,
)

PASSAGES = [
    "今年1-9月,克州外贸进出口总额107.37亿元,同比增长45.2%。",
    "2024年1至8月，克州完成外贸进出口总额65.6亿元，同比增长270%。",
    "上海、深圳、常州、苏州、广州成为中国新能源产业集聚度最高的五座城市。",
]


def test_citation_markers_in_the_shapes_small_models_write() -> None:
    assert cited_numbers("107.37亿元。根据资料编号[1]。") == [1]
    assert cited_numbers("65.6亿元 [编号2]") == [2]
    assert cited_numbers("见【1,3】和[2]") == [1, 3, 2]
    assert strip_markers("五座城市是上海。根据资料编号 [2] 和 [3]。") == "五座城市是上海。"
    assert strip_markers("总额107.37亿元。[编号] [2]") == "总额107.37亿元。"


def test_numbers_match_whole_numbers_only() -> None:
    assert contains_number("总额107.37亿元", "107.37")
    assert not contains_number("总额107.37亿元", "07.37")
    assert not contains_number("总额107.37亿元", "107.3")
    assert not contains_number("总额1107亿元", "107")


def test_a_miscited_number_is_moved_to_the_passage_that_holds_it() -> None:
    evidence = find_evidence("总额为65.6亿元[1]", "2024年1至8月克州外贸总额", PASSAGES)
    assert evidence.passages == [1]
    assert evidence.unsupported_numbers == []


def test_a_correct_citation_is_kept() -> None:
    assert find_evidence("107.37亿元[1]", "1-9月外贸总额", PASSAGES).passages == [0]


def test_a_number_in_no_passage_is_reported() -> None:
    evidence = find_evidence("总额为88.8亿元，增长45.2%[1]", "克州外贸总额", PASSAGES)
    assert evidence.unsupported_numbers == ["88.8"]
    assert evidence.passages == [0]


def test_numbers_from_the_question_need_no_source() -> None:
    assert find_evidence("2023年为107.37亿元[1]", "2023年总额", PASSAGES).unsupported_numbers == []


def test_without_numbers_only_cited_passages_sharing_the_wording_stay() -> None:
    answer = "五座城市是上海、深圳、常州、苏州、广州。[1][3]"
    assert find_evidence(answer, "哪五座城市", PASSAGES).passages == [2]


def test_refusal_phrases() -> None:
    refusal = "文档中没有找到这个问题的答案。"
    assert is_refusal(refusal, refusal)
    assert is_refusal("资料中未提及2023年的数据。", refusal)
    assert is_refusal("", refusal)
    assert not is_refusal("107.37亿元[1]", refusal)


def test_question_coverage_flags_what_the_passages_do_not_mention() -> None:
    coverage, missing = question_coverage("克州2023年全年地区生产总值是多少？", PASSAGES[:1])
    assert coverage < 0.5
    assert "生产总值" in missing
    coverage, missing = question_coverage("克州1-9月外贸总额", PASSAGES[:1])
    assert coverage == 1.0
    assert missing == []
    # a word jieba glues to its neighbour (「8月克州」 → 「月克州」) still counts by its bigrams
    coverage, _ = question_coverage("2024年1至8月克州外贸进出口总额", PASSAGES[1:2])
    assert coverage >= 0.8


def test_a_year_in_the_question_is_not_backed_by_a_neighbouring_year() -> None:
    # the 2024 foreign-trade passage of seed 000 once covered a 2023 GDP question at 0.53:
    # 「2023」 got 2/3 credit from the bigrams of 「2024」
    passage = "中新网乌鲁木齐9月27日电“2024年1至8月，克州完成外贸进出口总额65.6亿元。”占整个南疆地区进出口贸易的七成以上。"
    coverage, missing = question_coverage("克州2023年全年地区生产总值是多少？", [passage])
    assert "2023" in missing
    assert coverage < 0.5
