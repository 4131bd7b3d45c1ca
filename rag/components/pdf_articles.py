"""Articles from a PDF's blocks in reading order: a headline opens one, body and captions join it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from rag.components.page_layout import Article, PageLayout, SetAside, SetAsideKind
from rag.components.text_repair import DATELINE, ends_sentence, join_pair, remove_spaces

Role = Literal["headline", "body", "caption", "furniture", "byline"]
_SOURCE = re.compile(r"^(新华社|中新网|新华网|人民网|央视网|央广网|中国新闻网)")
# A teaser (「导读」) or jump whose body is only the page it points to: 「第五版」, 「（下转第二版）」
_PAGE_POINTER = re.compile(
    r"^[（(]?(?:见|详见|下转|上接|转)?第?[一二三四五六七八九十\d]{1,3}版[）)]?$"
)
# What a newspaper's masthead and date box print: not an article.
_MASTHEAD = re.compile(
    r"连续出版物号|邮发代号|社出版|网址[:：]|今日\s*\d+\s*版|第\s*\d+\s*期|星期[一二三四五六日天]"
    r"|[甲乙丙丁戊己庚辛壬癸][子丑寅卯辰巳午未申酉戌亥]年"
)
_ONLY_DATE = re.compile(r"^(?:19|20)\d{2}年\d{1,2}月\d{1,2}日(?:星期[一二三四五六日天])?$")
# A short label that opens a section: 「事件:」, 「投资要点：」, 「风险提示:」
_LABEL_HEADING = re.compile(r"^\s*[\u4e00-\u9fff]{2,6}\s*[:：]\s*$")
# Marks no headline prints: a masthead's date line set large is furniture, not a title.
_MASTHEAD_ONLY = re.compile(r"连续出版物号|邮发代号|社出版|主管\s*主办|国内统一刊号")
_JUMP = re.compile(r"\s*[（(](?:下转|上接|转|接)第?[一二三四五六七八九十\d]{1,3}版[）)]\s*")
MASTHEAD_CHARS = 80  # a masthead piece is at most this long and states no sentence
# A short block that states no sentence and is less than half Chinese characters, on a page
# whose other text does state Chinese sentences, is data (figures, codes, e-mail addresses: a
# report's sidebar), not an article. On bench/real_pages every article states a sentence (the
# least Chinese, a broker report's, is 0.32 Chinese); the two sidebars state none and are 0.42
# and 0.43 Chinese. A long one is a table whose figures a reader may ask about: it stays a
# document. A page with no Chinese sentence (an English one) is left as it is.
DATA_CJK_SHARE = 0.5
DATA_CHARS = 600
_LATIN_SENTENCE = re.compile(r"[A-Za-z]{2}[.!?](?:\s|$)")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# A table's title read as the opening of text: 「表2：可比公司估值」, 「表 3 主要财务指标」.
_TABLE_TITLE = re.compile(r"^(?:附)?表\s*\d+(?:[-.．]\d+)?\s*[:：、.]?")


@dataclass
class Block:
    role: Role
    page: int
    lines: list[str]
    # Per line: starts a paragraph (indented, or the line before it ended short).
    new_paragraph: list[bool]
    # Set for a one-line block in the top or bottom band: the text with digits masked,
    # to find running headers and footers (page numbers differ) across pages.
    band_key: str | None = None
    # Where the block stands (PDF coordinates, y grows upwards) and its first line's font
    # size: a headline far below the one before it is not the same headline.
    top: float = 0.0
    bottom: float = 0.0
    size: float = 0.0
    # The first line is a sub-heading (a short bold line over a body that is not bold).
    subheading: bool = False

    @property
    def text(self) -> str:
        joined = ""
        for line in self.lines:
            joined = join_lines(joined, line)
        return joined


def join_lines(left: str, right: str) -> str:
    """Lines of one paragraph: CJK joins directly (`join_pair`); Latin text keeps a word space.

    The test is on the whole left line, not its last character: a Chinese line ending in
    "18." continues with "6%" with no space, an English one ending in "stored:" with one.
    """
    if not left or not right:
        return left + right
    latin = sum(1 for c in left if c.isascii()) >= 0.7 * len(left)
    if latin and left[-1].isascii() and left[-1] != "-" and right[0].isascii():
        return f"{left} {right}"
    return join_pair(left, right)


@dataclass
class _Draft:
    title: str
    page: int
    paragraphs: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    byline: str = ""
    heading_last: bool = False  # the last paragraph is a heading: the body goes on below it

    def add_heading(self, text: str) -> None:
        self.paragraphs.append(text)
        self.heading_last = True

    def add_body(self, block: Block) -> None:
        for line, new in zip(block.lines, block.new_paragraph, strict=True):
            if not self.paragraphs or new or self.heading_last:
                self.paragraphs.append(line)
            else:
                self.paragraphs[-1] = join_lines(self.paragraphs[-1], line)
            self.heading_last = False

    def article(self, date: str) -> Article:
        text = "\n".join(self.paragraphs)
        source = _SOURCE.match(text)
        return Article(
            self.title, text, date, source.group(1) if source else "", byline=self.byline
        )


def masthead_line(text: str) -> bool:
    """A line only a masthead prints (「…主管主办 国内统一连续出版物号…」), whatever its size."""
    return bool(_MASTHEAD_ONLY.search(text))


def _states(text: str) -> bool:
    """The text ends a Chinese sentence somewhere."""
    return bool(re.search("[。！？]", text))


def _not_an_article(draft: _Draft, prose_pages: set[int]) -> SetAsideKind | None:
    """A teaser whose body is only the page it points to (「导读」 boxes) is set aside as
    other text; a short piece of a newspaper's masthead or date box (「人民日报社出版」,
    「星期二乙巳年十一月十八」) as furniture; a block of data that states no sentence (a
    report's sidebar: 「证券分析师：… 当前价格（元）…」, a table read as text: 「表2：可比公司
    估值…」) as other text or a table."""
    body = re.sub(r"\s+", "", "".join(draft.paragraphs))
    if draft.title and _PAGE_POINTER.match(body):
        return "other"
    text = draft.title + body
    states = _states(text)
    if len(text) <= MASTHEAD_CHARS and not states and _MASTHEAD.search(text):
        return "furniture"
    if states or len(body) > DATA_CHARS or draft.page not in prose_pages:
        return None
    if _LATIN_SENTENCE.search(" ".join(draft.paragraphs)):
        return None  # an English paragraph on a Chinese page
    if _TABLE_TITLE.match(body):
        return "table_row"
    return "other" if len(_CJK.findall(body)) < DATA_CJK_SHARE * len(body) else None


def _section_heading(above: Block | None, block: Block) -> bool:
    """A headline set smaller than the headline above it and a line or more below it:
    a section heading that opens the article's body (「核心观点」 under a report's title),
    not the headline's next line or its subtitle, which stand close under it."""
    return (
        above is not None
        and block.size < 0.9 * above.size
        and above.bottom - block.top > block.size
    )


