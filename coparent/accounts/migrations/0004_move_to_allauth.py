"""Move the credentials the hand-written accounts code kept onto django-allauth's tables.

- Every account gets its address as a primary `EmailAddress`, verified when it was confirmed.
- A confirmed authenticator app (django-otp `TOTPDevice`) becomes a TOTP `Authenticator` with
  the same secret, so the codes on people's phones keep working; their unused recovery codes
  (django-otp `StaticToken`) become allauth's "migrated" recovery codes, each good once.
- Each signed-in browser that had not ended stays listed (`usersessions.UserSession`).

Links from the old confirmation emails stop working (allauth signs its own); a pending email
change must be asked for again. django-otp is no longer installed, so its tables are read with
plain SQL when they exist and left in place, unused (docs/operations.md, "Upgrading").
"""

from __future__ import annotations

import base64
from typing import Any

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

# What the site ever configured django-otp with (settings.OTP_TOTP_*): 30-second steps, six
# digits, counted from the epoch. allauth's TOTP is fixed to the same.
TOTP_STEP, TOTP_DIGITS, TOTP_T0 = 30, 6, 0


def _tables(schema_editor: BaseDatabaseSchemaEditor) -> set[str]:
    with schema_editor.connection.cursor() as cursor:
        return set(schema_editor.connection.introspection.table_names(cursor))


def _rows(schema_editor: BaseDatabaseSchemaEditor, sql: str) -> list[tuple[Any, ...]]:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(sql)
        return list(cursor.fetchall())


def email_addresses(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    User = apps.get_model("accounts", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    have = set(EmailAddress.objects.values_list("user_id", flat=True))
    EmailAddress.objects.bulk_create(
        [
            EmailAddress(
                user_id=user_id,
                email=email.lower(),
                primary=True,
                verified=confirmed_at is not None,
            )
            for user_id, email, confirmed_at in User.objects.values_list(
                "pk", "email", "email_confirmed_at"
            )
            if user_id not in have
        ],
        batch_size=500,
    )


def second_factors(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    tables = _tables(schema_editor)
    Authenticator = apps.get_model("mfa", "Authenticator")
    if "otp_totp_totpdevice" in tables:
        devices = _rows(
            schema_editor,
            "SELECT user_id, key, step, digits, t0, created_at, last_used_at"
            " FROM otp_totp_totpdevice WHERE confirmed ORDER BY id",
        )
        done: set[int] = set()
        for user_id, key, step, digits, t0, created_at, last_used_at in devices:
            if user_id in done or (step, digits, t0) != (TOTP_STEP, TOTP_DIGITS, TOTP_T0):
                continue
            done.add(user_id)
            secret = base64.b32encode(bytes.fromhex(key)).decode("ascii")
            Authenticator.objects.create(
                user_id=user_id,
                type="totp",
                data={"secret": secret},
                **({"created_at": created_at} if created_at else {}),
                last_used_at=last_used_at,
            )
    if {"otp_static_staticdevice", "otp_static_statictoken"} <= tables:
        codes: dict[int, list[str]] = {}
        for user_id, token in _rows(
            schema_editor,
            "SELECT d.user_id, t.token FROM otp_static_statictoken t"
            " JOIN otp_static_staticdevice d ON d.id = t.device_id"
            " WHERE d.confirmed ORDER BY t.id",
        ):
            codes.setdefault(user_id, []).append(token)
        with_totp = set(Authenticator.objects.filter(type="totp").values_list("user_id", flat=True))
        for user_id, tokens in codes.items():
            # Recovery codes alone are no second factor (allauth deletes them then too).
            if user_id in with_totp:
                Authenticator.objects.create(
                    user_id=user_id,
                    type="recovery_codes",
                    # Kept as typed into the old pages: lower case, no spaces
                    # (forms.normalize_code turns what people type into that).
                    data={"migrated_codes": tokens, "used_mask": 0},
                )


def browser_sessions(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Old = apps.get_model("accounts", "UserSession")
    New = apps.get_model("usersessions", "UserSession")
    New.objects.bulk_create(
        [
            New(
                user_id=row.user_id,
                session_key=row.session_key,
                created_at=row.created_at,
                last_seen_at=row.last_seen_at,
                ip=row.ip_address or "0.0.0.0",  # noqa: S104 - a placeholder, not a bind
                user_agent=row.user_agent,
            )
            for row in Old.objects.filter(ended_at__isnull=True)
        ],
        batch_size=500,
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_token_expiry_signup_attempts"),
        ("account", "0009_emailaddress_unique_primary_email"),
        ("mfa", "0003_authenticator_type_uniq"),
        ("usersessions", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(email_addresses, migrations.RunPython.noop),
        migrations.RunPython(second_factors, migrations.RunPython.noop),
        migrations.RunPython(browser_sessions, migrations.RunPython.noop),
        migrations.DeleteModel(name="EmailConfirmation"),
        migrations.DeleteModel(name="UserSession"),
    ]
