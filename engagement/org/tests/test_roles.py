import pytest

from engagement.org import roles
from engagement.org.tests.factories import FunctionFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_head_acts_for_their_function(function_owner, function):
    assert roles.can_act_for(function_owner, function)
    assert list(roles.functions_acted_for(function_owner)) == [function]
    assert roles.roles_for(function_owner).codes == ["function_head"]


def test_delegate_acts_for_the_function_but_does_not_head_it(delegate, function):
    r = roles.roles_for(delegate)
    assert r.acts_for(function.pk)
    assert function.pk not in r.headed_function_ids
    assert r.codes == ["function_delegate"]


def test_member_of_a_function_does_not_act_for_it(member, function):
    assert not roles.can_act_for(member, function)
    assert list(roles.functions_acted_for(member)) == []
    assert roles.roles_for(member).codes == []


def test_person_can_act_for_several_functions(function_owner, other_function):
    other_function.delegates.add(function_owner)
    assert set(roles.functions_acted_for(function_owner)) == {
        function_owner.headed_functions.get(),
        other_function,
    }


def test_archived_function_grants_nothing(function_owner, function):
    function.is_active = False
    function.save()
    roles.forget(function_owner)
    assert not roles.can_act_for(function_owner, function)


def test_executive_and_admin_roles(executive, admin_user, outsider):
    assert roles.is_executive(executive)
    assert not roles.is_admin(executive)
    assert roles.is_admin(admin_user)
    assert not roles.is_executive(admin_user)
    assert not roles.is_executive(outsider)
    assert not roles.is_admin(outsider)


def test_deactivated_and_anonymous_people_have_no_roles(function_owner, function):
    from django.contrib.auth.models import AnonymousUser

    function_owner.is_active = False
    assert roles.roles_for(function_owner) == roles.ANONYMOUS
    assert not roles.can_act_for(AnonymousUser(), function)


def test_roles_are_read_once_per_user_object(django_assert_num_queries):
    function = FunctionFactory()
    head = UserFactory()
    function.head = head
    function.save()
    with django_assert_num_queries(2):
        for _ in range(5):
            roles.can_act_for(head, function)
            roles.is_executive(head)
