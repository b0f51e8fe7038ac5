"""Safe arithmetic expressions over data-element names, as written in the indicator catalogue.

Grammar (whitespace is free between tokens)::

    expression := term (("+" | "-") term)*
    term       := unary (("*" | "/") unary)*
    unary      := ("+" | "-")* primary
    primary    := number | name | "(" expression ")" | "prev" "(" expression ")"
    number     := [0-9]+ ("." [0-9]+)?
    name       := [a-z_][a-z0-9_]*

``prev(x)`` is ``x`` in the previous period. Nothing is ever handed to Python's ``eval``: the text is
read by a small tokenizer and recursive-descent parser into postfix code, and that code is run on a
stack, so neither parsing nor evaluation can recurse deeper than :data:`MAX_DEPTH` brackets.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import lru_cache

from parapp.i18n import ParAppError, format_number

MAX_LENGTH = 2000
MAX_DEPTH = 100
MISSING_MODES = ("none", "zero")
COMPARE_OPS = ("==", "!=", "<", "<=", ">", ">=")

_DIGITS = frozenset("0123456789")
_NAME_START = frozenset("abcdefghijklmnopqrstuvwxyz_")
_NAME_CHARS = _NAME_START | _DIGITS
_SPACES = frozenset(" \t\r\n\f\v\u00a0")
_OPERATORS = frozenset("+-*/")
_END = "end"

# Postfix instructions: (opcode, argument).
_NUM, _CUR, _PRV, _NEG, _PREV = "num", "cur", "prv", "neg", "prev"

Instruction = tuple[str, float, str]  # (opcode, number, name)


class ExpressionError(ParAppError):
    """An expression that cannot be read; ``expression`` is its text, ``position`` the 0-based index of the fault.

    The message counts positions from 1, as people do.
    """

    def __init__(self, expression: str, position: int, reason_vi: str, reason_en: str):
        self.expression = expression
        self.position = position
        shown = expression if len(expression) <= 80 else expression[:79] + "…"
        super().__init__(
            f'Biểu thức "{shown}" sai ở vị trí {position + 1}: {reason_vi}.',
            f'Expression "{shown}" is wrong at position {position + 1}: {reason_en}.',
        )


class _Token:
    __slots__ = ("kind", "text", "pos")

    def __init__(self, kind: str, text: str, pos: int):
        self.kind = kind  # "num", "name", an operator, "(", ")" or "end"
        self.text = text
        self.pos = pos


def _tokenize(text: str) -> list[_Token]:
    """Split the text into tokens; the last one is always an "end" token."""
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in _SPACES:
            i += 1
        elif c in _DIGITS:
            j = i
            while j < n and text[j] in _DIGITS:
                j += 1
            if j < n and text[j] == ".":
                j += 1
                if j >= n or text[j] not in _DIGITS:
                    raise ExpressionError(text, i, f'số "{text[i:j]}" thiếu chữ số sau dấu chấm',
                                          f'the number "{text[i:j]}" has no digits after the point')
                while j < n and text[j] in _DIGITS:
                    j += 1
            if not math.isfinite(float(text[i:j])):
                raise ExpressionError(text, i, "số quá lớn", "the number is too large")
            tokens.append(_Token("num", text[i:j], i))
            i = j
        elif c in _NAME_START:
            j = i + 1
            while j < n and text[j] in _NAME_CHARS:
                j += 1
            tokens.append(_Token("name", text[i:j], i))
            i = j
        elif c in _OPERATORS or c in "()":
            tokens.append(_Token(c, c, i))
            i += 1
        else:
            raise _bad_character(text, i)
    tokens.append(_Token(_END, "", n))
    return tokens


def _bad_character(text: str, i: int) -> ExpressionError:
    c = text[i]
    shown = c if c.isprintable() else f"U+{ord(c):04X}"
    vi, en = f'ký tự "{shown}" không được dùng', f'the character "{shown}" is not allowed'
    if c == "," or (c == "." and text[i + 1:i + 2] in _DIGITS):
        vi += "; số thập phân viết như 0.5 hoặc 1.25"
        en += "; write decimals like 0.5 or 1.25"
    elif c.isalpha():
        vi += "; tên chỉ tiêu chỉ gồm chữ thường không dấu, chữ số và dấu _"
        en += "; names use only lower-case letters a-z, digits and _"
    return ExpressionError(text, i, vi, en)


class _Parser:
    """Recursive descent over the tokens, emitting postfix code."""

    def __init__(self, text: str):
        self.text = text
        self.tokens = _tokenize(text)
        self.i = 0
        self.depth = 0
        self.in_prev = False
        self.code: list[Instruction] = []
        self.names: set[str] = set()
        self.prev_names: set[str] = set()

    def fail(self, token: _Token, vi: str, en: str) -> ExpressionError:
        return ExpressionError(self.text, token.pos, vi, en)

    @property
    def token(self) -> _Token:
        return self.tokens[self.i]

    def parse(self) -> None:
        if self.token.kind == _END:
            raise self.fail(self.token, "biểu thức trống", "the expression is empty")
        self.expression()
        t = self.token
        if t.kind == ")":
            raise self.fail(t, 'thừa dấu ")"', 'there is a ")" without a matching "("')
        if t.kind != _END:
            raise self.fail(t, f'thiếu phép tính (+, -, *, /) trước "{t.text}"',
                            f'an operator (+, -, *, /) is missing before "{t.text}"')

    def expression(self) -> None:
        self.term()
        while self.token.kind in ("+", "-"):
            op = self.token.kind
            self.i += 1
            self.term()
            self.code.append((op, 0.0, ""))

    def term(self) -> None:
        self.unary()
        while self.token.kind in ("*", "/"):
            op = self.token.kind
            self.i += 1
            self.unary()
            self.code.append((op, 0.0, ""))

    def unary(self) -> None:
        negative = False
        while self.token.kind in ("+", "-"):
            negative ^= self.token.kind == "-"
            self.i += 1
        self.primary()
        if negative:
            self.code.append((_NEG, 0.0, ""))

    def primary(self) -> None:
        t = self.token
        if t.kind == "num":
            self.i += 1
            self.code.append((_NUM, float(t.text), ""))
        elif t.kind == "name" and t.text == "prev":
            self.prev_call(t)
        elif t.kind == "name":
            self.i += 1
            if self.token.kind == "(":
                raise self.fail(t, f'không có hàm "{t.text}", chỉ có hàm prev(...)',
                                f'there is no function "{t.text}"; the only function is prev(...)')
            (self.prev_names if self.in_prev else self.names).add(t.text)
            self.code.append((_PRV if self.in_prev else _CUR, 0.0, t.text))
        elif t.kind == "(":
            self.bracketed()
        elif t.kind == _END:
            raise self.fail(t, "biểu thức thiếu số hoặc tên chỉ tiêu ở cuối",
                            "a number or name is missing at the end")
        elif t.kind == ")" and self.tokens[self.i - 1].kind == "(":
            raise self.fail(t, 'trong cặp ngoặc "()" chưa có gì', 'the brackets "()" are empty')
        else:
            raise self.fail(t, f'thiếu số hoặc tên chỉ tiêu trước "{t.text}"',
                            f'a number or name is missing before "{t.text}"')

    def bracketed(self) -> None:
        """``( expression )``, the current token being the opening bracket."""
        opening = self.token
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail(opening, f"ngoặc lồng nhau quá {MAX_DEPTH} cấp",
                            f"brackets are nested more than {MAX_DEPTH} deep")
        self.i += 1
        self.expression()
        if self.token.kind != ")":
            raise self.fail(self.token, f'thiếu dấu ")" đóng ngoặc mở ở vị trí {opening.pos + 1}',
                            f'a ")" is missing to close the "(" at position {opening.pos + 1}')
        self.i += 1
        self.depth -= 1

    def prev_call(self, name: _Token) -> None:
        """``prev ( expression )``, the current token being ``prev``."""
        self.i += 1
        if self.token.kind != "(":
            raise self.fail(name, '"prev" là tên hàm, phải viết prev(...)',
                            '"prev" is a function and must be written prev(...)')
        if self.in_prev:
            raise self.fail(name, "không được đặt prev(...) bên trong prev(...)",
                            "prev(...) cannot be used inside prev(...)")
        self.in_prev = True
        self.bracketed()
        self.in_prev = False
        self.code.append((_PREV, 0.0, ""))


def _number(value: float | None) -> float | None:
    """A mapping value as a finite float, or None when it is missing."""
    if value is None:
        return None
    f = float(value)
    return f if math.isfinite(f) else None


def _resolve(names: frozenset[str], values: Mapping[str, float | None], missing: str) -> dict[str, float | None]:
    found = {n: _number(values.get(n)) for n in names}
    if missing == "zero" and any(v is not None for v in found.values()):
        return {n: 0.0 if v is None else v for n, v in found.items()}
    return found


def _apply(op: str, a: float | None, b: float | None) -> float | None:
    if a is None or b is None:
        return None
    if op == "+":
        r = a + b
    elif op == "-":
        r = a - b
    elif op == "*":
        r = a * b
    elif b == 0:
        return None
    else:
        r = a / b
    return r if math.isfinite(r) else None


class Expression:
    """A parsed expression; build one with :meth:`Expression.parse` (cached) or ``Expression(text)``."""

    __slots__ = ("_text", "_code", "_names", "_prev_names")

    def __init__(self, text: str):
        if not isinstance(text, str):
            raise ExpressionError(repr(text), 0, "biểu thức phải là một chuỗi ký tự", "an expression must be text")
        if len(text) > MAX_LENGTH:
            raise ExpressionError(text, MAX_LENGTH, f"biểu thức dài quá {format_number(MAX_LENGTH, lang='vi')} ký tự",
                                  f"the expression is longer than {format_number(MAX_LENGTH, lang='en')} characters")
        parser = _Parser(text)
        try:
            parser.parse()
        except RecursionError:  # only when the caller's own stack is already nearly full
            raise ExpressionError(text, parser.token.pos, "ngoặc lồng nhau quá nhiều cấp",
                                  "brackets are nested too deeply") from None
        self._text = text
        self._code: tuple[Instruction, ...] = tuple(parser.code)
        self._names = frozenset(parser.names)
        self._prev_names = frozenset(parser.prev_names)

    @classmethod
    def parse(cls, text: str) -> Expression:
        """Read the text (raises ExpressionError); the same text gives the same cached object."""
        return _parse_cached(text)

    @property
    def text(self) -> str:
        """The expression as written."""
        return self._text

    @property
    def names(self) -> frozenset[str]:
        """Names used in the current period (outside ``prev``)."""
        return self._names

    @property
    def prev_names(self) -> frozenset[str]:
        """Names used inside ``prev(...)``."""
        return self._prev_names

    @property
    def all_names(self) -> frozenset[str]:
        """Every name the expression uses."""
        return self._names | self._prev_names

    @property
    def uses_prev(self) -> bool:
        """True when the expression contains ``prev(...)``."""
        return any(op == _PREV for op, _, _ in self._code)

    def evaluate(
        self,
        values: Mapping[str, float | None],
        prev: Mapping[str, float | None] | None = None,
        missing: str = "none",
    ) -> float | None:
        """The value, or None when it cannot be computed.

        ``values`` holds this period's figures, ``prev`` the previous period's (for ``prev(...)``; None
        makes any ``prev(...)`` None). A name is missing when absent, None or not finite. With
        ``missing="none"`` any missing name makes the result None; with ``missing="zero"`` missing names
        count as 0 unless every name of the same scope (this period, or inside ``prev``) is missing, in
        which case the result is None. Division by zero, or a result too large for a float, gives None.
        """
        if missing not in MISSING_MODES:
            raise ParAppError(
                f'Cách xử lý số liệu thiếu "{missing}" không hợp lệ: dùng "none" hoặc "zero".',
                f'The missing-value mode "{missing}" is not valid: use "none" or "zero".',
            )
        current = _resolve(self._names, values, missing)
        previous = _resolve(self._prev_names, prev, missing) if prev is not None else None
        stack: list[float | None] = []
        for op, number, name in self._code:
            if op == _NUM:
                stack.append(number)
            elif op == _CUR:
                stack.append(current[name])
            elif op == _PRV:
                stack.append(None if previous is None else previous[name])
            elif op == _NEG:
                x = stack[-1]
                stack[-1] = None if x is None else -x
            elif op == _PREV:
                if previous is None:
                    stack[-1] = None
            else:
                b = stack.pop()
                stack[-1] = _apply(op, stack[-1], b)
        (result,) = stack
        return None if result is None else float(result)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Expression) and other._text == self._text

    def __hash__(self) -> int:
        return hash(("Expression", self._text))

    def __repr__(self) -> str:
        return f"Expression({self._text!r})"

    def __str__(self) -> str:
        return self._text


@lru_cache(maxsize=4096)
def _parse_cached(text: str) -> Expression:
    return Expression(text)


def compare(left: float, op: str, right: float, tolerance: float = 1e-9) -> bool:
    """``left op right`` for ==, !=, <, <=, >, >=; two numbers within ``tolerance`` (absolute or relative) are equal."""
    if op not in COMPARE_OPS:
        raise ParAppError(
            f'Phép so sánh "{op}" không hợp lệ: dùng ==, !=, <, <=, > hoặc >=.',
            f'The comparison "{op}" is not valid: use ==, !=, <, <=, > or >=.',
        )
    equal = math.isclose(left, right, rel_tol=tolerance, abs_tol=tolerance)
    if op == "==":
        return equal
    if op == "!=":
        return not equal
    if op == "<":
        return not equal and left < right
    if op == "<=":
        return equal or left < right
    if op == ">":
        return not equal and left > right
    return equal or left > right
