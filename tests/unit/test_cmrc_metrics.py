import pytest

from bench.cmrc_metrics import (
    exact_match,
    f1_score,
    first_gold_rank,
    longest_common_substring,
    percentile,
    recall_at,
    reciprocal_rank_at,
    segment,
    summarise_ranks,
)


def test_segment_splits_cjk_by_character_and_keeps_latin_and_digit_runs_whole() -> None:
    assert segment("2018年CMRC比赛，共有100支队伍！") == [
        "2018", "年", "cmrc", "比", "赛", "共", "有", "100", "支", "队", "伍",
    ]  # fmt: skip
    assert segment("增长45.2%") == ["增", "长", "45.2", "%"]
    assert segment("Jean Pierre") == ["jean", "pierre"]


def test_segment_drops_only_the_official_punctuation_unless_asked_to_keep_it() -> None:
    assert segment("《踢爆》") == ["踢", "爆"]
    assert segment("让-皮埃尔·巴利冈") == list("让皮埃尔巴利冈")
    assert segment("《踢爆》", drop_punctuation=False) == ["《", "踢", "爆", "》"]


def test_f1_is_character_level_against_the_longest_common_substring() -> None:
    # 3 gold tokens (107.37 亿 元) inside a 9-token sentence: P = 3/9, R = 1.
    assert f1_score("克州外贸总额107.37亿元。", ["107.37亿元"]) == pytest.approx(0.5)
    # Same characters, other order: only a contiguous run counts (here 2 of 4).
    assert f1_score("大学北京", ["北京大学"]) == pytest.approx(0.5)
    assert f1_score("踢爆", ["踢爆"]) == pytest.approx(1.0)
    assert f1_score("无关", ["踢爆"]) == 0.0


def test_scores_take_the_best_gold_answer() -> None:
    answers = ["1546年", "1546年－1618年"]
    assert f1_score("1546年－1618年", answers) == pytest.approx(1.0)
    assert exact_match("1546年", answers) == 1.0
    # 2 of 4 predicted tokens, all of the first answer: P = 1/2, R = 1.
    assert f1_score("生于1546年", answers) == pytest.approx(2 / 3)


def test_exact_match_ignores_case_and_punctuation_but_not_extra_words() -> None:
    assert exact_match("《踢爆》", ["踢爆"]) == 1.0
    assert exact_match(" Nexon ", ["nexon"]) == 1.0
    assert exact_match("答案是踢爆", ["踢爆"]) == 0.0


def test_an_empty_answer_scores_zero() -> None:
    assert f1_score("", ["踢爆"]) == 0.0
    assert exact_match("", ["踢爆"]) == 0.0
    assert f1_score("。", ["踢爆"]) == 0.0


def test_longest_common_substring() -> None:
    assert longest_common_substring(list("abcde"), list("xbcdy")) == 3
    assert longest_common_substring([], list("abc")) == 0


def test_retrieval_metrics_follow_the_first_gold_rank() -> None:
    ranked = ["p7", "p3", "p3", "p9"]
    assert first_gold_rank(ranked, "p3") == 2
    assert first_gold_rank(ranked, "p1") is None
    assert recall_at(2, 1) == 0.0
    assert recall_at(2, 5) == 1.0
    assert recall_at(None, 5) == 0.0
    assert reciprocal_rank_at(2, 10) == 0.5
    assert reciprocal_rank_at(11, 10) == 0.0
    summary = summarise_ranks([1, 2, 6, None])
    assert summary["R@1"] == 0.25
    assert summary["R@5"] == 0.5
    assert summary["R@10"] == 0.75
    assert summary["MRR@10"] == pytest.approx(round((1 + 1 / 2 + 1 / 6) / 4, 4))


def test_percentile_interpolates_like_numpy() -> None:
    assert percentile([3.0, 1.0, 2.0, 4.0], 50) == pytest.approx(2.5)
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0], 95) == pytest.approx(4.8)
    assert percentile([7.0], 95) == 7.0
