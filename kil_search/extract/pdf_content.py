"""A faster reader for PDF page content streams, giving pypdf exactly the operations it parses.

Two thirds of pypdf's text extraction time goes into `ContentStream._parse_content_stream`,
which reads a page's drawing instructions one byte at a time through a BytesIO. This module
reads the same bytes with regular expressions and builds the same pypdf objects
(NumberObject, FloatObject, NameObject, strings made by pypdf's own create_string_object or
read_string_from_stream, ArrayObject) for the tokens nearly every page is made of: numbers,
plain names, strings, hex strings, arrays and operators. A stream made only of those is read
in one re.findall pass; any other is read token by token (_Reader).

Anything else (a dictionary operand, an escaped or nested string, a name with #xx, an
inline image, true/false/null in an array, a malformed byte) is read by pypdf's own
function at that offset of the same bytes, so its result, warnings and errors are pypdf's.
A stream that could reach pypdf's parsing limits or contains anything like an indirect
reference, and any stream on which this reader raises, is handed to pypdf's parser whole.
tests/test_pdf_content.py compares the operations and the extracted text with pypdf's on
every test PDF, on the sample corpus and on built streams full of the awkward cases.

Two more savings apply to text extraction only. Inside `text_only()` (the extractor wraps
extract_text in it) operators that text extraction never reads get empty operand lists.
And pypdf's get_text_operands, which decodes and measures every shown string a byte at a
time, is replaced by `_text_operands`, which gives the same text and width from tables kept
per font.

`install()` puts both into pypdf (the content-stream parser on the ContentStream class, the
string measurer in pypdf's text extractor); the PDF extractor calls it, so only extraction
processes use them, and it does nothing when the pypdf installed lacks the private names it
relies on. `uninstall()` restores pypdf's own functions (the tests compare the two).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import io
import operator
import re
from typing import Any, Iterator

try:  # the private names this relies on (pypdf 6 and 7)
    from pypdf._configuration import get_configuration
    from pypdf.generic import ArrayObject, ContentStream, FloatObject, NameObject, NumberObject
    from pypdf.generic._data_structures import read_object
    from pypdf.generic._image_inline import read_inline_image
    from pypdf.generic._utils import StreamParsingBudget, create_string_object, read_string_from_stream
except ImportError:  # pragma: no cover - another pypdf: keep its own parser
    ContentStream = None  # type: ignore[assignment,misc]

try:  # the function pypdf's text extractor measures each shown string with
    from pypdf._text_extraction import _text_extractor, mult, orient
except ImportError:  # pragma: no cover - another pypdf
    _text_extractor = None

try:  # the operators pypdf's text extraction acts on: its handler table, plus those _extract_text reads
    from pypdf._text_extraction._text_extractor import TextExtraction

    TEXT_OPERATORS: frozenset[bytes] = frozenset(TextExtraction().operation_handlers) | {
        b"'", b'"', b"TJ", b"TD", b"Do"}
except Exception:  # pragma: no cover - another pypdf: no text-only reading
    TEXT_OPERATORS = frozenset()

_text_only: contextvars.ContextVar[bool] = contextvars.ContextVar("kil_text_only", default=False)


@contextlib.contextmanager
def text_only() -> Iterator[None]:
    """While extracting text, leave out the operands of operators text extraction ignores.

    Paths, colours and line styles (c, m, l, re, rg, RG, ...) are most of a page's tokens;
    pypdf's extract_text never looks at their operands, so inside this block they are given
    as empty lists instead of being built. Every token is still read and checked, so a stream
    pypdf would refuse is still refused. Only streams parsed inside the block are affected.
    """
    token = _text_only.set(bool(TEXT_OPERATORS))
    try:
        yield
    finally:
        _text_only.reset(token)


# One token after optional whitespace (pypdf's main loop skips NUL, TAB, LF, FF, CR, space).
# Groups: 1 number, 2 plain name, 3 operator, 4 plain literal string, 5 hex string, 6 "[", 7 "]".
_TOKEN = re.compile(
    rb"[\x00\t\n\x0c\r ]*(?:"
    rb"([+\-.0-9][+,\-.0-9]{0,17})(?![+,\-.0-9])"        # number: pypdf reads [+,-.0-9] runs
    rb"|/([!\"$&'*-.0-;=?-Z\\^-z|~]{0,200})(?![^\t\n\x0b\x0c\r ()<>\[\]{}/%])"  # ASCII name, no '#'
    rb"|([A-Za-z'\"][^\t\n\x0b\x0c\r ()<>\[\]{}/%]{0,80})(?![^\t\n\x0b\x0c\r ()<>\[\]{}/%])"
    rb"|\(([^()\\]*)\)"
    rb"|<([0-9A-Fa-f]*)>"
    rb"|(\[)"
    rb"|(\])"
    rb")"
)
# The same tokens for a whole stream at once (re.findall), each group keeping its delimiters so
# no group is ever empty, and a last group for any other byte that is not whitespace.
_PLAIN_TOKENS = re.compile(
    rb"[\x00\t\n\x0c\r ]*(?:"
    rb"([+\-.0-9][+,\-.0-9]{0,17})(?![+,\-.0-9])"
    rb"|([A-Za-z'\"][^\t\n\x0b\x0c\r ()<>\[\]{}/%]{0,80})(?![^\t\n\x0b\x0c\r ()<>\[\]{}/%])"
    rb"|(/[!\"$&'*-.0-;=?-Z\\^-z|~]{0,200})(?![^\t\n\x0b\x0c\r ()<>\[\]{}/%])"
    rb"|(\([^()\\]*(?:\\[\s\S][^()\\]*)*\))"  # a string: escapes allowed, nested parentheses not
    rb"|(<[0-9A-Fa-f]*>)"
    rb"|(\[)"
    rb"|(\])"
    rb"|([^\x00\t\n\x0c\r ])"
    rb")"
)
_NUMBER_BYTES = frozenset(b"+,-.0123456789")
# Whitespace inside an array (pypdf: bytes.isspace() or PDF whitespace).
_ARRAY_SPACE = re.compile(rb"[\x00\t\n\x0b\x0c\r ]*")
# Anything pypdf could read as an indirect reference "n g R", which it cannot build here.
_LOOKS_INDIRECT = re.compile(rb"[0-9][\x00\t\n\x0b\x0c\r ]+[0-9]+[\x00\t\n\x0b\x0c\r ]+R(?![A-Za-z])")

_NUMBER, _NAME, _OPERATOR, _STRING, _HEX, _OPEN, _CLOSE = range(1, 8)
_VALUES = frozenset((_NUMBER, _NAME, _STRING, _HEX))  # the tokens that are one pypdf object each


class _Unsupported(Exception):
    """This stream is left to pypdf's own parser."""


