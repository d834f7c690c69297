"""Text normalisation and sentence splitting for Japanese business text.

Job ads and organisation documents mix prose (。！？) with bullet lists (・ ● ■ - 1. ①) and headings, one
item per line. The splitter turns such text into units: one sentence, one bullet or one heading each.
Quoted or parenthesised text (「」『』（）) is kept whole, so a sentence quoted inside another does not cut it.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalize", "split_sentences", "split_lines", "strip_marker", "text_key"]

# Characters that end a sentence, and closers that stay attached to the sentence they end.
_ENDERS = frozenset("。！？!?")
_CLOSERS = frozenset("」』）)】〕］]’”")
# Brackets that shield their content from sentence splitting.
_PAIRS = {"「": "」", "『": "』", "（": "）", "(": ")"}
_OPENERS = frozenset(_PAIRS)
_CLOSER_OF = {v: k for k, v in _PAIRS.items()}
# An opener left unclosed this many characters is treated as a stray character.
_MAX_SHIELD = 200

# Bullet markers at the start of a line (symbol bullets, numbered items, circled numbers).
_MARKER_RE = re.compile(
    r"""^\s*(?:
        [・･●○◎◇◆□■▪▫•‣◦▶▷►▸▹➢➤✓✔☑★☆◉⚫︎◯]+\uFE0E?\s*     # symbol bullets (maybe repeated)
      | [-–—*+＊＋－]\s+                             # ASCII-ish dash bullets need a space
      | [①-⑳⑴-⒇⒈-⒛❶-❿➀-➉]\s*                         # circled / parenthesised numbers
      | [（(]\s*[0-9０-９]{1,2}\s*[)）]\s*            # (1) （１）
      | [0-9０-９]{1,2}\s*[.．)）](?![0-9０-９])\s*   # 1. 1) １．
      | [一二三四五六七八九十]{1,3}(?:[、．.]\s*|[\s\u3000]+)  # 一、 二　(regulation items)
    )""",
    re.VERBOSE,
)
# Markers that start a new item in the middle of a line, when preceded by white space.
_INLINE_BULLET_RE = re.compile(r"(?<=[\s\u3000])(?=[●■◆□★▼▶◎])")
_WS_RE = re.compile(r"\s+")
# control characters (other than white space) and lone surrogates carry no text
_CTRL_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_LINE_RE = re.compile(r"\r\n|\r|\n|\u2028|\u2029|\x0b|\x0c|\x1c|\x1d|\x1e|\x85")


def normalize(text: str) -> str:
    """Normalise text before tokenizing: NFKC, white space collapsed to single spaces, stripped.

    NFKC folds full-width Latin letters and digits and half-width katakana, so 「ＭＡツール」 and
    「MAツール」 give the same tokens. Collapsing white space keeps the tokenizer from emitting
    white-space tokens, which carry no meaning for the classifier. Control characters and lone
    surrogates are dropped.
    """
    if not text.isprintable():  # only then can there be control characters or other white space
        text = _CTRL_RE.sub("", text)
    text = unicodedata.normalize("NFKC", text)
    if text.isprintable() and "  " not in text:
        return text.strip(" ")
    return _WS_RE.sub(" ", text).strip()


def strip_marker(line: str) -> str:
    """Remove a leading bullet or item-number marker (・, ●, -, 1., ①, (1) ...) and surrounding space."""
    if not line or (line[0] not in _MARKER_STARTS and not line[0].isspace()):
        return line.strip()
    return _MARKER_RE.sub("", line, count=1).strip()


def text_key(text: str) -> str:
    """The form in which two texts count as the same one (duplicates in a corpus, sentences already
    labelled): leading marker removed, normalised, without spaces."""
    return normalize(strip_marker(text)).replace(" ", "")


def split_lines(text: str) -> list[str]:
    """Split on every kind of line end (LF, CRLF, CR, Unicode separators)."""
    return _LINE_RE.split(text)


_ENDER_RE = re.compile(r"[。！？!?]")
_SHIELD_RE = re.compile(r"[「『（(]")
_PIECE_RE = re.compile(r"[^。！？!?]*[。！？!?][。！？!?」』）)】〕］\]’”]*|[^。！？!?]+$")


def _split_prose(line: str) -> list[str]:
    """Cut one line after sentence enders that are outside quotes and parentheses."""
    if not _ENDER_RE.search(line):
        return [line.strip()] if line.strip() else []
    if not _SHIELD_RE.search(line):  # (same result as the scan below when nothing can shield)
        # no quotes or parentheses: a regular-expression cut after each run of enders (and closers)
        return [p.strip() for p in _PIECE_RE.findall(line) if p.strip()]
    return _split_shielded(line)


def _split_shielded(line: str) -> list[str]:
    """The character scan of :func:`_split_prose` for a line with quotes or parentheses: an ender cuts only
    when no opener is open (one left open for more than ``_MAX_SHIELD`` characters stops shielding)."""
    out: list[str] = []
    start = 0
    stack: list[tuple[str, int]] = []  # open brackets: (opener, position)
    i = 0
    n = len(line)
    while i < n:
        ch = line[i]
        if ch in _OPENERS:
            stack.append((ch, i))
        elif ch in _CLOSER_OF and stack:
            _close(stack, _CLOSER_OF[ch])
        elif ch in _ENDERS:
            if stack and i - stack[0][1] > _MAX_SHIELD:
                stack.clear()  # an opener that never closes does not shield the rest of the line
            if not stack:
                j = _end_of_enders(line, i + 1)
                piece = line[start:j].strip()
                if piece:
                    out.append(piece)
                start = i = j
                continue
        i += 1
    tail = line[start:].strip()
    if tail:
        out.append(tail)
    return out


def _close(stack: list[tuple[str, int]], opener: str) -> None:
    """Close the innermost open ``opener`` and everything opened inside it; a stray closer is just a character."""
    for k in range(len(stack) - 1, -1, -1):
        if stack[k][0] == opener:
            del stack[k:]
            return


def _end_of_enders(line: str, j: int) -> int:
    """Where the run of enders and closers from ``j`` ends (the cut goes after them)."""
    n = len(line)
    while j < n and (line[j] in _ENDERS or line[j] in _CLOSERS):
        j += 1
    return j


_CONTENT_RE = re.compile(r"[^\W_]")  # a letter or a digit, in any script
_INLINE_MARK_RE = re.compile("[●■◆□★▼▶◎]")
# characters a leading marker can start with; other lines skip the marker expression
_MARKER_STARTS = frozenset(
    "・･●○◎◇◆□■▪▫•‣◦▶▷►▸▹➢➤✓✔☑★☆◉⚫◯-–—*+＊＋－（(0123456789０１２３４５６７８９一二三四五六七八九十 \t\u3000"
) | frozenset(chr(c) for c in range(0x2460, 0x24A0)) | frozenset(chr(c) for c in range(0x2776, 0x2794))


def _has_content(piece: str) -> bool:
    return _CONTENT_RE.search(piece) is not None


def split_sentences(text: str) -> list[str]:
    """Split text into units: sentences, bullet items and headings, in order.

    Lines are units of their own; inside a line, text is cut after 。！？ unless inside 「」『』（）.
    Leading bullet markers are removed; pieces without any letter or digit are dropped.

    >>> split_sentences("・新規開拓\\n・受注処理と在庫管理。納期調整も行う。")
    ['新規開拓', '受注処理と在庫管理。', '納期調整も行う。']
    """
    units: list[str] = []
    for raw in split_lines(text):
        if not raw.strip():
            continue
        for item in (_INLINE_BULLET_RE.split(raw) if _INLINE_MARK_RE.search(raw) else (raw,)):
            item = strip_marker(item)
            if not item:
                continue
            for piece in _split_prose(item):
                if _has_content(piece):
                    units.append(piece)
    return units
