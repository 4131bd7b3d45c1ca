from llama_index.core.schema import Document

from rag.components.splitter import ChineseSentenceSplitter, chunk_spans, sentence_spans


def _sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


def test_sentences_end_at_chinese_marks_and_keep_closing_quotes() -> None:
    text = "他说：“增长很快。”总额65.6亿元！是否属实？是；完毕"
    assert _sentences(text) == [
        "他说：“增长很快。”",
        "总额65.6亿元！",
        "是否属实？",
        "是；",
        "完毕",
    ]


def test_ascii_period_inside_a_number_never_ends_a_sentence() -> None:
    assert _sentences("总额107.37亿元,同比增长45.2%。下一句。") == [
        "总额107.37亿元,同比增长45.2%。",
        "下一句。",
    ]


def test_ascii_question_mark_and_semicolon_after_cjk_end_sentences() -> None:
    assert _sentences("问渠那得清如许?为有源头活水来;version 2.0 ok") == [
        "问渠那得清如许?",
        "为有源头活水来;",
        "version 2.0 ok",
    ]


def test_chunks_respect_size_cover_text_and_overlap() -> None:
    text = "".join(f"第{i}句话说的是增长{i}.5%。" for i in range(60))
    spans = chunk_spans(text, size=100, overlap=30)
    assert all(e - s <= 100 for s, e in spans)
    assert spans[0][0] == 0
    assert spans[-1][1] == len(text)
    for (_s1, e1), (s2, _e2) in zip(spans, spans[1:], strict=False):
        assert s2 < e1, "consecutive chunks overlap"
        assert text[s2 - 1] == "。", "chunks start at a sentence start"


def test_an_overlong_sentence_is_cut_at_clauses_never_inside_a_number() -> None:
    text = "项目" + "，".join(f"金额{i}123.45亿元" for i in range(40)) + "。"
    for s, e in chunk_spans(text, size=50, overlap=0):
        piece = text[s:e]
        assert len(piece) <= 50
        assert not piece[-1].isdigit() or e == len(text)


def test_nodes_carry_offsets_into_the_document_text() -> None:
    text = "第一段第一句。第一段第二句！\n第二段，金额65.6亿元。" * 10
    doc = Document(id_="doc", text=text, metadata={"source": "a.txt"})
    nodes = ChineseSentenceSplitter(chunk_size=40, chunk_overlap=10).get_nodes_from_documents([doc])
    assert len(nodes) > 3
    for node in nodes:
        assert text[node.start_char_idx : node.end_char_idx] == node.get_content()
        assert node.metadata["source"] == "a.txt"
        assert node.ref_doc_id == "doc"
        assert "65.6" not in node.get_content() or "65.6亿元" in node.get_content()


def test_the_source_document_is_hashed_once_not_once_per_chunk(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # llama-index's as_related_node_info() hashes the whole document; called for every
    # chunk it made chunking quadratic in the file's size (a 30 MB text took hours).
    calls = []
    original = Document.as_related_node_info

    def counted(self):  # type: ignore[no-untyped-def]
        calls.append(1)
        return original(self)

    monkeypatch.setattr(Document, "as_related_node_info", counted)
    text = "克州外贸进出口总额107.37亿元，同比增长45.2%。" * 2000
    nodes = ChineseSentenceSplitter(chunk_size=350, chunk_overlap=60).get_nodes_from_documents(
        [Document(text=text)]
    )
    assert len(nodes) > 100
    assert len(calls) == 1
