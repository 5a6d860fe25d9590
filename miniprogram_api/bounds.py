"""The ranges every number and id of the API is held to at the door.

Ids are the tables' BIGINT keys: anything past 2**63 - 1 can name no row, and handed to the
database it fails there (SQLite cannot bind it; MariaDB refuses an offset or a value out of its
column's range) as a 500. Path ids are bounded by the app's `int` converter (IdConverter), query
and body ids and counts by the fields below; the OpenAPI description shows each range.
"""
from marshmallow import fields, validate
from werkzeug.routing import IntegerConverter

MAX_ID = 2**63 - 1
MAX_PAGE = 10_000
# Places of one activity or one position, and minutes of one record: far above any real value,
# far below the INT columns' 2**31 - 1. The domain rules refuse what is too small.
MAX_QUOTA = 100_000
MAX_MINUTES = 100_000


class IdConverter(IntegerConverter):
    """`<int:…>` in every URL: an id past MAX_ID matches no route, so it answers 404."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def Id(**kwargs):  # noqa: N802 - a field factory, named like the fields it makes
    """An id in a query string or a body."""
    return fields.Integer(validate=validate.Range(min=1, max=MAX_ID), **kwargs)


def Page(**kwargs):  # noqa: N802
    return fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE), **kwargs)
