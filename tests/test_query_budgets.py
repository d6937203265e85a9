"""Every page and every API read has a query budget that does not grow with the family's rows
(STYLE.md 8; issue #17, point 8), and this file keeps the list.

Each URL name of the site and each GET operation of the API is in exactly one of two places:

- `BUDGETED`: the test that asserts its query count (with a comment naming each query, at two
  sizes of data where the rows could grow);
- `NO_BUDGET_NEEDED`: why it reads no rows that could grow (a form that only posts, a file, a
  page of allauth's, a page without the database).

A new URL or operation in neither fails `test_every_page_and_read_is_accounted_for`; a named
test that is missing, or that never hands a query-count fixture (`django_assert_num_queries`,
`django_assert_max_num_queries`) to a `with` block, directly or through a helper of its file,
fails `test_every_named_budget_test_exists_and_counts_queries`. (There was a third list, of
reads still without a budget; it is empty and gone: a page without a budget has no place here.)
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

from coparent.api.api import api

ROOT = Path(__file__).resolve().parent.parent

# --- Pages (URL names) and API operations (operation ids) with their budget test --------------

_BY_FILE: dict[str, dict[str, str]] = {
    "tests/accounts/test_sessions.py": {
        "accounts:sessions": "test_the_session_list_costs_a_fixed_number_of_queries",
    },
    "tests/accounts/test_tokens.py": {
        "accounts:tokens": "test_the_token_list_costs_a_fixed_number_of_queries",
    },
    "tests/agreements/test_pages.py": {
        "agreements:agreement": "test_the_agreement_page_costs_the_same_for_one_clause_or_twenty",
        "agreements:clause": "test_a_clause_page_costs_four_queries_with_its_whole_history",
        "agreements:library": "test_the_library_and_the_printed_agreement_are_on_a_budget",
        "agreements:print": "test_the_library_and_the_printed_agreement_are_on_a_budget",
    },
    "tests/families/test_safe_mode.py": {
        "families:home": "test_alexs_home_page_and_read_cost_the_same_after_one_change_or_ten",
        "api:home_detail": "test_alexs_home_page_and_read_cost_the_same_after_one_change_or_ten",
    },
    "tests/documents/test_pages.py": {
        "documents:list": "test_the_folder_page_costs_the_same_whatever_it_holds",
        "documents:detail": "test_the_document_page_costs_the_same_whatever_its_versions",
    },
    "tests/events/test_queries.py": {
        "api:event_detail": "test_one_event_in_the_api_runs_a_fixed_number_of_queries",
        "events:list": "test_the_events_page_runs_seven_queries_whatever_the_number",
        "events:detail": "test_the_event_page_runs_six_queries",
        "api:event_list": "test_the_events_endpoint_runs_a_fixed_number_of_queries",
    },
    "tests/expenses/test_corrections.py": {
        "expenses:correct": "test_correction_pages_read_in_a_fixed_number_of_queries",
        "expenses:payment_correct": "test_correction_pages_read_in_a_fixed_number_of_queries",
    },
    "tests/insights/test_insights.py": {
        "insights:page": "test_the_page_costs_the_same_queries_however_many_messages",
        "api:insights_get": "test_the_api_costs_the_same_queries_however_many_messages",
    },
    "tests/exchanges/test_pages.py": {
        "exchanges:list": "test_the_pages_cost_a_fixed_number_of_queries",
        "exchanges:detail": "test_the_pages_cost_a_fixed_number_of_queries",
    },
    "tests/expenses/test_pages.py": {
        "expenses:list": "test_pages_read_in_a_bounded_number_of_queries",
        "expenses:balance": "test_pages_read_in_a_bounded_number_of_queries",
        "expenses:payments": "test_pages_read_in_a_bounded_number_of_queries",
        "expenses:statement": "test_pages_read_in_a_bounded_number_of_queries",
        "expenses:detail": "test_pages_read_in_a_bounded_number_of_queries",
        "expenses:year": "test_the_year_per_child_for_tax_time",
    },
    "tests/families/test_family_space.py": {
        "families:dashboard": "test_the_parents_dashboard_runs_a_fixed_number_of_queries",
        "families:children": "test_the_children_page_runs_three_queries",
    },
    "tests/families/test_members.py": {
        "families:members": "test_the_members_page_runs_a_fixed_number_of_queries",
    },
    "tests/infobank/test_pages.py": {
        "infobank:index": "test_the_pages_cost_a_fixed_number_of_queries",
        "infobank:child": "test_the_pages_cost_a_fixed_number_of_queries",
        "infobank:card": "test_the_pages_cost_a_fixed_number_of_queries",
        "infobank:item": "test_the_pages_cost_a_fixed_number_of_queries",
    },
    "tests/journal/test_pages.py": {
        "journal:list": "test_the_list_costs_a_fixed_number_of_queries",
        "journal:shared": "test_the_list_costs_a_fixed_number_of_queries",
        "journal:entry": "test_the_entry_page_costs_the_same_however_many_versions",
        "journal:export_job": "test_an_exports_page_and_status_cost_a_fixed_number_of_queries",
        "journal:export_status": "test_an_exports_page_and_status_cost_a_fixed_number_of_queries",
    },
    "tests/journal/test_shared_export.py": {
        "journal:shared_job": "test_morgans_export_page_and_status_cost_a_fixed_number_of_queries",
        "journal:shared_job_status": (
            "test_morgans_export_page_and_status_cost_a_fixed_number_of_queries"
        ),
    },
    "tests/messaging/test_pages.py": {
        "messaging:unread": "test_the_unread_badge_costs_the_same_however_many_messages",
        "messaging:notifications": "test_the_message_settings_cost_the_same_however_many_messages",
        "messaging:inbox": "test_the_inbox_reads_the_same_few_queries_however_many_messages",
        "messaging:thread": "test_the_thread_reads_the_same_few_queries_however_many_messages",
        "messaging:search": "test_search_reads_the_same_few_queries_however_many_messages",
    },
    "tests/notifications/test_centre.py": {
        "notifications:list": "test_the_centre_costs_the_same_few_queries_however_many",
        "notifications:preferences": "test_the_settings_page_reads_four_queries",
    },
    "tests/records/test_timeline.py": {
        "records:timeline": "test_the_timeline_queries_do_not_grow_with_the_record",
    },
    "tests/records/test_checkpoints.py": {
        "records:export": "test_the_export_page_lists_the_weekly_checkpoints_to_download",
    },
    "tests/records/test_export_page.py": {
        "records:export_job_status": "test_the_status_endpoint_costs_a_fixed_number_of_queries",
    },
    "tests/requests/test_pages_and_api.py": {
        "api:request_detail": "test_one_request_in_the_api_costs_the_same_however_many_comments",
        "requests:list": "test_the_list_page_costs_the_same_whatever_the_number",
        "requests:detail": "test_the_request_page_costs_a_fixed_number_of_queries",
        "api:request_list": "test_the_list_endpoint_costs_the_same_whatever_the_number",
    },
    "tests/schedule/test_budgets_and_api.py": {
        "schedule:agenda": "test_the_agenda_costs_the_same_whatever_the_history",
        "schedule:edit": "test_the_plan_editor_costs_the_same_whatever_the_history",
        "schedule:timeshare": "test_the_timeshare_costs_the_same_whatever_the_history",
        "api:schedule_timeshare": "test_the_timeshare_costs_the_same_whatever_the_history",
        "schedule:month": "test_the_month_view_costs_the_same_whatever_the_history",
        "schedule:day": "test_a_day_of_the_calendar_costs_the_same_whatever_the_history",
        "api:schedule_calendar": "test_the_calendar_api_costs_the_same_whatever_the_history",
        "api:plan_list": "test_the_plan_list_costs_the_same_whatever_the_history",
    },
    "tests/schedule/test_what_changes.py": {
        "schedule:proposals": "test_the_page_costs_the_same_however_many_versions",
    },
    "tests/schedule/test_feed.py": {
        "schedule:feed": (
            "test_sam_chooses_reminders_on_the_feed_page_and_keeps_them_on_a_new_address"
        ),
        "schedule_feed": "test_the_feed_answers_in_the_same_queries_however_full_it_is",
    },
    "tests/api/test_me.py": {
        "api:me": "test_morgan_sees_himself_and_the_family_he_mediates",
    },
    "tests/api/test_families.py": {
        "api:family_detail": "test_the_family_and_a_child_cost_the_same_however_many_children",
        "api:child_detail": "test_the_family_and_a_child_cost_the_same_however_many_children",
        "api:family_list": "test_alex_sees_his_family_and_his_role",
        "api:child_list": "test_every_member_lists_the_children",
    },
    "tests/api/test_members.py": {
        "api:member_list": "test_alex_sees_every_member_and_the_mediators_consents",
    },
    "tests/api/test_invitations.py": {
        "api:invitation_list": "test_alex_and_the_mediator_see_pending_invitations",
    },
    "tests/api/test_record.py": {
        "api:record_list": "test_sam_reads_the_record_and_every_hash_checks_out",
    },
    "tests/api/test_record_exports.py": {
        "api:record_export_status": (
            "test_an_api_record_export_status_costs_a_fixed_number_of_queries"
        ),
    },
    "tests/api/test_tokens.py": {
        "api:token_list": "test_the_token_list_never_shows_a_token",
    },
    "tests/messaging/test_api.py": {
        "api:message_search": "test_search_does_not_grow_with_the_thread",
        "api:thread_list": "test_list_endpoints_do_not_grow_with_the_thread",
        "api:message_list": "test_list_endpoints_do_not_grow_with_the_thread",
    },
    "tests/journal/test_api.py": {
        "api:journal_list": "test_the_list_costs_a_fixed_number_of_queries",
        "api:journal_export_status": "test_an_api_export_status_costs_a_fixed_number_of_queries",
    },
    "tests/expenses/test_api.py": {
        "api:expense_detail": "test_one_expense_and_its_requests_cost_the_same_however_many",
        "api:reimbursement_list": "test_one_expense_and_its_requests_cost_the_same_however_many",
        "api:totals": "test_the_totals_cost_the_same_however_many_expenses",
        "api:expense_list": "test_lists_run_a_fixed_number_of_queries",
        "api:payment_list": "test_lists_run_a_fixed_number_of_queries",
        "api:balance": "test_lists_run_a_fixed_number_of_queries",
    },
    "tests/notifications/test_api.py": {
        "api:notification_list": "test_sam_lists_his_notifications_and_marks_them_read",
    },
    "tests/agreements/test_api.py": {
        "api:agreement_detail": "test_the_agreement_endpoint_runs_a_fixed_number_of_queries",
        "api:agreement_terms": "test_terms_are_one_query",
        "api:clause_detail": "test_a_clauses_history_runs_a_fixed_number_of_queries",
    },
    "tests/documents/test_api.py": {
        "api:document_detail": "test_one_document_costs_the_same_however_many_versions",
        "api:document_list": "test_the_list_endpoint_costs_the_same_whatever_the_number",
    },
    "tests/api/test_infobank.py": {
        "api:info_detail": "test_one_item_costs_the_same_however_long_its_history",
        "api:info_list": "test_the_list_costs_a_fixed_number_of_queries",
        "api:info_emergency_card": "test_the_list_costs_a_fixed_number_of_queries",
    },
    "tests/exchanges/test_pass_budgets.py": {
        "exchanges:pass": "test_a_pass_page_and_its_check_cost_the_same_whatever_the_number",
        "pass_check": "test_a_pass_page_and_its_check_cost_the_same_whatever_the_number",
        "api:pass_list": "test_the_pass_list_costs_the_same_whatever_the_number",
        "exchanges:passes": "test_the_passes_page_costs_the_same_whatever_the_number",
    },
    "tests/notifications/test_push_budgets.py": {
        "api:push_subscription_list": (
            "test_the_push_subscription_list_costs_the_same_whatever_the_number"
        ),
    },
    "tests/accounts/test_pages.py": {
        "accounts:security": "test_the_security_page_costs_the_same_however_long_the_log",
    },
    "tests/web/test_home.py": {
        "web:home": "test_the_home_page_costs_the_same_however_many_families",
    },
    "tests/families/test_zone_settings.py": {
        "families:settings": "test_the_settings_page_costs_the_same_however_often_the_zone_changed",
    },
    "tests/exchanges/test_exchange_budgets.py": {
        "exchanges:actual": "test_planned_beside_actual_costs_the_same_however_many_check_ins",
        "api:timeshare_actual": "test_planned_beside_actual_costs_the_same_however_many_check_ins",
        "api:exchange_list": "test_the_exchange_list_costs_the_same_however_many_check_ins",
        "api:exchange_detail": "test_one_exchange_costs_the_same_however_many_check_ins",
    },
    "tests/journal/test_budgets.py": {
        "journal:shared_entry": "test_a_shared_entry_costs_the_same_however_many_versions",
        "api:journal_shared_get": "test_a_shared_entry_costs_the_same_however_many_versions",
        "api:journal_shared_list": "test_the_shared_list_costs_the_same_however_many_entries",
        "api:journal_get": "test_one_entry_costs_the_same_however_many_versions",
    },
}
BUDGETED: dict[str, str] = {
    name: f"{path}::{test}" for path, tests in _BY_FILE.items() for name, test in tests.items()
}

FORM = "a form or an action: it writes, or shows a form with no rows that grow"
FILE = "one file (a download, a thumbnail, an export): one object, no list"
ALLAUTH = "allauth's own account page (the signed-in person's own few rows)"
STATIC = "reads nothing from the database"

NO_BUDGET_NEEDED: dict[str, str] = {
    "healthz": STATIC,
    "web:manifest": STATIC,
    "web:service_worker": STATIC,
    "web:offline": STATIC,
    "record_verify": "checks an uploaded export; reads no rows",
    "api:record_key": STATIC,
    "api:push_key": STATIC,
    "api:agreement_library": "the clause library is code, not rows",
    # files
    **dict.fromkeys(
        [
            "messaging:attachment",
            "messaging:attachment_thumbnail",
            "exchanges:photo",
            "exchanges:photo_small",
            "documents:download",
            "documents:thumbnail",
            "journal:file",
            "journal:export_download",
            "journal:shared_job_download",
            "expenses:receipt",
            "expenses:statement_csv",
            "expenses:statement_pdf",
            "expenses:year_csv",
            "expenses:year_pdf",
            "agreements:pdf",
            "schedule:timeshare_csv",
            "records:export_job_download",
            "records:checkpoint",
            "records:checkpoint_weekly",
            "api:attachment_download",
            "api:document_version_download",
            "api:journal_export_download",
            "api:record_export_download",
            "api:record_checkpoint",
        ],
        FILE,
    ),
    # forms and actions
    **dict.fromkeys(
        [
            "accounts:confirm_resend",
            "accounts:zone",
            "accounts:session_end",
            "accounts:token_revoke",
            "families:create",
            "families:child_add",
            "families:child_edit",
            "families:invite",
            "families:invitation_cancel",
            "families:consent_give",
            "families:consent_withdraw",
            "families:member_end",
            "invitation_accept",
            "records:export_job",
            "messaging:compose",
            "messaging:reply",
            "messaging:shield_offer",
            "events:add",
            "events:edit",
            "events:cancel",
            "events:rsvp",
            "exchanges:pass_revoke",
            "exchanges:check_in",
            "exchanges:note",
            "documents:add",
            "documents:add_version",
            "journal:new",
            "journal:export_json",
            "journal:export_pdf",
            "journal:shared_export",
            "journal:correct",
            "journal:share",
            "journal:unshare",
            "expenses:add",
            "expenses:confirm",
            "expenses:answer",
            "expenses:ask",
            "expenses:stop_repeat",
            "expenses:withdraw",
            "expenses:payment_withdraw",
            "schedule:preview",
            "schedule:accept",
            "schedule:decline",
            "schedule:withdraw",
            "schedule:feed_create",
            "schedule:feed_revoke",
            "schedule:feed_reminders",
            "agreements:propose",
            "agreements:amend",
            "agreements:sign",
            "agreements:decline",
            "agreements:withdraw",
            "requests:add",
            "requests:approve",
            "requests:decline",
            "requests:withdraw",
            "requests:counter",
            "requests:comment",
            "infobank:add",
            "infobank:change",
            "infobank:remove",
            "infobank:reveal",
            "notifications:open",
            "notifications:read",
            "notifications:read_all",
            "notifications:push_subscribe",
            "notifications:push_unsubscribe",
            "api:notification_preferences",
        ],
        FORM,
    ),
    **dict.fromkeys(
        [
            "account_login",
            "mfa_authenticate",
            "mfa_login_webauthn",
            "account_logout",
            "account_signup",
            "account_email_verification_sent",
            "account_confirm_email",
            "account_reauthenticate",
            "account_email",
            "account_change_password",
            "account_reset_password",
            "account_reset_password_done",
            "account_reset_password_from_key",
            "account_reset_password_from_key_done",
            "mfa_index",
            "mfa_activate_totp",
            "mfa_deactivate_totp",
            "mfa_view_recovery_codes",
            "mfa_generate_recovery_codes",
            "mfa_add_webauthn",
            "mfa_remove_webauthn",
        ],
        ALLAUTH,
    ),
}


def _url_names(patterns: list[URLPattern | URLResolver], namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            if pattern.namespace == "api-1.0.0" or str(pattern.pattern).startswith("api/"):
                continue  # the API is counted by operation below
            names |= _url_names(pattern.url_patterns, inner)
        elif pattern.name:
            names.add(namespace + pattern.name)
    return names


def _api_reads() -> set[str]:
    schema = api.get_openapi_schema()
    return {
        f"api:{operation['operationId']}"
        for methods in schema["paths"].values()
        for method, operation in methods.items()
        if method == "get"
    }


COUNTERS = frozenset({"django_assert_num_queries", "django_assert_max_num_queries"})


def _counts_in_with(function: ast.FunctionDef, names: set[str]) -> bool:
    """Whether `function` opens a `with` block on a call of one of `names`."""
    return any(
        isinstance(item.context_expr, ast.Call)
        and isinstance(item.context_expr.func, ast.Name)
        and item.context_expr.func.id in names
        for node in ast.walk(function)
        if isinstance(node, ast.With)
        for item in node.items
    )


def _counts_queries(function: ast.FunctionDef, helpers: dict[str, ast.FunctionDef]) -> bool:
    """Whether the test asserts a query count: it takes a counting fixture and opens a `with`
    block on it, or hands it to a function of its module that does so with that parameter.
    (A comment or a fixture asked for and never used does not count.)"""
    fixtures = {a.arg for a in function.args.args} & COUNTERS
    if not fixtures:
        return False
    if _counts_in_with(function, fixtures):
        return True
    for call in ast.walk(function):
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)):
            continue
        helper = helpers.get(call.func.id)
        if helper is None:
            continue
        parameters = [a.arg for a in helper.args.args]
        passed = {
            parameters[i]
            for i, arg in enumerate(call.args)
            if i < len(parameters) and isinstance(arg, ast.Name) and arg.id in fixtures
        } | {
            k.arg
            for k in call.keywords
            if k.arg and isinstance(k.value, ast.Name) and k.value.id in fixtures
        }
        if passed and _counts_in_with(helper, passed):
            return True
    return False


def test_every_page_and_read_is_accounted_for():
    everything = _url_names(get_resolver().url_patterns) | _api_reads()
    listed = [set(BUDGETED), set(NO_BUDGET_NEEDED)]
    missing = everything - set().union(*listed)
    assert not missing, (
        f"{sorted(missing)}: give each a query-count test at two sizes of data and name it in "
        "BUDGETED (or say in NO_BUDGET_NEEDED why it reads no rows that grow)"
    )
    gone = set().union(*listed) - everything
    assert not gone, f"{sorted(gone)} no longer exist: take them out of this file"
    assert not (listed[0] & listed[1])


def test_every_named_budget_test_exists_and_counts_queries():
    for name, node in BUDGETED.items():
        path, function = node.split("::")
        source = (ROOT / path).read_text()
        functions = {
            item.name: item for item in ast.parse(source).body if isinstance(item, ast.FunctionDef)
        }
        assert function in functions, f"{name}: {node} does not exist"
        assert _counts_queries(functions[function], functions), (
            f"{name}: {node} asserts no query count (django_assert_num_queries in a `with`)"
        )


def test_the_check_tells_a_counting_test_from_one_that_only_mentions_it():
    module = ast.parse(
        "def _budget(cast, counter, url):\n"
        "    with counter(3):\n"
        "        pass\n"
        "def test_direct(django_assert_num_queries):\n"
        "    with django_assert_num_queries(2):\n"
        "        pass\n"
        "def test_through_a_helper(cast, django_assert_num_queries):\n"
        "    _budget(cast, django_assert_num_queries, '/')\n"
        "def test_only_a_comment(cast):\n"
        "    # django_assert_num_queries(2)\n"
        "    pass\n"
        "def test_asks_and_never_counts(django_assert_num_queries):\n"
        "    assert django_assert_num_queries\n"
    )
    functions = {f.name: f for f in module.body if isinstance(f, ast.FunctionDef)}
    verdicts = {name: _counts_queries(f, functions) for name, f in functions.items()}
    assert verdicts == {
        "_budget": False,
        "test_direct": True,
        "test_through_a_helper": True,
        "test_only_a_comment": False,
        "test_asks_and_never_counts": False,
    }
