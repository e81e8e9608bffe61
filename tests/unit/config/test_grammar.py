"""The v3 variable grammar (emulator.config.grammar), checked against v3's parse.js outputs."""

from __future__ import annotations

from typing import Any

import pytest

from emulator.config.grammar import (
    Escape,
    GrammarError,
    Legacy,
    Literal,
    Source,
    Text,
    Variable,
    parse,
)


def sources(text: str) -> tuple[Any, ...]:
    (variable,) = parse(text)
    assert isinstance(variable, Variable)
    return variable.sources


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a variable reference as a default, without ${} (v3's form)
        ("${opt:stage, self:provider.stage}",
         (Source("opt", (), Text("stage")), Source("self", (), Text("provider.stage")))),
        # a chain of several, then a literal
        ('${opt:a, env:B, "c"}',
         (Source("opt", (), Text("a")), Source("env", (), Text("B")), Literal("c"))),
        ("${opt:a, 'it, too'}", (Source("opt", (), Text("a")), Literal("it, too"))),
        ("${opt:x, 5}", (Source("opt", (), Text("x")), Literal(5))),
        ("${opt:x, 2.5}", (Source("opt", (), Text("x")), Literal(2.5))),
        ("${opt:x, true}", (Source("opt", (), Text("x")), Literal(True))),
        ("${opt:x, null}", (Source("opt", (), Text("x")), Literal(None))),
        ("${file(./a.yml):x.y}", (Source("file", (Text("./a.yml"),), Text("x.y")),)),
        ("${file(./a.yml)}", (Source("file", (Text("./a.yml"),)),)),
        ("${ssm(us-east-1, raw):/a/b}",
         (Source("ssm", (Text("us-east-1"), Text("raw")), Text("/a/b")),)),
        ("${self:}", (Source("self"),)),
        ("${sls:stage, 'dev'}", (Source("sls", (), Text("stage")), Literal("dev"))),
    ],
)
def test_sources_and_fallbacks(text: str, expected: tuple[Any, ...]) -> None:
    assert sources(text) == expected


def test_nested_variables_in_addresses_and_params_keep_their_offsets() -> None:
    (source,) = sources("${self:custom.${opt:stage}.key}")
    assert isinstance(source, Source) and source.address is not None
    assert source.address.value == "custom.${opt:stage}.key"
    assert source.address.pieces == (Variable(7, 19, (Source("opt", (), Text("stage")),)),)
    (param,) = sources("${strToBool(${env:X})}")[0].params
    assert param.pieces == (Variable(0, 8, (Source("env", (), Text("X")),)),)


def test_legacy_nested_fallback_is_read() -> None:
    first, legacy = sources("${opt:stage, ${self:provider.stage}}")
    assert first == Source("opt", (), Text("stage"))
    assert isinstance(legacy, Legacy)
    assert legacy.variable.sources == (Source("self", (), Text("provider.stage")),)


@pytest.mark.parametrize(
    "text",
    ["${AWS::Region}", "${MyTable}", "${MyTable.Arn}/index/*", "${aws::x}", "${ opt:stage }",
     "${!Literal}", "no variables", "$ {x}", "${"],
)
def test_foreign_or_plain_text_holds_no_variable(text: str) -> None:
    assert parse(text) == ()


def test_embedded_variables_carry_their_span() -> None:
    assert parse("a-${env:X}-b") == (Variable(2, 10, (Source("env", (), Text("X")),)),)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\\${self:x}", (Escape(0, 2, "$"),)),
        ("\\\\${self:x}", (Escape(0, 2, "\\"), Variable(2, 11, (Source("self", (), Text("x")),)))),
    ],
)
def test_backslashes_escape_as_in_v3(text: str, expected: tuple[Any, ...]) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("${opt:stage, dev}", 'Invalid literal source "dev"'),
        ("${self:x", "Missing variable closing bracket"),
        ("${self:${Foo}}", "Invalid variable type"),
        ("${self:a, 1, 2}", "Invalid variable source"),
        ("${self:a, 'x' 'y'}", "Invalid variable source"),
        ("${file(a}", "Invalid variable param"),
        ("${opt:a, %}", "Invalid variable source"),
    ],
)
def test_syntax_errors_name_the_problem(text: str, message: str) -> None:
    with pytest.raises(GrammarError, match=message):
        parse(text)
