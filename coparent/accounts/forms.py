"""Account forms: allauth's, with the site's fields, labels and checks (settings.ACCOUNT_FORMS,
MFA_FORMS), and the site's own forms for what allauth does not do (API tokens, the email
change page). Input checks and field-level errors only; decisions live in allauth's flows and
in our services."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, cast

from allauth.account import forms as allauth_forms
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.models import Authenticator
from allauth.mfa.webauthn import forms as webauthn_forms
from django import forms
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import (
    password_validators_help_text_html,
    validate_password,
)
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from coparent.accounts.models import User
from coparent.core.zones import all_zone_choices
from coparent.infra.labels import label_problem

if TYPE_CHECKING:
    from coparent.infra.labels import StrOrPromise


def normalize_code(code: str) -> str:
    """People type codes with spaces or dashes, in either case; recovery codes carried over
    from the old pages are lower case (migration 0004)."""
    return re.sub(r"[\s-]", "", code or "").lower()


def _email_widget(autocomplete: str = "email") -> forms.EmailInput:
    return forms.EmailInput(attrs={"autocomplete": autocomplete, "autocapitalize": "none"})


def _code_field(
    label: StrOrPromise, help_text: StrOrPromise = "", digits_only: bool = False
) -> forms.CharField:
    attrs = {"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
    if digits_only:
        attrs.update(inputmode="numeric", pattern=r"[0-9 ]*")
    return forms.CharField(
        label=label, max_length=32, help_text=help_text, widget=forms.TextInput(attrs=attrs)
    )


def _relabel_passwords(form: forms.Form, first: StrOrPromise, second: StrOrPromise) -> None:
    form.fields["password1"].label = first
    form.fields["password1"].help_text = password_validators_help_text_html()
    # Long passphrases are welcome; unbounded input is not.
    cast(forms.CharField, form.fields["password1"]).max_length = 4096
    form.fields["password2"].label = second
    for name in ("password1", "password2"):
        form.fields[name].widget.attrs.pop("placeholder", None)


class SignupForm(allauth_forms.SignupForm):
    """Email, name and a password twice. A taken address is never an error here: allauth then
    creates nothing and emails the owner instead (adapter.send_account_already_exists_mail),
    and the page answers exactly as for a new address."""

    display_name = forms.CharField(
        label=_("Your name"),
        max_length=100,
        help_text=_("Shown to the people in your family spaces."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    field_order = ["email", "display_name", "password1", "password2"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("Email address")
        self.fields["email"].max_length = 254
        self.fields["email"].widget = _email_widget()
        _relabel_passwords(self, _("Password"), _("Password again"))

    def clean_display_name(self) -> str:
        name: str = (self.cleaned_data.get("display_name") or "").strip()
        if not name:
            raise ValidationError(_("This field is required."), code="required")
        problem = label_problem(name)
        if problem:
            raise ValidationError(problem)
        return name

    def validate_unique_email(self, value: str) -> str:
        # allauth hides a taken address only when confirmation is mandatory for logging in; here
        # it is not (an unconfirmed person may log in), yet a sign-up must hide it all the same.
        self.account_already_exists = User.objects.filter(email__iexact=value).exists()
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        # allauth checks the password against an empty user; ours may not resemble the name.
        password, name = cleaned.get("password1"), cleaned.get("display_name")
        if password and name and "password1" not in self.errors:
            probe = User(email=cleaned.get("email") or "", display_name=name)
            try:
                validate_password(password, probe)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned

    def try_save(self, request: HttpRequest) -> tuple[User | None, HttpResponse | None]:
        if self.account_already_exists:
            # Hash the password anyway, so the answer takes as long as a real sign-up.
            make_password(self.cleaned_data.get("password1"))
        user, response = super().try_save(request)
        return user, response


class LoginForm(allauth_forms.LoginForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"] = forms.EmailField(
            label=_("Email address"), max_length=254, widget=_email_widget("username")
        )
        self.order_fields(["login", "password"])
        self.fields["password"].widget.attrs.pop("placeholder", None)
        self.fields["password"].help_text = ""


def second_factor_check(user: User, code: str, *, reauthentication: bool) -> Authenticator:
    """The authenticator app's code or a recovery code, through allauth's own check (its
    per-account limit on wrong codes, its failure signal). Raises ValidationError on "code"."""
    form_class = ReauthenticateCodeForm if reauthentication else AuthenticateForm
    form = form_class(user=user, data={"code": code})
    if not form.is_valid():
        raise ValidationError({"code": form.errors["code"]})
    authenticator: Authenticator = form.authenticator
    return authenticator


class ReauthenticateForm(allauth_forms.ReauthenticateForm):
    """Confirm it is you: the password, plus a code when the authenticator app is on (allauth
    alone would take either). The password goes through allauth's authenticate(), so guesses
    here count towards the django-axes lock-out too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password"].label = _("Your password")
        self.fields["password"].help_text = ""
        self.fields["password"].widget.attrs.pop("placeholder", None)
        self.needs_code = Authenticator.objects.filter(
            user_id=self.user.pk, type=Authenticator.Type.TOTP
        ).exists()
        if self.needs_code:
            self.fields["code"] = _code_field(
                _("Code"),
                help_text=_("From your authenticator app, or one of your recovery codes."),
            )

    def clean_password(self) -> str:
        try:
            return str(super().clean_password())
        except ValidationError as error:
            raise ValidationError(_("That password is not right."), code=error.code) from error

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.needs_code and "password" not in self.errors and cleaned.get("code"):
            try:
                authenticator = second_factor_check(
                    self.user, cleaned["code"], reauthentication=True
                )
            except ValidationError as error:
                self.add_error("code", error.message_dict["code"])
            else:
                self.authenticator = authenticator
        return cleaned


