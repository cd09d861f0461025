"""URL converters: an id too large for the database is a 404, not a 500."""

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # organisations, users and clients use 32-bit integer keys


class BoundedIntConverter(IntegerConverter):
    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)
