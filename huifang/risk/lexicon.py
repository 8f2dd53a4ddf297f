"""The Chinese risk lexicon over officers' notes: pure, no ORM.

A term (停产, 裁员, 查封 …) raises its signal where it stands in a note as
whole jieba words: the match must begin where a word begins (so 跑路 is not
found in 奔跑路线), or lie inside one compound word (破产 in 企业破产). A term
preceded, within the same clause and a few words, by a negator (未停产, 没有裁员,
否认拖欠工资, 并未发现转移资产) raises nothing; 停产了 and 已停产 do.
"""

import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

# Words that deny what follows them. Matched as whole jieba words, so 无法 or 不断 are not negators.
NEGATORS = frozenset(
    {
        "未",
        "没",
        "没有",
        "无",
        "不",
        "并未",
        "尚未",
        "从未",
        "否认",
        "不存在",
        "未曾",
        "并无",
        "并非",
        "不是",
        "非",
        "毫无",
        "未见",
        "未发现",
        "没发现",
        "未有",
        "暂无",
        "排除",
    }
)
# Words that end a negation's reach inside a clause: 没有钱所以停产了, 未停产但已裁员.
SCOPE_BREAKERS = frozenset(
    {
        "但",
        "但是",
        "可是",
        "却",
        "所以",
        "因此",
        "因而",
        "导致",
        "造成",
        "致使",
        "而",
        "然而",
        "不过",
        "后来",
        "如今",
        "已",
        "已经",
    }
)
# How many words before a term a negator may stand (未发现有停产: 未发现, 有 → negated).
NEGATION_WINDOW = 3
# A negator never reaches across a clause.
CLAUSE_BREAK = re.compile(r"[，。；！？,.;!?\n\r、：:（）()]")
EXCERPT_CHARS = 24


@dataclass(frozen=True)
class Term:
    term: str
    code: str
    severity: str


@dataclass(frozen=True)
class Hit:
    term: str
    code: str
    severity: str
    start: int  # character offsets in the normalised text
    end: int
    excerpt: str  # the clause around the term, as evidence


# Shipped with the product (data migration 0002); admins and risk managers edit them.
DEFAULT_TERMS: tuple[Term, ...] = (
    Term("停产", "business_decline", "high"),
    Term("停工", "business_decline", "medium"),
    Term("裁员", "business_decline", "medium"),
    Term("倒闭", "business_decline", "high"),
    Term("拖欠工资", "repayment_ability", "high"),
    Term("欠薪", "repayment_ability", "high"),
    Term("资金链断裂", "repayment_ability", "high"),
    Term("破产", "repayment_ability", "high"),
    Term("违约", "repayment_willingness", "medium"),
    Term("逾期", "repayment_ability", "medium"),
    Term("诉讼", "legal_risk", "high"),
    Term("起诉", "legal_risk", "high"),
    Term("被执行", "legal_risk", "high"),
    Term("涉诉", "legal_risk", "medium"),
    Term("失联", "borrower_missing", "high"),
    Term("跑路", "borrower_missing", "high"),
    Term("查封", "asset_seizure", "high"),
    Term("冻结", "asset_seizure", "high"),
    Term("转移资产", "asset_transfer", "high"),
    Term("抽逃", "asset_transfer", "high"),
    Term("赌博", "fund_misuse", "high"),
    Term("挪用", "fund_misuse", "high"),
)


@cache
def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def normalise(text: str) -> str:
    # Full-width letters, digits and punctuation as their ASCII forms, as the archive does.
    return unicodedata.normalize("NFKC", text or "")


def tokens(text: str) -> list[tuple[str, int, int]]:
    """(word, start, end) of the text's jieba words (precise mode)."""
    return [(w, s, e) for w, s, e in _jieba().tokenize(text)]


def _is_break(word: str) -> bool:
    return bool(CLAUSE_BREAK.search(word))


def _negated(words: list[tuple[str, int, int]], index: int, prefix: str) -> bool:
    """Is the term starting in words[index] (after `prefix` inside that word) denied?"""
    # A negator glued into the same word: 未停产 as one word, 不停产 …
    if prefix and any(prefix.endswith(n) for n in NEGATORS):
        return True
    if prefix:
        return False  # inside a compound the words before belong to something else
    seen = 0
    for word, _s, _e in reversed(words[:index]):
        if _is_break(word) or word in SCOPE_BREAKERS:
            return False
        if not word.strip():
            continue
        if word in NEGATORS:
            return True
        seen += 1
        if seen >= NEGATION_WINDOW:
            return False
    return False


def _excerpt(text: str, start: int, end: int) -> str:
    left = max((m.end() for m in CLAUSE_BREAK.finditer(text, 0, start)), default=0)
    right_match = CLAUSE_BREAK.search(text, end)
    right = right_match.start() if right_match else len(text)
    left = max(left, start - EXCERPT_CHARS)
    right = min(right, end + EXCERPT_CHARS)
    return text[left:right].strip()


def match(text: str, terms: Iterable[Term]) -> list[Hit]:
    """Each term of the lexicon that the text raises, once, at its first undenied place."""
    text = normalise(text)
    if not text.strip():
        return []
    words = tokens(text)
    starts = {s: i for i, (_w, s, _e) in enumerate(words)}
    # The word each character belongs to.
    owner = [0] * len(text)
    for i, (_w, s, e) in enumerate(words):
        for pos in range(s, e):
            owner[pos] = i
    hits = []
    for term in sorted(set(terms), key=lambda t: (-len(t.term), t.term)):
        needle = normalise(term.term).strip()
        if not needle:
            continue
        for found in re.finditer(re.escape(needle), text):
            start, end = found.start(), found.end()
            index = owner[start]
            word, w_start, w_end = words[index]
            at_word_start = start in starts
            inside_one = not at_word_start and end <= w_end
            if not (at_word_start or inside_one):
                continue  # the term straddles words: a different word that happens to contain it
            prefix = text[w_start:start]
            if _negated(words, index, prefix):
                continue
            hits.append(
                Hit(
                    term=term.term,
                    code=term.code,
                    severity=term.severity,
                    start=start,
                    end=end,
                    excerpt=_excerpt(text, start, end),
                )
            )
            break
    return sorted(hits, key=lambda h: (h.start, h.term))