def install() -> bool:
    """Make pypdf parse content streams with this reader; return whether it is in use."""
    if ContentStream is None or not hasattr(ContentStream, "_parse_content_stream"):
        return False
    if getattr(ContentStream._parse_content_stream, "_kil_fast", False):
        return True
    original = ContentStream._parse_content_stream

    def _parse_content_stream(self: Any, stream: Any) -> None:
        try:
            data = stream.getvalue()
            operations = parse_operations(data, self)
        except Exception:  # pypdf decides: it parses the same bytes and raises its own errors
            self._operations = []
            return original(self, stream)
        self._operations = operations

    _parse_content_stream._kil_fast = True  # type: ignore[attr-defined]
    _parse_content_stream._kil_original = original  # type: ignore[attr-defined]
    ContentStream._parse_content_stream = _parse_content_stream
    if _text_extractor is not None and hasattr(_text_extractor, "get_text_operands"):
        _text_operands._kil_original = _text_extractor.get_text_operands  # type: ignore[attr-defined]
        _text_extractor.get_text_operands = _text_operands
    return True


def uninstall() -> None:
    """Give pypdf its own parser and string measuring back (tests compare the two)."""
    current = getattr(ContentStream, "_parse_content_stream", None) if ContentStream is not None else None
    if current is not None and getattr(current, "_kil_fast", False):
        ContentStream._parse_content_stream = current._kil_original
    if _text_extractor is not None and getattr(_text_extractor, "get_text_operands", None) is _text_operands:
        _text_extractor.get_text_operands = _text_operands._kil_original  # type: ignore[attr-defined]


