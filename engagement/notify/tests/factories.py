"""Factories for the notification ledger, preferences and chat channels.

``notify`` sits below the governance apps, so a chat channel here follows an
``org.Function``; tests of higher apps pass ``follows=board`` themselves.
"""

from __future__ import annotations

import factory
from django.contrib.contenttypes.models import ContentType

from engagement.notify.models import ChatWebhook, Kind, Notification, Preference
from engagement.org.tests.factories import FunctionFactory, UserFactory


class ChatWebhookFactory(factory.django.DjangoModelFactory):
    """An active Slack channel following a function, posting every kind."""

    class Meta:
        model = ChatWebhook
        exclude = ("follows",)

    name = factory.Sequence(lambda n: f"#channel-{n}")
    flavour = ChatWebhook.Flavour.SLACK
    url = factory.Sequence(lambda n: f"https://hooks.example.com/services/T000/B000/{n:06d}")
    follows = factory.SubFactory(FunctionFactory)
    follows_type = factory.LazyAttribute(lambda o: ContentType.objects.get_for_model(o.follows))
    follows_id = factory.LazyAttribute(lambda o: o.follows.pk)
    kinds = factory.LazyFunction(list)
    is_active = True


class NotificationFactory(factory.django.DjangoModelFactory):
    """An unread reminder in a person's inbox, waiting to be e-mailed.

    For a channel's row pass ``webhook=ChatWebhookFactory(), recipient=None``.
    """

    class Meta:
        model = Notification

    kind = Kind.REMINDER
    recipient = factory.SubFactory(UserFactory)
    webhook = None
    dedupe_key = factory.Sequence(lambda n: f"test:{n}")
    title = factory.Sequence(lambda n: f"Reminder: “Item {n}” is due in 2 days")
    body = "Finish it, or move the due date and say why."
    url = "/"
    data = factory.LazyFunction(dict)
    status = Notification.Status.PENDING


class PreferenceFactory(factory.django.DjangoModelFactory):
    """A person's preference: everything by e-mail, no digest (the default without a row)."""

    class Meta:
        model = Preference

    person = factory.SubFactory(UserFactory)
    deliveries = factory.LazyFunction(dict)
    digest = Preference.Frequency.NONE
