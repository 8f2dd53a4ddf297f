"""Chinese text for the archive: word segmentation and search excerpts (pure, no ORM).

Neither SQLite's FTS5 nor PostgreSQL's text search splits Chinese into words:
both only split on spaces and punctuation. So the archive stores the jieba
words of each visit separated by spaces, and a query is segmented the same way;
the databases then only match whole words.
"""

import html
import logging
import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from typing import Any

from django.utils.safestring import SafeString, mark_safe

ELLIPSIS = "…"
# A query is a few words; more only slow the database down without narrowing anything.
MAX_QUERY_TERMS = 12


@cache
def _jieba() -> Any:
    """jieba, its dictionary loaded once and quietly (it keeps a cache in the temp folder)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def _words(tokens: Iterable[str]) -> list[str]:
    """Lower-cased words without punctuation or spaces, each once, in order."""
    seen: dict[str, None] = {}
    for token in tokens:
        word = token.strip().lower()
        if word and any(ch.isalnum() for ch in word):
            seen.setdefault(word, None)
    return list(seen)


def _normal(text: str) -> str:
    # Full-width letters and digits (ＡＢＣ１２３, common in Chinese input) as their ASCII forms.
    return unicodedata.normalize("NFKC", text)


def segment(text: str) -> list[str]:
    """The words of a text as the archive indexes them: jieba's search mode, which adds the
    shorter words inside a long one (生意兴隆 → 生意, 兴隆, 生意兴隆), so that either finds it."""
    if not text:
        return []
    return _words(_jieba().cut_for_search(_normal(text)))


def query_terms(q: str) -> list[str]:
    """The words a query must all match (precise mode: a long word stays one term)."""
    if not q:
        return []
    return _words(_jieba().cut(_normal(q)))[:MAX_QUERY_TERMS]


def tokens_text(text: str) -> str:
    """What VisitIndex.tokens stores: the words of `text` joined by single spaces."""
    return " ".join(segment(text))


def snippet(text: str, terms: list[str], width: int = 60) -> SafeString:
    """An excerpt of about `width` characters around the first match, matches in <mark>.

    The text is HTML-escaped; only the <mark> tags are markup. Without a match the
    excerpt is the beginning of the text.
    """
    text = " ".join((text or "").split())
    pattern = _pattern(terms)
    first = pattern.search(text) if pattern else None
    if first is None:
        start, end = 0, min(len(text), width)
    else:
        # Some context before the match, most of the room after it.
        start = max(0, first.start() - width // 3)
        end = min(len(text), start + width)
        start = max(0, min(start, end - width))
    piece = text[start:end]
    parts = [ELLIPSIS] if start > 0 else []
    at = 0
    for match in pattern.finditer(piece) if pattern else ():
        parts.append(html.escape(piece[at : match.start()]))
        parts.append(f"<mark>{html.escape(match.group())}</mark>")
        at = match.end()
    parts.append(html.escape(piece[at:]))
    if end < len(text):
        parts.append(ELLIPSIS)
    return mark_safe("".join(parts))  # every piece of text was escaped above


def _pattern(terms: list[str]) -> re.Pattern[str] | None:
    # Longest first, so that 生意兴隆 is marked whole rather than as 生意 and the rest.
    words = sorted({t for t in terms if t}, key=len, reverse=True)
    if not words:
        return None
    return re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