def _text_operands(operands: list[Any], cm_matrix: list[float], tm_matrix: list[float], font: Any,
                   orientations: tuple[int, ...]) -> tuple[str, bool, float]:
    """pypdf's get_text_operands (a shown string's text and width), without a Python step per byte.

    The same text and the same width, summed in the same order: a font's byte-to-text table and
    each character's width are worked out once per font instead of once per character of every
    string. Anything other than a str or bytes operand goes to pypdf's own function.
    """
    if not operands or not isinstance(operands[0], (str, bytes)):
        return _text_operands._kil_original(operands, cm_matrix, tm_matrix, font, orientations)  # type: ignore[attr-defined]
    if orient(mult(tm_matrix, cm_matrix)) not in orientations:
        return "", False, 0.0
    operand = operands[0]
    raw_characters = ""
    if isinstance(operand, str):
        text, is_str_operands = operand, True
    else:
        is_str_operands = False
        encoding = font.encoding
        if isinstance(encoding, str):
            try:
                text = operand.decode(encoding, "surrogatepass")
            except UnicodeDecodeError:
                text = operand.decode(encoding, "replace")
        else:
            text = "".join(map(_font_cache(font).byte_text.__getitem__, operand))
            raw_characters = operand.decode("latin-1")  # chr() of each byte
    widths = _font_cache(font).widths
    return text, is_str_operands, functools.reduce(operator.add, map(widths.__getitem__, raw_characters or text), 0.0)


class _CharacterWidths(dict):
    """A font's width per character, filled on first use as pypdf measures it."""

    def __init__(self, font: Any) -> None:
        super().__init__()
        self.font = font

    def __missing__(self, character: str) -> Any:
        font = self.font
        width = font.space_width if character == font.space_char else font.get_text_width(character)
        self[character] = width
        return width


class _FontCache:
    """What _text_operands remembers about one font, and the font state it was made from."""

    def __init__(self, font: Any) -> None:
        self.state = _font_state(font)
        encoding = font.encoding
        self.byte_text = [encoding.get(byte, chr(byte)) for byte in range(256)] if isinstance(encoding, dict) else []
        self.widths = _CharacterWidths(font)


def _font_state(font: Any) -> tuple:
    """The parts of a font the cache depends on (rebuilt if pypdf ever changes one)."""
    return (id(font.encoding), font.space_char, font.space_width, id(font.character_widths))


def _font_cache(font: Any) -> _FontCache:
    cache = font.__dict__.get("_kil_cache")
    if cache is None or cache.state != _font_state(font):
        cache = font.__dict__["_kil_cache"] = _FontCache(font)
    return cache


def parse_operations(data: bytes, content: Any) -> list[tuple[Any, bytes]]:
    """Return pypdf's (operands, operator) list for content-stream bytes; raise _Unsupported to defer."""
    configuration = get_configuration()
    budget_limit = configuration.stream_parsing_work_maximum_count
    if len(data) * 2 >= budget_limit or _LOOKS_INDIRECT.search(data):
        raise _Unsupported
    if b"<<" not in data:  # else the plain pass would give up anyway
        operations = _plain_operations(data, content.forced_encoding, configuration.array_maximum_element_count)
        if operations is not None:
            return operations
    reader = _Reader(data, content, configuration.array_maximum_element_count)
    return reader.operations()


