"""bench/cmrc_reextract.py: recorded replies are read from every report shape the bench
writes, and checked again against their own passage."""

import json
from pathlib import Path

from bench.cmrc import Passage, Question
from bench.cmrc_reextract import recorded_replies, reextract


def test_replies_are_read_from_each_report_shape_first_file_first(tmp_path: Path) -> None:
    full = {"records": {"pipeline": [{"query_id": "Q1", "raw_answer": "1986年"}]}}
    replay = {"records": [{"query_id": "Q1", "raw_answer": "later"}, {"query_id": "Q2"}]}
    bare = [{"query_id": "Q3", "raw_answer": "3"}]
    for name, report in (("cmrc_a.json", full), ("cmrc_b.json", replay), ("cmrc_c.json", bare)):
        (tmp_path / name).write_text(json.dumps(report), encoding="utf-8")
    # Q2 has no reply recorded; Q1's first file wins
    assert recorded_replies(tmp_path.glob("*.json")) == {"Q1": "1986年", "Q3": "3"}


def test_a_reply_is_checked_against_its_own_passage() -> None:
    passage = Passage("P1", "卡塞雷斯", "卡塞雷斯老城区在1986年被登录为世界文化遗产。")
    questions = [
        Question("Q1", "P1", "卡塞雷斯老城区是何时被列为世界文化遗产的？", ["1986年"]),
        Question("Q2", "P1", "卡塞雷斯老城区有多少人口？", ["无"]),
        Question("Q3", "P1", "没有记录的问题？", ["无"]),
    ]
    replies = {"Q1": "1986年", "Q2": "12万人"}  # 12万人 is in no passage
    records = reextract(questions, {"P1": passage}, replies, 0.34)
    assert [(r["query_id"], r["short_answer"], r["refused"]) for r in records] == [
        ("Q1", "1986年", False),
        ("Q2", "", True),
    ]
    assert (records[0]["f1"], records[0]["em"]) == (1.0, 1.0)
