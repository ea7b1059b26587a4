"""The API's JSON is written by orjson (jwcu.api.renderers.JSONRenderer): the same bytes as DRF's renderer,
whatever a response holds (every list page is also compared in test_api_rows.py)."""

import datetime
import json
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer as DRFRenderer
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from jwcu.api.renderers import JSONRenderer

TOKYO = ZoneInfo("Asia/Tokyo")

PAYLOADS = {
    "text": {"name": "山田 花子", "control": "a\x1fb\x7f", "separators": "x\u2028y\u2029z", "quote": '"\\/'},
    "numbers": {"zero": 0, "yen": 2**40, "negative": -5, "share": 0.25, "third": 1 / 3, "none": None, "yes": True},
    "days": {
        "date": datetime.date(2016, 3, 31),
        "utc": datetime.datetime(2026, 11, 25, 1, 2, 3, 456789, tzinfo=datetime.UTC),
        "tokyo": datetime.datetime(2026, 11, 25, 10, 0, tzinfo=TOKYO),
        "naive": datetime.datetime(2026, 11, 25, 10, 0),
        "time": datetime.time(9, 30, 15, 120000),
    },
    "others": {"decimal": Decimal("37.50"), "uuid": uuid.UUID(int=1), "lazy": gettext_lazy("Female"), "set": (1, 2)},
    "serializer": ReturnDict({"results": ReturnList([{"a": 1}, {"b": [1, 2]}], serializer=None)}, serializer=None),
    "fallback": {"huge": 2**70, "keys": {1: "one"}},
    "empty": [],
}


@pytest.mark.parametrize("name", PAYLOADS)
def test_writes_what_drf_writes(name):
    assert JSONRenderer().render(PAYLOADS[name]) == DRFRenderer().render(PAYLOADS[name])


def test_a_float_with_an_exponent_is_the_same_number():
    data = {"small": 5e-05, "tiny": 2.5e-07}
    assert json.loads(JSONRenderer().render(data)) == json.loads(DRFRenderer().render(data)) == data


def test_indented_output_is_drf_s():
    data = {"a": [1, {"b": "c"}]}
    indented = "application/json; indent=2"
    assert JSONRenderer().render(data, indented) == DRFRenderer().render(data, indented)
    assert JSONRenderer().render(None) == b""