def _plain_operations(data: bytes, encoding: Any, max_array: int) -> list[tuple[Any, bytes]] | None:
    """Read a stream made only of plain tokens in one regex pass; None if it holds anything else."""
    if data.rstrip(b"\x00\t\n\x0c\r ")[-1:] and data.rstrip(b"\x00\t\n\x0c\r ")[-1] in _NUMBER_BYTES:
        return None  # a number at the very end: pypdf reads it another way
    keep = TEXT_OPERATORS if _text_only.get() else None
    operations: list[tuple[Any, bytes]] = []
    pending: list[tuple[bytes, ...]] = []  # the raw tokens since the last operator
    depth = 0  # of open arrays among them
    for token in _PLAIN_TOKENS.findall(data):
        operator = token[1]
        if not operator:
            if token[7]:
                return None  # a byte that starts no plain token
            if token[5]:
                depth += 1
            elif token[6]:
                depth -= 1
                if depth < 0:
                    return None  # "]" with no "[": pypdf raises
            pending.append(token)
            continue
        if depth or operator == b"BI":
            return None  # an operator inside an array (pypdf raises, or reads true/false/null), or an image
        if keep is None or operator in keep:
            operands = _build(pending, encoding, max_array)
            if operands is None:
                return None
        else:
            operands = []
        operations.append((operands, operator))
        pending = []
    if depth:
        return None
    return operations


def _build(tokens: list[tuple[bytes, ...]], encoding: Any, max_array: int) -> list[Any] | None:
    """Build pypdf's operand objects from raw tokens (arrays balanced); None if an array is too long."""
    operands: list[Any] = []
    target = operands  # the list objects go to: the operands, or the innermost open array
    open_arrays: list[list[Any]] = []
    for number, _, name, string, hex_string, opening, closing, _other in tokens:
        if number:
            target.append(_number(number))
        elif name:
            target.append(NameObject(name.decode("ascii")))
        elif string:
            if b"\\" in string:  # pypdf's own reader decodes the escapes of this one string
                target.append(read_string_from_stream(io.BytesIO(string), encoding))
            else:
                target.append(create_string_object(string[1:-1], encoding))
        elif hex_string:
            target.append(create_string_object(_hex_bytes(hex_string[1:-1]), encoding))
        elif opening:
            array = ArrayObject()
            target.append(array)
            open_arrays.append(target)
            target = array
        else:  # closing
            if len(target) > max_array:
                return None
            target = open_arrays.pop()
    return operands


