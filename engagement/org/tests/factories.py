from __future__ import annotations

import factory
from django.conf import settings
from django.contrib.auth.models import Group

from engagement.org.models import Function, User


class FunctionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Function
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Function {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))
    description = ""


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = factory.Sequence(lambda n: f"Last{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    title = ""
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def executive(self, create, extracted, **kwargs):
        if create and extracted:
            group, _ = Group.objects.get_or_create(name=settings.EXECUTIVE_GROUP_NAME)
            self.groups.add(group)