class PasswordChangeForm(allauth_forms.ChangePasswordForm):
    """A new password twice. The page asks for a fresh re-authentication first, so the current
    password is not asked again here."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["oldpassword"]
        _relabel_passwords(self, _("New password"), _("New password again"))


class PasswordResetForm(allauth_forms.ResetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("Email address")
        self.fields["email"].widget = _email_widget()


class PasswordResetKeyForm(allauth_forms.ResetPasswordKeyForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _relabel_passwords(self, _("New password"), _("New password again"))


class AuthenticateForm(mfa_forms.AuthenticateForm):
    """The second step of a login: the app's six digits or a recovery code."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"] = _code_field(
            _("Code"),
            help_text=_(
                "The six digits your authenticator app shows now, or one of your recovery codes."
            ),
        )

    def clean_code(self) -> str:
        self.cleaned_data["code"] = normalize_code(self.cleaned_data.get("code", ""))
        return str(super().clean_code())


class ReauthenticateCodeForm(AuthenticateForm):
    """The code part of a re-authentication (allauth's failure signal says so)."""

    def _emit_authentication_failed(self, authenticator: Authenticator) -> None:
        # allauth's re-authentication variant of the signal, borrowed for this code-only form
        mfa_forms.ReauthenticateForm._emit_authentication_failed(self, authenticator)  # type: ignore[arg-type]  # uses only self.user, which this form has


class AddPasskeyForm(webauthn_forms.AddWebAuthnForm):
    """A name, and the credential the browser made. Every passkey here can log in alone, so
    the server insists that the person unlocked it (user verification)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].label = _("Name of this passkey")
        cast(forms.CharField, self.fields["name"]).max_length = 100
        self.fields["name"].help_text = _("For example “my phone” or “work laptop”.")
        self.fields["passwordless"] = forms.BooleanField(
            required=False, initial=True, widget=forms.HiddenInput
        )

    def clean_passwordless(self) -> bool:
        return True


class EmailChangeForm(forms.Form):
    email = forms.EmailField(label=_("New email address"), max_length=254, widget=_email_widget())

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_email(self) -> str:
        email = str(self.cleaned_data["email"]).strip().lower()
        if email == self.user.email:
            raise ValidationError(_("This is already your email address."))
        # Whether another account uses it is not said (that would tell anyone with an account
        # who else has one): the adapter sends that address a notice instead of a link.
        return email


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


class OwnZoneForm(forms.Form):
    timezone = forms.ChoiceField(
        label=_("Your own time zone"),
        required=False,
        help_text=_(
            "Each family's pages show times in the family's zone. If you live in another one, "
            "choose it: every time is then given in yours too."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # web.forms.field_of sits above accounts in the layer order; a cast says the same.
        cast(forms.ChoiceField, self.fields["timezone"]).choices = [
            ("", _("None: I read times in my family's zone")),
            *all_zone_choices(),
        ]
