"""Issue 10 §5: CSV injection (OWASP) after leading blanks and in full-width forms; bidi controls removed;
numbers stay numbers."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from tests.dashboard_data import signed_in
from tests.factories import make_balance, make_org
from webapp.services.exports import cell

HIDDEN_TRIGGERS = {
    "space": " =HYPERLINK(1)",
    "nbsp": "\u00a0=1+2",
    "tab": "\t@SUM(A1)",
    "ideographic space": "\u3000+cmd",
    "em space": "\u2003-2+3",
    "zero-width space": "\u200b=1",
    "newline then blanks": "\n  =1",
    "full-width equals": "\uff1dSUM(A1)",
    "full-width plus": "\uff0b1",
    "full-width minus": "\uff0d1",
    "full-width at": "\uff20SUM(A1)",
    "blank then full-width": " \u00a0\uff1d1",
}


@pytest.mark.parametrize("text", HIDDEN_TRIGGERS.values(), ids=HIDDEN_TRIGGERS.keys())
def test_a_trigger_after_blanks_or_in_full_width_is_neutralised(text):
    assert cell(text) == "'" + text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Acme\u202e gpj.exe", "Acme gpj.exe"),
        ("\u2066=1\u2069", "'=1"),
        ("a\u200eb\u200fc\u061cd\u202a\u202b\u202c\u202d\u2067\u2068", "abcd"),
    ],
    ids=["override", "isolate hides a trigger", "every control"],
)
def test_bidi_controls_are_removed(text, expected):
    assert cell(text) == expected


@pytest.mark.parametrize("value", [Decimal("-3.10"), "-3.10", "-3", "42", 7])
def test_numbers_stay_numbers(value):
    assert cell(value) == str(value)


def test_plain_text_is_left_alone():
    assert cell("Zürich GmbH") == "Zürich GmbH" and cell("a = b") == "a = b" and cell("") == ""


def test_the_portfolio_csv_neutralises_a_name_with_a_hidden_trigger(app, client):
    org = make_org(name="\u00a0\uff1dHYPERLINK(\u202e1)")
    make_balance(org, "-3.10")
    signed_in(client, organizations=[org])
    body = client.get("/portfolio.csv").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(body)))
    (row,) = [row for row in rows[1:] if "HYPERLINK" in ",".join(row)]
    assert "'\u00a0\uff1dHYPERLINK(1)" in row and "-3.10" in row
    assert "\u202e" not in body
