"""Choices as the pages and filters offer them."""

from __future__ import annotations

from django.utils.text import capfirst


def capitalised(choices):
    """``(value, label)`` pairs with each label capitalised, for a select. Takes pairs or a
    ``TextChoices`` class (model labels are lower case, to read well inside sentences)."""
    return [(value, capfirst(label)) for value, label in getattr(choices, "choices", choices)]
