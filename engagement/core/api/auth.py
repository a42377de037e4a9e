"""Token authentication for scripts: exchange a username and password for a knox token.

Tokens are hashed in the database, expire (``API_TOKEN_TTL_HOURS``) and are revoked one by one
(``POST /api/v1/auth/logout/``) or all at once (``POST /api/v1/auth/logout-all/``). A wrong
username or password gets the same answer, so the endpoint does not tell who has an account.
"""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from knox.auth import TokenAuthentication
from knox.views import LoginView as KnoxLoginView
from knox.views import LogoutAllView as KnoxLogoutAllView
from knox.views import LogoutView as KnoxLogoutView
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.throttling import ScopedRateThrottle


class TokenCreateInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)

    def validate(self, attrs):
        user = authenticate(
            request=self.context.get("request"),
            username=attrs["username"],
            password=attrs["password"],
        )
        if user is None or not user.is_active:
            raise serializers.ValidationError(
                _("Unable to sign in with this username and password."), code="authorization"
            )
        attrs["user"] = user
        return attrs


TokenOutput = inline_serializer(
    "TokenOutput",
    fields={
        "token": serializers.CharField(help_text="Send as `Authorization: Token <token>`."),
        "expiry": serializers.DateTimeField(allow_null=True),
    },
)


class TokenCreateView(KnoxLoginView):
    """Exchange a username and password for an API token."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    throttle_classes = (ScopedRateThrottle,)
    throttle_scope = "auth"

    def get_user_serializer_class(self):
        return None

    @extend_schema(request=TokenCreateInputSerializer, responses={200: TokenOutput})
    def post(self, request, format=None):
        serializer = TokenCreateInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        request.user = serializer.validated_data["user"]
        return super().post(request, format=format)


class TokenLogoutView(KnoxLogoutView):
    """Revoke the token this request was made with."""

    authentication_classes = (TokenAuthentication,)
    permission_classes = (IsAuthenticated,)

    @extend_schema(request=None, responses={204: None})
    def post(self, request, format=None):
        return super().post(request, format=format)


class TokenLogoutAllView(KnoxLogoutAllView):
    """Revoke every token of the signed-in person."""

    authentication_classes = (TokenAuthentication,)
    permission_classes = (IsAuthenticated,)

    @extend_schema(request=None, responses={204: None})
    def post(self, request, format=None):
        return super().post(request, format=format)
