"""Search across the product: touchpoints, boards, decisions, action items and people.

Each kind is searched the way its own list searches (the list's text filter, or for people
``engagement.org.selectors.person_list``), from ``visible_to(user)`` and with the list's own
defaults (archived touchpoints and boards and inactive people left out), so the total said
for a kind is what its list shows when the "see all" link opens it with the same words. Every
word must match, in any case, in one of the fields the list searches.

Rows whose name or title holds every word come first; at most ``PER_KIND`` rows of each kind
are read. Two queries per kind (the rows shown, and the total), whatever the number of
matches. Highlighting is done here, not in the template: a result carries its title, and an
excerpt of the field that matched when the title does not hold every word, as parts marked
matched or not, which the template wraps in ``<mark>`` with autoescaping intact.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Case, IntegerField, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from boards.filters import BoardFilterSet, DecisionFilterSet
from boards.models import Board
from boards.selectors import decision_list
from engagement.core.errors import Invalid
from engagement.notify import rules
from engagement.org.selectors import person_list
from summits.filters import ActionItemFilterSet
from summits.selectors import action_item_list
from touchpoints.filters import TouchpointListFilterSet
from touchpoints.selectors import touchpoint_list

MIN_LENGTH = 2
MAX_LENGTH = 100
PER_KIND = 8
# Words of a query: the lists' searches read no more than this many.
MAX_WORDS = 10
EXCERPT_BEFORE = 60
EXCERPT_AFTER = 120


def clean_query(value) -> str:
    """The query as searched: stripped; ``Invalid`` when shorter than ``MIN_LENGTH`` or
    longer than ``MAX_LENGTH`` characters (nothing is searched then)."""
    query = " ".join(str(value or "").split())
    if len(query) < MIN_LENGTH:
        raise Invalid(_("Type at least %(n)d characters to search.") % {"n": MIN_LENGTH}, field="q")
    if len(query) > MAX_LENGTH:
        raise Invalid(_("Type at most %(n)d characters to search.") % {"n": MAX_LENGTH}, field="q")
    return query


# --- Highlighting ------------------------------------------------------------------------------

Parts = list[tuple[str, bool]]


def words_of(query: str) -> list[str]:
    return query.split()[:MAX_WORDS]


def _pattern(words: list[str]) -> re.Pattern:
    # Longest first, so "board" is marked whole where "boa" also matches.
    alternatives = sorted({re.escape(w) for w in words}, key=len, reverse=True)
    return re.compile("|".join(alternatives), re.IGNORECASE)


def highlight(text: str, words: list[str]) -> Parts:
    """``text`` cut into (piece, matched) parts: every occurrence of a word, in any case."""
    parts: Parts = []
    if not text:
        return parts
    position = 0
    for found in _pattern(words).finditer(text):
        if found.start() > position:
            parts.append((text[position : found.start()], False))
        parts.append((found.group(0), True))
        position = found.end()
    if position < len(text):
        parts.append((text[position:], False))
    return parts


def excerpt(text: str, words: list[str]) -> Parts:
    """The stretch of ``text`` around its first match, cut at spaces, with "…" where it was
    cut, highlighted; no parts when nothing in ``text`` matches."""
    text = " ".join((text or "").split())
    found = _pattern(words).search(text) if text else None
    if found is None:
        return []
    start = max(0, found.start() - EXCERPT_BEFORE)
    end = min(len(text), found.end() + EXCERPT_AFTER)
    if start > 0:
        space = text.find(" ", start, found.start())
        start = space + 1 if space != -1 else start
    if end < len(text):
        space = text.rfind(" ", found.end(), end)
        end = space if space != -1 else end
    parts = highlight(text[start:end], words)
    if start > 0:
        parts.insert(0, ("… ", False))
    if end < len(text):
        parts.append((" …", False))
    return parts


def _holds_every_word(text: str, words: list[str]) -> bool:
    text = (text or "").casefold()
    return all(word.casefold() in text for word in words)


# --- Results -----------------------------------------------------------------------------------


@dataclass
class Hit:
    kind: str
    pk: int
    title: str
    url: str
    summary: str
    title_parts: Parts
    excerpt_parts: Parts = field(default_factory=list)
    summary_parts: Parts = field(default_factory=list)

    @property
    def excerpt_text(self) -> str:
        return "".join(text for text, _matched in self.excerpt_parts)


@dataclass
class Group:
    kind: str
    label: str
    hits: list[Hit]
    total: int
    list_url: str
    see_all: str  # the words of the link to the list
    none: str  # what the group says when nothing matches

    @property
    def more(self) -> int:
        return self.total - len(self.hits)


@dataclass
class SearchResults:
    query: str
    words: list[str]
    groups: list[Group]

    @property
    def total(self) -> int:
        return sum(group.total for group in self.groups)


@dataclass(frozen=True)
class Kind:
    """How one kind is searched and shown."""

    name: str
    label: object  # lazy translations: the group's heading,
    see_all: object  # its link to the list ("count" and "query" are filled in),
    none: object  # and what it says when nothing matches
    matches: Callable  # (user, query) -> queryset, as the kind's list filters it
    title_fields: tuple[str, ...]  # a row "matches by name" when these hold every word
    order: tuple[str, ...]
    title: Callable  # row -> str
    summary: Callable  # (row, today) -> str
    excerpt_of: Callable  # row -> list of texts to excerpt when the title misses a word
    list_url: str
    url: Callable = lambda row: row.get_absolute_url()
    # The summary shows searched fields (a person's title and username): highlight it.
    summary_matches: bool = False


def _search(filterset_class, queryset, query: str, **extra):
    data = {"q": query, **extra}
    filterset = filterset_class(data, queryset=queryset)
    return filterset.qs


def _touchpoints(user, query):
    # The HTML list's own filters: archived touchpoints stay out unless asked for.
    return _search(TouchpointListFilterSet, touchpoint_list(user=user), query)


def _boards(user, query):
    boards = Board.objects.visible_to(user).select_related("chair")
    return _search(BoardFilterSet, boards, query, active="true")


def _decisions(user, query):
    return _search(DecisionFilterSet, decision_list(user=user), query)


def _action_items(user, query):
    return _search(ActionItemFilterSet, action_item_list(user=user), query)


def _people(user, query):
    return person_list(user=user, search=query)


def _due(due_on, today) -> str:
    return rules.due_text((due_on - today).days) if due_on else _("no due date")


def _join(*parts) -> str:
    return " · ".join(str(p) for p in parts if p)


KINDS = (
    Kind(
        name="touchpoints",
        label=gettext_lazy("Touchpoints"),
        see_all=ngettext_lazy(
            "See the touchpoint matching “%(query)s” in the list",
            "See all %(count)d touchpoints matching “%(query)s” in the list",
            "count",
        ),
        none=gettext_lazy("No touchpoint matches."),
        matches=_touchpoints,
        title_fields=("name",),
        order=("stage__position", "name", "pk"),
        title=lambda tp: tp.name,
        summary=lambda tp, today: _join(tp.stage.name, tp.channel.name, tp.get_status_display()),
        excerpt_of=lambda tp: [tp.segment, tp.description],
        list_url="touchpoints:touchpoint_list",
    ),
    Kind(
        name="boards",
        label=gettext_lazy("Boards"),
        see_all=ngettext_lazy(
            "See the board matching “%(query)s” in the list",
            "See all %(count)d boards matching “%(query)s” in the list",
            "count",
        ),
        none=gettext_lazy("No board matches."),
        matches=_boards,
        title_fields=("name",),
        order=("name", "pk"),
        title=lambda board: board.name,
        summary=lambda board, today: _("Chaired by %(name)s") % {"name": board.chair},
        excerpt_of=lambda board: [board.purpose],
        list_url="boards:board_list",
    ),
    Kind(
        name="decisions",
        label=gettext_lazy("Decisions"),
        see_all=ngettext_lazy(
            "See the decision matching “%(query)s” in the decision log",
            "See all %(count)d decisions matching “%(query)s” in the decision log",
            "count",
        ),
        none=gettext_lazy("No decision matches."),
        matches=_decisions,
        title_fields=("title",),
        order=("-logged_at", "-pk"),
        title=lambda d: d.title,
        summary=lambda d, today: _join(
            d.board.name,
            _("overdue") if d.is_overdue else d.get_status_display(),
            _due(d.due_on, today) if d.status in d.PENDING_STATUSES else "",
        ),
        excerpt_of=lambda d: [d.rationale, d.outcome],
        list_url="boards:decision_list",
    ),
    Kind(
        name="action_items",
        label=gettext_lazy("Action items"),
        see_all=ngettext_lazy(
            "See the action item matching “%(query)s” in the list",
            "See all %(count)d action items matching “%(query)s” in the list",
            "count",
        ),
        none=gettext_lazy("No action item matches."),
        matches=_action_items,
        title_fields=("title",),
        order=("due_on", "pk"),
        title=lambda item: item.title,
        summary=lambda item, today: _join(
            item.owner.display_name,
            item.board.name,
            item.get_status_display(),
            _due(item.due_on, today) if item.is_open else "",
        ),
        excerpt_of=lambda item: [item.description],
        list_url="summits:action_item_list",
    ),
    Kind(
        name="people",
        label=gettext_lazy("People"),
        see_all=ngettext_lazy(
            "See the person matching “%(query)s” in the directory",
            "See all %(count)d people matching “%(query)s” in the directory",
            "count",
        ),
        none=gettext_lazy("Nobody matches."),
        matches=_people,
        title_fields=("first_name", "last_name", "username"),
        order=("last_name", "first_name", "username", "pk"),
        title=lambda person: person.display_name,
        summary=lambda person, today: _join(
            person.title, person.function.name if person.function_id else "", person.username
        ),
        excerpt_of=lambda person: [],
        summary_matches=True,
        list_url="org:person_list",
        # People have no page of their own: the directory, narrowed to the person.
        url=lambda person: _list_url_for("org:person_list", person.username),
    ),
)


def _title_first(kind: Kind, words: list[str]):
    """0 for a row whose name or title holds every word, else 1 (to sort on)."""
    condition = Q()
    for word in words:
        any_field = Q()
        for name in kind.title_fields:
            any_field |= Q(**{f"{name}__icontains": word})
        condition &= any_field
    return Case(When(condition, then=Value(0)), default=Value(1), output_field=IntegerField())


def _hit(kind: Kind, row, words: list[str], today) -> Hit:
    title = kind.title(row)
    parts: Parts = []
    if not _holds_every_word(title, words):
        for text in kind.excerpt_of(row):
            parts = excerpt(text, words)
            if parts:
                break
    summary = kind.summary(row, today)
    return Hit(
        kind=kind.name,
        pk=row.pk,
        title=title,
        url=kind.url(row),
        summary=summary,
        title_parts=highlight(title, words),
        excerpt_parts=parts,
        summary_parts=highlight(summary, words) if kind.summary_matches else [(summary, False)],
    )


def _list_url_for(url_name: str, query: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'q': query})}"


def search(*, user, query: str) -> SearchResults:
    """Every kind's matches for ``query`` (as cleaned by ``clean_query``), at most
    ``PER_KIND`` each with the total; ten queries."""
    words = words_of(query)
    today = timezone.localdate()
    groups = []
    for kind in KINDS:
        matches = kind.matches(user, query)
        rows = matches.alias(_title_first=_title_first(kind, words)).order_by(
            "_title_first", *kind.order
        )[:PER_KIND]
        total = matches.count()
        groups.append(
            Group(
                kind=kind.name,
                label=str(kind.label),
                hits=[_hit(kind, row, words, today) for row in rows],
                total=total,
                list_url=_list_url_for(kind.list_url, query),
                see_all=kind.see_all % {"count": total, "query": query},
                none=str(kind.none),
            )
        )
    return SearchResults(query=query, words=words, groups=groups)
