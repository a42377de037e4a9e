"""Who may do what at a summit and with its action items. Pure predicates; services call
them, and the views, API, admin and tasks go through the services.

* Everyone signed in reads summits and action items: commitments are meant to be seen.
* Executives and administrators call a summit (create it and name its chair). The chair, the
  administrators, and the executives set it up: dates, participants.
* The chair and the participants build its record while it is not closed: the journey review
  and the capability plan. The chair records the action items, marks the summit held and
  closes it. A closed summit's record is frozen.
* An action item's owner (the person, or anyone acting for the owner function) starts it,
  reports progress and completes it. Nobody else completes it by hand: a board decision of
  the board that follows it up (its chair or a delegate) may close it.
* The leaders of the following board and the summit's chair re-plan or cancel an item, and
  report progress on it. Who runs that board's meetings (its leaders; administrators, to put
  a calendar right) puts it on one of their agendas: the agenda is the board's.
"""

from __future__ import annotations

from boards import permissions as board_permissions
from engagement.org.roles import roles_for


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _participant_summit_ids(user) -> frozenset[int]:
    """Summits ``user`` takes part in; one query, cached on the user object."""
    cached = getattr(user, "_summit_participant_ids", None)
    if cached is not None:
        return cached
    from summits.models import Participant

    ids = frozenset(Participant.objects.filter(person=user.pk).values_list("summit_id", flat=True))
    user._summit_participant_ids = ids
    return ids


def forget(user) -> None:
    """Drop what was cached on ``user`` (after participants change in the same request)."""
    user.__dict__.pop("_summit_participant_ids", None)


def is_chair(user, summit) -> bool:
    return _signed_in(user) and summit.chair_id == user.pk


def is_participant(user, summit) -> bool:
    return _signed_in(user) and summit.pk in _participant_summit_ids(user)


def can_create_summit(user) -> bool:
    if not _signed_in(user):
        return False
    roles = roles_for(user)
    return roles.is_admin or roles.is_executive


def can_change_chair(user) -> bool:
    """Who chairs a summit is for those who call summits."""
    return can_create_summit(user)


def can_manage_summit(user, summit) -> bool:
    """Title, dates, place, chair and participants."""
    if not _signed_in(user):
        return False
    if summit.chair_id == user.pk:
        return True
    roles = roles_for(user)
    return roles.is_admin or roles.is_executive


def can_review(user, summit) -> bool:
    """Add to and edit the journey review and the capability plan."""
    return is_chair(user, summit) or is_participant(user, summit)


def can_record_actions(user, summit) -> bool:
    """Record action items, mark the summit held, close it."""
    return is_chair(user, summit)


def owns(user, item) -> bool:
    """The owner, or anyone acting for the owner function."""
    if not _signed_in(user):
        return False
    return item.owner_id == user.pk or roles_for(user).acts_for(item.owner_function_id)


def follows_up(user, item) -> bool:
    """A leader (chair or delegate) of the board that follows ``item`` up."""
    return board_permissions.leads(user, item.board)


def can_work_on(user, item) -> bool:
    """Start and complete: the owner."""
    return owns(user, item)


def can_report_progress(user, item) -> bool:
    return owns(user, item) or follows_up(user, item) or is_chair(user, item.summit)


def can_steer(user, item) -> bool:
    """Re-plan or cancel, edit the description and links: the following board's leaders and
    the summit's chair."""
    return follows_up(user, item) or is_chair(user, item.summit)


def can_decide(user, item) -> bool:
    """Close or re-plan by a board decision: who may log the following board's decisions."""
    return board_permissions.can_log_decision(user, item.board)


def can_put_on_agenda(user, item, meeting) -> bool:
    return meeting.board_id == item.board_id and board_permissions.can_run_meeting(
        user, meeting.board
    )