def _higher_up(above: Block | None, block: Block) -> bool:
    """`block` stands wholly above the headline read before it, on the same page: not its
    next line or subtitle but another heading (a mind map read in its producer's order:
    the first branch's label stands above the map's title, which heads no text)."""
    return above is not None and above.page == block.page and block.bottom > above.top


def _rest(block: Block) -> Block:
    """The block without its first line."""
    rest = Block(block.role, block.page, block.lines[1:], block.new_paragraph[1:])
    rest.new_paragraph[0] = True
    return rest


def assemble_articles(blocks: list[Block], page_dates: dict[int, str] | None = None) -> PageLayout:
    """A headline opens an article; body blocks and captions in reading order join it."""
    drafts: list[_Draft] = []
    furniture: list[str] = []
    pending_captions: list[str] = []
    last_role: Role | None = None
    previous: Block | None = None
    for index, block in enumerate(blocks):
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        current = drafts[-1] if drafts else None
        if block.role == "byline":
            # Under a headline, or before the first body of an article: its author.
            if current is None or current.paragraphs or current.byline:
                current = _Draft("", block.page, captions=pending_captions)
                pending_captions = []
                drafts.append(current)
            current.byline = block.text
        elif block.role == "headline" and _ONLY_DATE.match(remove_spaces(block.text)):
            # 「2024年10月29日」 set large in a report's or newspaper's header: its date
            furniture.append(block.text)
            continue
        elif (
            block.role == "headline"
            and current is not None
            and _LABEL_HEADING.match(block.text)
            and (following is None or following.role != "headline")
        ):
            # 「事件:」「投资要点：」 over body text: a section of the article, not an article
            # of its own (「人民时评：」 over a headline is that headline's kicker)
            current.add_heading(block.text)
        elif block.role == "headline" and masthead_line(block.text):
            # 「2024年10月16日 星期三 …主管主办 国内统一连续出版物号…」 set in large type
            furniture.append(block.text)
            continue
        elif block.role == "headline":
            if (
                current is not None
                and last_role == "headline"
                and not current.paragraphs
                and not _higher_up(previous, block)
            ):
                if _section_heading(previous, block):
                    current.add_heading(block.text)
                else:
                    current.title = join_lines(current.title, block.text)
            else:
                drafts.append(_Draft(block.text, block.page, captions=pending_captions))
                pending_captions = []
        elif block.role == "furniture":  # a section label (「【生活智慧】」)
            furniture.append(block.text)
        elif block.role == "caption":
            if current is None:
                pending_captions.append(block.text)
            else:
                current.captions.append(block.text)
        elif block.role == "body":
            starts_new = (
                current is not None
                and current.paragraphs
                and block.new_paragraph[0]
                and DATELINE.match(block.lines[0])
                and ends_sentence(current.paragraphs[-1])
            )
            if current is None or starts_new:
                current = _Draft("", block.page, captions=pending_captions)
                pending_captions = []
                drafts.append(current)
                if block.subheading and len(block.lines) > 1 and not current.title:
                    # A text that opens with a sub-heading and no headline: its title.
                    current.title = block.lines[0]
                    block = _rest(block)
            current.add_body(block)
        last_role = block.role
        previous = block
    layout = PageLayout(articles=[], set_aside=[SetAside("furniture", t) for t in furniture])
    prose_pages = {d.page for d in drafts if _states("".join(d.paragraphs))}
    for draft in drafts:
        kind = _not_an_article(draft, prose_pages)
        if kind:
            pieces = [draft.title, *draft.paragraphs]
            layout.set_aside.append(SetAside(kind, " ".join(p for p in pieces if p)))
            continue
        if not draft.paragraphs:
            if draft.title:
                layout.set_aside.append(SetAside("headline", draft.title))
            if draft.byline:
                layout.set_aside.append(SetAside("other", draft.byline))
            layout.set_aside += [SetAside("caption", c) for c in draft.captions]
            continue
        article = draft.article((page_dates or {}).get(draft.page, ""))
        number = len(layout.articles)
        layout.articles.append(article)
        # 「（下转第二版）」: where the story goes on, not its text
        jumps = [j.strip() for j in _JUMP.findall(article.text)]
        if jumps:
            text = _JUMP.sub("", article.text)
            article.text = "\n".join(p for p in text.split("\n") if p.strip())
            layout.set_aside += [SetAside("furniture", jump, number) for jump in jumps]
        article.captions = draft.captions
        layout.set_aside += [SetAside("caption", c, number) for c in draft.captions]
    for caption in pending_captions:
        layout.set_aside.append(SetAside("caption", caption))
    return layout
