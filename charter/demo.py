"""The demo charter for ``manage.py seed_demo``: who designs, builds, operates and updates each
demo touchpoint, with some rights left vacant and a few open conflicts.

The split follows the article the product comes from (marketing designs and updates the
call-centre scripts; operations builds them...). Deterministic and idempotent: a right that
was ever assigned is left alone, and a conflict's claim is made only once.
"""

from __future__ import annotations

import random

from django.db import transaction

from charter import services
from charter.models import Claim, Right, RightAssignment
from engagement.org.models import Function, User
from touchpoints.models import Touchpoint

# channel -> (design, build, operate, update) holders, by function slug
PATTERNS = {
    "web": ("marketing", "it", "it", "marketing"),
    "mobile-app": ("product", "it", "it", "product"),
    "call-centre": ("marketing", "operations", "customer-service", "marketing"),
    "store": ("marketing", "operations", "operations", "operations"),
    "e-mail": ("marketing", "it", "marketing", "marketing"),
    "social": ("communications", "communications", "communications", "marketing"),
    "field-sales": ("sales", "sales", "sales", "product"),
    "partner": ("sales", "operations", "sales", "sales"),
}

# Open conflicts: (touchpoint name, right, claiming function, rationale)
CONFLICTS = (
    ("Service chat", "operate", "customer-service",
     "Chat is a service channel; our agents answer it and should own how it runs."),
    ("Price calculator", "design", "sales",
     "Quotes from the calculator do not match what sales can sell; sales should design it."),
    ("Online checkout", "update", "product",
     "Checkout changes ship with product releases; product should own the updates."),
    ("Onboarding e-mail series", "design", "customer-service",
     "Most onboarding questions reach the call centre; service should design the series."),
    ("Self-service account", "design", "customer-service",
     "The account pages replace service calls; service should decide what they offer."),
)  # fmt: skip

VACANCY_RATE = 0.12


@transaction.atomic
def seed(*, stdout) -> list:
    admin = User.objects.get(username="admin")
    functions = {f.slug: f for f in Function.objects.all()}
    rng = random.Random(20120301)
    ever_assigned = set(RightAssignment.objects.values_list("touchpoint_id", "right"))
    granted = 0
    vacant = 0
    touchpoints = list(Touchpoint.objects.select_related("channel").order_by("pk"))
    for touchpoint in touchpoints:
        holders = PATTERNS[touchpoint.channel.slug]
        for right, holder in zip(Right.values, holders, strict=True):
            leave_vacant = rng.random() < VACANCY_RATE
            if (touchpoint.pk, right) in ever_assigned:
                continue
            if leave_vacant:
                vacant += 1
                continue
            services.right_assign(
                actor=admin, touchpoint=touchpoint, right=right, function=functions[holder]
            )
            granted += 1

    opened = 0
    by_name = {tp.name: tp for tp in touchpoints}
    for name, right, claimant, rationale in CONFLICTS:
        touchpoint = by_name[name]
        function = functions[claimant]
        if Claim.objects.filter(touchpoint=touchpoint, right=right, function=function).exists():
            continue
        holder = RightAssignment.objects.active().filter(touchpoint=touchpoint, right=right)
        if not holder.exists() or holder.get().function_id == function.pk:
            continue
        services.right_claim(
            actor=function.head, touchpoint=touchpoint, right=right, function=function,
            rationale=rationale,
        )  # fmt: skip
        opened += 1
    stdout.write(
        f"Charter: {granted} rights granted, {vacant} left vacant, {opened} conflicts opened."
    )
    return []
