"""Conditional requests: ETags of representations, If-Match for writes."""

import hashlib
import json


def etag_of(data) -> str:
    return tag_of(json.dumps(data, sort_keys=True, default=str, separators=(",", ":")).encode())


def tag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def etags_in(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}
