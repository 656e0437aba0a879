"""The door's cost sums (bench/costs.py): each line is count times unit price, a total is the sum of its
lines, and measured AWS calls become request units as DynamoDB bills them."""

from __future__ import annotations

import pytest

from bench.costs import ASSUMPTIONS, PRICES, Line, Price, call_lines, idle_month, table, total

pytestmark = pytest.mark.unit

WIDGET = Price("Widgets", "widget", 0.25, "https://aws.amazon.com/widgets/pricing/")
GADGET = Price("Gadgets", "gadget-hour", 0.5, "https://aws.amazon.com/gadgets/pricing/", confirmed=True)


def test_a_total_is_the_sum_of_count_times_unit_price() -> None:
    lines = [Line(WIDGET, 4), Line(GADGET, 3)]

    assert [line.cost for line in lines] == [1.0, 1.5]
    assert total(lines) == 2.5


def test_a_table_shows_each_line_and_marks_unconfirmed_prices() -> None:
    shown = table("tiny", [Line(WIDGET, 4), Line(GADGET, 3)])

    assert "| Widgets | widget | 4.0 | 0.25 † | 1.0000 |" in shown
    assert "| Gadgets | gadget-hour | 3.0 | 0.5 | 1.5000 |" in shown
    assert shown.endswith("| **total** | | | | **2.50** |")


def test_measured_calls_become_request_units() -> None:
    a = {**ASSUMPTIONS, "items_per_transaction": 3}
    calls = [
        "dynamodb.PutItem",
        "dynamodb.TransactWriteItems",
        "dynamodb.GetItem",
        "s3.PutObject",
        "rekognition.IndexFaces",
        "sns.Publish",
    ]

    lines = {line.price: line.count for line in call_lines(calls, a, times=10)}

    assert lines == {
        PRICES["wru"]: 10 * (1 + 2 * 3),
        PRICES["rru"]: 10,
        PRICES["s3_put"]: 10,
        PRICES["image"]: 10,
        PRICES["sms_us"]: 10,
    }


def test_an_idle_frame_path_pays_only_for_what_it_stores() -> None:
    lines = idle_month("frames", {**ASSUMPTIONS, "faces_stored": 200})

    assert total(lines) == pytest.approx(0.40 + 200 * 0.00001)
