"""Filters a higher app adds to a lower app's FilterSet.

Dependencies point one way (``touchpoints`` <- ``charter`` <- ``boards``), yet a lower app's
list is sometimes filtered by what a higher app knows: the touchpoints where a function holds
a right (the charter's), the conflicts on touchpoints a board governs (the boards'). The
higher app adds such a filter from its ``AppConfig.ready()``, as it registers panels and
deciders, so the list, its CSV export and the API all get it without the lower app importing
the higher one.
"""

from __future__ import annotations

import django_filters


def _with_subclasses(cls):
    yield cls
    for subclass in cls.__subclasses__():
        yield from _with_subclasses(subclass)


def add_filter(filterset_class, name: str, filter_: django_filters.Filter) -> None:
    """Add ``filter_`` as ``name`` to ``filterset_class`` and to the subclasses already
    defined (a FilterSet copies its parent's filters when the class is made); subclasses made
    later inherit it. Adding a name twice replaces the filter (``ready()`` may run again in
    tests)."""
    if getattr(filter_, "field_name", None) is None:
        filter_.field_name = name
    previous = filterset_class.declared_filters.get(name)
    for cls in _with_subclasses(filterset_class):
        if cls is not filterset_class and cls.declared_filters.get(name, previous) is not previous:
            continue  # a subclass declared its own filter of that name: keep it
        cls.declared_filters[name] = filter_
        cls.base_filters[name] = filter_


# The largest id a 64-bit primary key holds (PostgreSQL's bigint, SQLite's INTEGER): a bigger
# number in a query fails in the database instead of finding nothing.
MAX_ID = 2**63 - 1


class IdFilter(django_filters.NumberFilter):
    """An object's id: a whole number from 1 to ``MAX_ID``. Anything else (a fraction, a
    number too big for the database) is a form error, so a 400 that names the filter, never
    a database error."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        kwargs.setdefault("decimal_places", 0)
        super().__init__(*args, **kwargs)
