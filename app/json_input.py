"""JSON from the outside, read so that no body can turn into a 500.

Python's json.loads raises RecursionError (not ValueError) on arrays nested some thousands deep,
and accepts a lone surrogate ("\\ud800") that no database, hash or UTF-8 encoder will take later.
Both are refused here as malformed JSON: Flask's request.get_json (the app's JSON provider) and
the API's argument parser (miniprogram_api/blueprint.py) read every body through loads().
"""
import json
import re

from flask.json.provider import DefaultJSONProvider

# A \uD800-\uDFFF escape: only then can a decoded string hold a surrogate (a raw one in the
# text would already have failed UTF-8 decoding).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class MalformedJSON(ValueError):
    """A body that is not JSON we can use (subclass of ValueError, as json.JSONDecodeError is)."""


def loads(text):
    """json.loads, refusing what the rest of the service could not store or encode."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise MalformedJSON("JSON nested too deeply") from None
    if isinstance(text, bytes | bytearray):
        text = text.decode("utf-8", "replace")
    if _SURROGATE_ESCAPE.search(text):
        _refuse_lone_surrogates(value)
    return value


def _refuse_lone_surrogates(value):
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise MalformedJSON("a string holds a lone surrogate") from None
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider with loads() above; Chinese stays readable in what we write."""

    ensure_ascii = False

    def loads(self, s, **kwargs):
        return loads(s)