class _Reader:
    """One pass over one content stream."""

    def __init__(self, data: bytes, content: Any, max_array: int) -> None:
        self.data = data
        self.encoding = content.forced_encoding
        self.content = content
        self.max_array = max_array
        self._stream: io.BytesIO | None = None
        self._budget: Any = None

    def operations(self) -> list[tuple[Any, bytes]]:
        data, match_token = self.data, _TOKEN.match
        end = len(data)
        operations: list[tuple[Any, bytes]] = []
        operands: list[Any] = []
        position = 0
        while position < end:
            match = match_token(data, position)
            if match is None:  # trailing whitespace, or a token pypdf must read
                position = self._other(operands, position)
                continue
            kind = match.lastindex
            position = match.end()
            if kind in _VALUES:
                operands.append(self._value(match))
            elif kind == _OPERATOR:
                operator = match.group(_OPERATOR)
                if operator == b"BI":
                    if operands:
                        raise _Unsupported  # pypdf asserts here
                    image = read_inline_image(content_stream=self.content, stream=self._at(position),
                                              parsing_budget=self._parsing_budget())
                    position = self._stream.tell()  # type: ignore[union-attr]
                    operations.append((image, b"INLINE IMAGE"))
                else:
                    operations.append((operands, operator))
                    operands = []
            elif kind == _OPEN:
                array, position = self._array(position)
                operands.append(array)
            else:  # "]" outside an array: pypdf raises
                raise _Unsupported
        return operations

    def _other(self, operands: list[Any], position: int) -> int:
        """Read what the pattern does not cover at position; return the position after it."""
        data, end = self.data, len(self.data)
        while position < end and data[position] in b"\x00\t\n\x0c\r ":  # pypdf's main-loop whitespace
            position += 1
        if position >= end:
            return end
        first = data[position:position + 1]
        if first == b"%":  # a comment runs to the end of its line
            breaks = [index for index in (data.find(b"\r", position), data.find(b"\n", position)) if index >= 0]
            return min(breaks) + 1 if breaks else end
        if first.isalpha() or first in (b"'", b'"'):
            raise _Unsupported  # an operator too long for the pattern: pypdf's limits apply
        operands.append(read_object(self._at(position), None, self.encoding, parsing_budget=self._parsing_budget()))
        return self._stream.tell()  # type: ignore[union-attr]

    def _array(self, position: int) -> tuple[Any, int]:
        """Read an array's elements after its "["; return it and the position after "]"."""
        data, match_token, encoding = self.data, _TOKEN.match, self.encoding
        end = len(data)
        array = ArrayObject()
        while True:
            position = _ARRAY_SPACE.match(data, position).end()  # type: ignore[union-attr]
            if position >= end:
                return array, position  # pypdf ends an unterminated array at the end of data
            first = data[position]
            if first == 0x5D:  # "]"
                return array, position + 1
            if first == 0x25:  # "%": leave comments in arrays to pypdf
                raise _Unsupported
            if len(array) >= self.max_array:
                raise _Unsupported
            match = match_token(data, position)
            kind = match.lastindex if match is not None else None
            if kind in _VALUES:
                array.append(self._value(match))
                position = match.end()  # type: ignore[union-attr]
            elif kind == _OPEN:
                inner, position = self._array(match.end())  # type: ignore[union-attr]
                array.append(inner)
            else:  # null, true, false, a dictionary, anything odd: pypdf reads it
                if first == 0x6E:  # "n": pypdf's array reader has its own shortcut for null
                    raise _Unsupported
                array.append(read_object(self._at(position), None, encoding, parsing_budget=self._parsing_budget()))
                position = self._stream.tell()  # type: ignore[union-attr]

    def _value(self, match: re.Match) -> Any:
        """Return the pypdf object of a number, name, string or hex string token."""
        kind = match.lastindex
        if kind == _NUMBER:
            if match.end() >= len(self.data):  # pypdf's peek runs out: it reads the number another way
                raise _Unsupported
            return _number(match.group(_NUMBER))
        if kind == _NAME:
            return NameObject("/" + match.group(_NAME).decode("ascii"))
        if kind == _STRING:
            return create_string_object(match.group(_STRING), self.encoding)
        return create_string_object(_hex_bytes(match.group(_HEX)), self.encoding)

    def _at(self, position: int) -> io.BytesIO:
        if self._stream is None:
            self._stream = io.BytesIO(self.data)
        self._stream.seek(position)
        return self._stream

    def _parsing_budget(self) -> Any:
        if self._budget is None:
            self._budget = StreamParsingBudget(remaining_budget=get_configuration().stream_parsing_work_maximum_count)
        return self._budget


def _number(token: bytes) -> Any:
    """Build pypdf's number object for a number token (its constructors, minus a second conversion)."""
    try:
        if b"." in token:
            return _new_float(FloatObject, float(token))
        return _new_int(NumberObject, int(token))
    except ValueError:  # malformed ("1.2.3", "--"): pypdf's constructors warn and use 0
        return FloatObject(token) if b"." in token else NumberObject(token)


_new_float = float.__new__
_new_int = int.__new__


def _hex_bytes(digits: bytes) -> bytes:
    """Decode a hex string's digits as pypdf does (an odd last digit is followed by 0)."""
    if len(digits) % 2:
        digits += b"0"
    return bytes.fromhex(digits.decode("ascii"))
