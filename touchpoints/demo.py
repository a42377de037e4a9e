"""Demo touchpoints for ``manage.py seed_demo``: six journey stages, eight channels, about sixty
touchpoints, KPIs and a year of monthly measurements up to last month.

Deterministic: names, stewards and the shape of every series come from fixed lists and a
seeded random generator; only the dates follow today, so the demo never looks stale. Running
it again the same day changes nothing; on a later day it adds the months that have passed.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from engagement.org.models import User
from touchpoints import services
from touchpoints.health import periods_back
from touchpoints.models import Channel, JourneyStage, Kpi, Measurement, Touchpoint

STAGES = (
    ("consider", "Consider", "The customer becomes aware and considers the brand."),
    ("evaluate", "Evaluate", "The customer compares offers and asks for information."),
    ("buy", "Buy", "The customer chooses, signs up and pays."),
    ("experience", "Experience", "The customer uses the product and meets service."),
    ("advocate", "Advocate", "The customer recommends, reviews and shares."),
    ("bond", "Bond", "The customer renews, buys more and stays loyal."),
)
CHANNELS = (
    ("web", "Web"),
    ("mobile-app", "Mobile app"),
    ("call-centre", "Call centre"),
    ("store", "Store"),
    ("e-mail", "E-mail"),
    ("social", "Social media"),
    ("field-sales", "Field sales"),
    ("partner", "Partner"),
)

# KPI templates per channel: (name, unit, direction, target, at-risk threshold).
KPIS = {
    "web": [("Conversion rate", "%", "higher", "4.0", "3.2"), ("Bounce rate", "%", "lower", "40", "48")],
    "mobile-app": [("App store rating", "stars", "higher", "4.5", "4.1"), ("Crash-free sessions", "%", "higher", "99.5", "99.0")],
    "call-centre": [("First-contact resolution", "%", "higher", "75", "68"), ("Average handling time", "s", "lower", "300", "360")],
    "store": [("Net promoter score", "score", "higher", "45", "35"), ("Queue time", "min", "lower", "5", "8")],
    "e-mail": [("Open rate", "%", "higher", "35", "28"), ("Unsubscribe rate", "%", "lower", "0.3", "0.5")],
    "social": [("Response time", "min", "lower", "60", "120"), ("Positive sentiment", "%", "higher", "70", "60")],
    "field-sales": [("Win rate", "%", "higher", "30", "24"), ("Proposal turnaround", "days", "lower", "3", "5")],
    "partner": [("Partner satisfaction", "score", "higher", "8.0", "7.0"), ("Order accuracy", "%", "higher", "98", "96")],
}  # fmt: skip

# (name, stage, channel, segment, priority, status, steward username, number of KPIs)
TOUCHPOINTS = (
    ("Brand search landing page", "consider", "web", "all", "high", "active", "hsato", 2),
    ("Display and video campaigns", "consider", "web", "consumers", "medium", "active", "nkowalski", 1),
    ("Social awareness campaigns", "consider", "social", "consumers", "medium", "active", "gmartin", 2),
    ("Influencer partnerships", "consider", "social", "young adults", "low", "planned", "gmartin", 1),
    ("Trade show presence", "consider", "field-sales", "business", "medium", "active", "awright", 1),
    ("Press and analyst briefings", "consider", "e-mail", "all", "low", "active", "cobrien", 1),
    ("App store listing", "consider", "mobile-app", "consumers", "medium", "active", "zchen", 1),
    ("Store window and signage", "consider", "store", "consumers", "low", "active", "lmuller", 1),
    ("Partner co-marketing", "consider", "partner", "business", "low", "active", "mgarcia", 1),
    ("Newsletter sign-up", "consider", "e-mail", "consumers", "medium", "active", "nkowalski", 2),
    ("Product comparison pages", "evaluate", "web", "all", "critical", "active", "hsato", 2),
    ("Price calculator", "evaluate", "web", "consumers", "high", "active", "ismith", 2),
    ("Sales hotline", "evaluate", "call-centre", "consumers", "high", "active", "tbrown", 2),
    ("Live chat for prospects", "evaluate", "web", "consumers", "high", "active", "rdiaz", 1),
    ("Product demo visits", "evaluate", "field-sales", "business", "high", "active", "awright", 2),
    ("In-store product advice", "evaluate", "store", "consumers", "medium", "active", "lmuller", 2),
    ("Reviews and ratings", "evaluate", "social", "all", "high", "active", "gmartin", 1),
    ("Request-a-quote form", "evaluate", "web", "business", "high", "active", "bmensah", 1),
    ("Partner reseller pitch", "evaluate", "partner", "business", "medium", "active", "mgarcia", 1),
    ("Brochure download", "evaluate", "e-mail", "business", "low", "retired", "pcosta", 1),
    ("Online checkout", "buy", "web", "consumers", "critical", "active", "dkim", 2),
    ("In-app purchase", "buy", "mobile-app", "consumers", "critical", "active", "zchen", 2),
    ("Contract signing", "buy", "field-sales", "business", "critical", "active", "bmensah", 2),
    ("Store checkout", "buy", "store", "consumers", "high", "active", "lmuller", 2),
    ("Telesales order line", "buy", "call-centre", "consumers", "high", "active", "tbrown", 2),
    ("Order confirmation e-mail", "buy", "e-mail", "all", "high", "active", "kjohansson", 1),
    ("Credit check", "buy", "web", "consumers", "high", "active", "kjohansson", 1),
    ("Partner ordering portal", "buy", "partner", "business", "medium", "active", "mgarcia", 2),
    ("Click and collect", "buy", "store", "consumers", "medium", "planned", "fadeyemi", 1),
    ("Subscription sign-up", "buy", "mobile-app", "consumers", "high", "active", "ylee", 1),
    ("Onboarding e-mail series", "experience", "e-mail", "consumers", "critical", "active", "lnguyen", 2),
    ("Delivery and installation", "experience", "field-sales", "consumers", "high", "active", "fadeyemi", 2),
    ("First bill", "experience", "e-mail", "all", "critical", "active", "kjohansson", 2),
    ("Customer service hotline", "experience", "call-centre", "all", "critical", "active", "cfischer", 2),
    ("Self-service account", "experience", "web", "all", "high", "active", "ofarouk", 2),
    ("Mobile app home screen", "experience", "mobile-app", "consumers", "high", "active", "zchen", 2),
    ("Service chat", "experience", "web", "all", "high", "active", "rdiaz", 1),
    ("Complaints handling", "experience", "call-centre", "all", "critical", "active", "sali", 2),
    ("Repairs and returns desk", "experience", "store", "consumers", "high", "active", "lmuller", 2),
    ("Status notifications", "experience", "mobile-app", "all", "medium", "active", "ofarouk", 1),
    ("Partner support line", "experience", "partner", "business", "medium", "active", "ejones", 1),
    ("Service outage updates", "experience", "social", "all", "high", "active", "cobrien", 1),
    ("Customer satisfaction survey", "advocate", "e-mail", "all", "high", "active", "ejones", 1),
    ("Review invitations", "advocate", "e-mail", "consumers", "medium", "active", "hsato", 1),
    ("Refer-a-friend programme", "advocate", "mobile-app", "consumers", "medium", "active", "nkowalski", 2),
    ("Community forum", "advocate", "web", "all", "medium", "active", "gmartin", 1),
    ("Social mentions response", "advocate", "social", "all", "high", "active", "gmartin", 2),
    ("Customer case studies", "advocate", "field-sales", "business", "low", "active", "pcosta", 1),
    ("Store events", "advocate", "store", "consumers", "low", "planned", "lmuller", 1),
    ("Partner awards", "advocate", "partner", "business", "low", "retired", "mgarcia", 1),
    ("Renewal reminders", "bond", "e-mail", "all", "critical", "active", "lnguyen", 2),
    ("Loyalty programme", "bond", "mobile-app", "consumers", "high", "active", "pcosta", 2),
    ("Account reviews", "bond", "field-sales", "business", "high", "active", "awright", 2),
    ("Upgrade offers", "bond", "web", "consumers", "high", "active", "ismith", 1),
    ("Retention desk", "bond", "call-centre", "consumers", "critical", "active", "cfischer", 2),
    ("Win-back campaigns", "bond", "e-mail", "consumers", "medium", "active", "nkowalski", 1),
    ("Member lounge", "bond", "store", "consumers", "low", "active", "fadeyemi", 1),
    ("Partner loyalty scheme", "bond", "partner", "business", "medium", "active", "mgarcia", 1),
    ("Anniversary messages", "bond", "social", "consumers", "low", "active", "gmartin", 1),
    ("Customer advisory panel", "bond", "field-sales", "business", "medium", "active", "hlarsen", 1),
)  # fmt: skip

MONTHS_OF_HISTORY = 12


def _series(rng: random.Random, target: Decimal, threshold: Decimal, direction: str, bias: float):
    """Twelve believable monthly values drifting around the target; ``bias`` > 0 is good."""
    spread = abs(target - threshold) or target * Decimal("0.1")
    good = 1 if direction == "higher" else -1
    level = float(target) + good * float(spread) * bias
    values = []
    for _ in range(MONTHS_OF_HISTORY):
        level += good * float(spread) * rng.uniform(-0.35, 0.38)
        level = max(level, 0.0)
        values.append(Decimal(str(round(level, 2))))
    return values


@transaction.atomic
def seed(*, stdout) -> list:
    admin = User.objects.get(username="admin")
    stages = {}
    for position, (slug, name, description) in enumerate(STAGES, start=1):
        stage = JourneyStage.objects.filter(slug=slug).first()
        stages[slug] = services.stage_save(
            actor=admin, stage=stage, slug=slug, name=name, position=position,
            description=description,
        )  # fmt: skip
    channels = {}
    for slug, name in CHANNELS:
        channel = Channel.objects.filter(slug=slug).first()
        channels[slug] = services.channel_save(actor=admin, channel=channel, slug=slug, name=name)

    people = {u.username: u for u in User.objects.all()}
    rng = random.Random(20121101)  # fixed seed: the same demo every time
    today = timezone.localdate()
    first_month = periods_back(today, "monthly", MONTHS_OF_HISTORY)
    rows = []
    kpi_count = 0
    for index, (name, stage, channel, segment, priority, status, steward, n_kpis) in enumerate(
        TOUCHPOINTS
    ):
        fields = {
            "name": name, "stage": stages[stage], "channel": channels[channel],
            "segment": segment, "priority": priority, "status": status,
            "data_steward": people[steward],
            "description": f"{name}: a {channels[channel].name.lower()} touchpoint at the "
            f"{stages[stage].name.lower()} stage. {stages[stage].description}",
        }  # fmt: skip
        touchpoint = Touchpoint.objects.filter(
            stage=stages[stage], channel=channels[channel], name=name
        ).first()
        if touchpoint is None:
            touchpoint = services.touchpoint_create(actor=admin, **fields)
        else:
            fields.pop("stage"), fields.pop("channel"), fields.pop("name")
            touchpoint = services.touchpoint_update(actor=admin, touchpoint=touchpoint, **fields)

        bias = rng.choice([1.2, 0.8, 0.5, 0.2, -0.3, -0.9])  # some touchpoints struggle
        stale = index % 9 == 4  # a few touchpoints whose data stopped coming in
        for kpi_name, unit, direction, target, threshold in KPIS[channel][:n_kpis]:
            kpi = Kpi.objects.filter(touchpoint=touchpoint, name=kpi_name).first()
            if kpi is None:
                kpi = services.kpi_create(
                    actor=admin, touchpoint=touchpoint, name=kpi_name, unit=unit,
                    direction=direction, target=Decimal(target),
                    at_risk_threshold=Decimal(threshold),
                )  # fmt: skip
            kpi_count += 1
            values = _series(rng, Decimal(target), Decimal(threshold), direction, bias)
            if status != "active":
                continue
            have = set(Measurement.objects.filter(kpi=kpi).values_list("period", flat=True))
            for month, value in enumerate(values):
                period = _add_months(first_month, month)
                if stale and month >= MONTHS_OF_HISTORY - 4:
                    continue
                if period not in have:
                    rows.append(
                        services.MeasurementRow(
                            kpi_id=kpi.pk,
                            period=period,
                            value=value,
                            source="Monthly KPI pack",
                            line=len(rows) + 1,
                        )
                    )
    if rows:
        services.measurements_record(actor=admin, rows=rows)
    stdout.write(
        f"Touchpoints: {len(TOUCHPOINTS)} touchpoints, {kpi_count} KPIs, "
        f"{len(rows)} new measurements."
    )
    return []


def _add_months(start: date, months: int) -> date:
    index = start.year * 12 + start.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
