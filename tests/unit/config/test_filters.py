"""Lambda event filtering: AWS's documented rules, each able to pass and to fail."""

from __future__ import annotations

import json
from typing import Any

import pytest

from emulator.config.events.filters import (
    FilterError,
    any_matches,
    matches,
    parse_patterns,
    sqs_view,
)

# The examples of "Filter rule syntax" (Lambda developer guide), one row per comparison operator
RECORD = {"UserID": None, "LastName": "", "Name": "Alice", "Location": "New York",
          "Day": "Monday", "PaymentType": "Credit", "Weather": "Sunny", "Price": 15,
          "ProductName": "Ball", "Region": "us-west-2", "FileName": "cat.png",
          "Tags": ["a", "b"], "Nested": {"Inner": {"Value": 3}}}


@pytest.mark.parametrize(("pattern", "expected"), [
    ({"UserID": [None]}, True),
    ({"Name": [None]}, False),
    ({"LastName": [""]}, True),
    ({"Name": ["Alice"]}, True),
    ({"Name": ["alice"]}, False),
    ({"Name": [{"equals-ignore-case": "alice"}]}, True),
    ({"Location": ["New York"], "Day": ["Monday"]}, True),
    ({"Location": ["New York"], "Day": ["Tuesday"]}, False),
    ({"PaymentType": ["Credit", "Debit"]}, True),
    ({"PaymentType": ["Cash", "Debit"]}, False),
    ({"$or": [{"Location": ["Paris"]}, {"Day": ["Monday"]}]}, True),
    ({"$or": [{"Location": ["Paris"]}, {"Day": ["Sunday"]}]}, False),
    ({"Weather": [{"anything-but": ["Raining"]}]}, True),
    ({"Weather": [{"anything-but": ["Sunny", "Raining"]}]}, False),
    ({"Weather": [{"anything-but": {"prefix": "Sun"}}]}, False),
    ({"Price": [{"numeric": ["=", 15]}]}, True),
    ({"Price": [{"numeric": ["=", 15.0]}]}, True),
    ({"Price": ["15"]}, False),  # a string never equals a number
    ({"Price": [{"numeric": [">", 10, "<=", 20]}]}, True),
    ({"Price": [{"numeric": [">", 15, "<=", 20]}]}, False),
    ({"ProductName": [{"exists": True}]}, True),
    ({"Missing": [{"exists": True}]}, False),
    ({"Missing": [{"exists": False}]}, True),
    ({"ProductName": [{"exists": False}]}, False),
    ({"Region": [{"prefix": "us-"}]}, True),
    ({"Region": [{"prefix": "eu-"}]}, False),
    ({"FileName": [{"suffix": ".png"}]}, True),
    ({"FileName": [{"suffix": ".jpg"}]}, False),
    ({"Tags": ["b"]}, True),  # an array in the event: any element
    ({"Tags": ["c"]}, False),
    ({"Nested": {"Inner": {"Value": [{"numeric": ["<", 5]}]}}}, True),
    ({"Nested": {"Inner": {"Value": [4]}}}, False),
    ({"Missing": {"Inner": [{"exists": False}]}}, True),
    ({"Missing": ["x"]}, False),
])
def test_rules(pattern: dict[str, Any], expected: bool) -> None:
    assert matches(pattern, RECORD) is expected


def test_several_patterns_deliver_what_any_matches_and_none_deliver_all() -> None:
    patterns = parse_patterns([{"Name": ["Bob"]}, {"Day": ["Monday"]}])
    assert any_matches(patterns, RECORD)
    assert not any_matches(parse_patterns([{"Name": ["Bob"]}]), RECORD)
    assert any_matches((), RECORD)


def test_a_dynamodb_stream_record_pattern() -> None:
    # the shape of AWS's "Filtering with DynamoDB" example
    record = {"eventName": "INSERT", "dynamodb": {
        "Keys": {"CustomerName": {"S": "AnyCompany Industries"}},
        "NewImage": {"Status": {"S": "active"}, "Count": {"N": "7"}}}}
    pattern = {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"Status": {"S": ["active"]}}}}
    assert matches(pattern, record)
    assert not matches({**pattern, "eventName": ["MODIFY"]}, record)


def test_sqs_bodies_are_matched_as_json_objects_or_as_text() -> None:
    json_record = {"messageId": "1", "body": json.dumps({"RequestCode": "BBBB"})}
    text_record = {"messageId": "2", "body": "plain text"}
    assert matches({"body": {"RequestCode": ["BBBB"]}}, sqs_view(json_record))
    assert not matches({"body": {"RequestCode": ["AAAA"]}}, sqs_view(json_record))
    assert matches({"body": ["plain text"]}, sqs_view(text_record))
    assert not matches({"body": {"RequestCode": ["BBBB"]}}, sqs_view(text_record))


@pytest.mark.parametrize(("raw", "message"), [
    ({"a": ["b"]}, "a list of pattern objects"),
    ([], "a list of pattern objects"),
    ([{}], "a non-empty object"),
    ([{"a": "b"}], "a leaf is a non-empty array of rules"),
    ([{"a": []}], "a leaf is a non-empty array of rules"),
    ([{"a": [{"wildcard": "x*"}]}], "unknown operator 'wildcard'"),
    ([{"a": [{"prefix": "x", "suffix": "y"}]}], "an object with one operator"),
    ([{"a": [{"numeric": [">", "1"]}]}], "numeric takes"),
    ([{"a": [{"numeric": ["!", 1]}]}], "numeric takes"),
    ([{"a": [{"exists": "yes"}]}], "exists takes true or false"),
    ([{"$or": [{"a": ["b"]}]}], "two or more objects"),
    (["{not json"], "pattern 0 is not JSON"),
])
def test_invalid_patterns_say_what_is_expected(raw: Any, message: str) -> None:
    with pytest.raises(FilterError) as raised:
        parse_patterns(raw)
    assert message in str(raised.value)
