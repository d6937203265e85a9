"""Account forms: input checks and field-level errors only. Decisions live in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.password_validation import (
    password_validators_help_text_html,
    validate_password,
)
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from coparent.accounts.models import User
from coparent.infra.mail import send_email


def _email_field(label: str, autocomplete: str = "email") -> forms.EmailField:
    return forms.EmailField(
        label=label,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": autocomplete, "autocapitalize": "none"}),
    )


def _password_field(label: str, autocomplete: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        max_length=4096,  # long passphrases are welcome; unbounded input is not
        help_text=help_text,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


def _code_field(label: str, help_text: str = "", digits_only: bool = False) -> forms.CharField:
    attrs = {"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
    if digits_only:
        attrs.update(inputmode="numeric", pattern=r"[0-9 ]*")
    return forms.CharField(
        label=label, max_length=32, help_text=help_text, widget=forms.TextInput(attrs=attrs)
    )


class _NewPasswordMixin(forms.Form):
    """Two password fields, checked against the validators and against each other; the
    person the password is for is needed so it cannot resemble their name or address."""

    password_user: User

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        validate_password(password, self.password_user)
        return password

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password"), cleaned.get("password_confirm")
        if first and second and first != second:
            self.add_error("password_confirm", _("The two passwords are not the same."))
        return cleaned


class SignupForm(_NewPasswordMixin):
    email = _email_field(_("Email address"))
    display_name = forms.CharField(
        label=_("Your name"),
        max_length=100,
        help_text=_("Shown to the people in your family spaces."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password = _password_field(
        _("Password"), "new-password", help_text=password_validators_help_text_html()
    )
    password_confirm = _password_field(_("Password again"), "new-password")

    def clean_password(self) -> str:
        self.password_user = User(
            email=(self.cleaned_data.get("email") or "").lower(),
            display_name=self.cleaned_data.get("display_name") or "",
        )
        return super().clean_password()


class LoginForm(forms.Form):
    """Email and password, checked through django.contrib.auth.authenticate with the request,
    so django-axes counts every failure and refuses a locked-out person."""

    email = _email_field(_("Email address"), autocomplete="username")
    password = _password_field(_("Password"), "current-password")

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.user: User | None = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        email, password = cleaned.get("email"), cleaned.get("password")
        if email and password:
            user = authenticate(self.request, username=email.strip().lower(), password=password)
            if user is None:
                raise ValidationError(
                    _("That email address and password do not match an account."),
                    code="invalid_login",
                )
            self.user = user  # type: ignore[assignment]
        return cleaned


class CodeForm(forms.Form):
    code = _code_field(
        _("Code"),
        help_text=_(
            "The six digits your authenticator app shows now, or one of your recovery codes."
        ),
    )


class ReauthForm(forms.Form):
    """Confirm it is you: the password, plus a second-factor code when it is on. The password
    goes through authenticate() so guesses here count towards the lock-out too."""

    password = _password_field(_("Your password"), "current-password")

    def __init__(
        self, request: HttpRequest, user: User, needs_code: bool, *args: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = user
        if needs_code:
            self.fields["code"] = _code_field(
                _("Code"),
                help_text=_("From your authenticator app, or one of your recovery codes."),
            )

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        found = authenticate(self.request, username=self.user.email, password=password)
        if found is None or found.pk != self.user.pk:
            raise ValidationError(_("That password is not right."), code="invalid_password")
        return password


class PasswordChangeForm(_NewPasswordMixin):
    password = _password_field(
        _("New password"), "new-password", help_text=password_validators_help_text_html()
    )
    password_confirm = _password_field(_("New password again"), "new-password")

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.password_user = user


class EmailChangeForm(forms.Form):
    email = _email_field(_("New email address"))


class OtpConfirmForm(forms.Form):
    code = _code_field(
        _("Code from the app"),
        help_text=_("The six digits the app shows for Coparent."),
        digits_only=True,
    )


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("What will use it, for example “calendar sync on my laptop”."),
    )
    expires_in_days = forms.TypedChoiceField(
        label=_("Expires"),
        choices=[
            ("", _("Never (until you revoke it)")),
            ("7", _("In 7 days")),
            ("30", _("In 30 days")),
            ("90", _("In 90 days")),
            ("365", _("In a year")),
        ],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("A token that expires stops working by itself; you can revoke it any time."),
    )


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, with its email rendered like every other email (coparent.infra.mail):
    plain text, never HTML-escaped."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        send_email(
            template=subject_template_name,
            body_template=email_template_name,
            context=context,
            to=to_email,
            from_email=from_email,
        )
