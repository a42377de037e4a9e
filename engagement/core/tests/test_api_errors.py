"""One error format for the whole API: {"detail", "code"[, "errors"]}, never a 500 for bad
input. Domain errors raised by services map to their status."""

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from engagement.core.errors import Conflict, Invalid, NotAllowed, NotFound

pytestmark = pytest.mark.django_db


def _view_raising(exc):
    class Raising(APIView):
        permission_classes = ()
        authentication_classes = ()

        def get(self, request):
            raise exc

    return Raising.as_view()


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (Invalid("The due date is before the summit.", field="due_date"), 400, "invalid"),
        (NotAllowed("Only the chair can log decisions."), 403, "not_allowed"),
        (NotFound("No such board."), 404, "not_found"),
        (Conflict("Design of this touchpoint is already held by Sales."), 409, "conflict"),
    ],
)
def test_domain_errors_map_to_their_status(exc, status, code):
    response = _view_raising(exc)(APIRequestFactory().get("/"))
    assert response.status_code == status
    assert response.data["detail"] == exc.message
    assert response.data["code"] == code


def test_field_of_a_domain_error_is_reported():
    response = _view_raising(Invalid("Too early.", field="due_date"))(APIRequestFactory().get("/"))
    assert response.data["errors"] == {"due_date": ["Too early."]}


def test_django_validation_error_is_a_400_with_fields():
    exc = DjangoValidationError({"name": ["This field cannot be blank."]})
    response = _view_raising(exc)(APIRequestFactory().get("/"))
    assert response.status_code == 400
    assert response.data["detail"] == "name: This field cannot be blank."
    assert response.data["errors"] == {"name": ["This field cannot be blank."]}


def test_integrity_error_is_a_409_not_a_500():
    response = _view_raising(IntegrityError("duplicate key"))(APIRequestFactory().get("/"))
    assert response.status_code == 409
    assert response.data["code"] == "conflict"
    assert "duplicate key" not in response.data["detail"]


def test_unknown_object_is_a_404(api_client_for, member):
    response = api_client_for(member).get("/api/v1/functions/999999/")
    assert response.status_code == 404
    assert response.json() == {
        "detail": "Not found.",
        "code": "not_found",
    }


def test_unknown_api_route_is_a_404(api_client_for, member):
    response = api_client_for(member).get("/api/v1/functions/not-a-number/")
    assert response.status_code == 404


def test_wrong_method_is_a_405(api_client_for, member):
    response = api_client_for(member).delete("/api/v1/functions/")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_bad_filter_value_is_a_400(api_client_for, member):
    response = api_client_for(member).get("/api/v1/functions/?head=abc")
    assert response.status_code == 400
    assert response.json()["errors"]["head"]


def test_bad_cursor_is_a_404_with_detail(api_client_for, admin_user):
    response = api_client_for(admin_user).get("/api/v1/audit-events/?cursor=garbage")
    assert response.status_code == 404
    assert response.json()["detail"] == "Invalid cursor"


def test_page_out_of_range_is_a_404(api_client_for, member):
    response = api_client_for(member).get("/api/v1/functions/?page=99")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
