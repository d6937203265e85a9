from django.urls import include, path

from coparent.api.api import api
from coparent.exchanges import views as exchange_views
from coparent.families.urls import invite_urlpatterns
from coparent.records import views as record_views
from coparent.schedule import views as schedule_views
from coparent.web import views as web_views

urlpatterns = [
    path("healthz", web_views.healthz, name="healthz"),
    path("accounts/", include("coparent.accounts.urls")),
    path("accounts/", include("coparent.accounts.auth_urls")),
    path("families/", include("coparent.families.urls")),
    path("families/<uuid:family_id>/record/", include("coparent.records.urls")),
    path("families/<uuid:family_id>/messages/", include("coparent.messaging.urls")),
    path("families/<uuid:family_id>/events/", include("coparent.events.urls")),
    path("families/<uuid:family_id>/exchanges/", include("coparent.exchanges.urls")),
    path("families/<uuid:family_id>/documents/", include("coparent.documents.urls")),
    path("families/<uuid:family_id>/journal/", include("coparent.journal.urls")),
    path("families/<uuid:family_id>/expenses/", include("coparent.expenses.urls")),
    path("families/<uuid:family_id>/schedule/", include("coparent.schedule.urls")),
    path("families/<uuid:family_id>/agreement/", include("coparent.agreements.urls")),
    path("families/<uuid:family_id>/requests/", include("coparent.requests.urls")),
    path("families/<uuid:family_id>/info/", include("coparent.infobank.urls")),
    path("families/<uuid:family_id>/insights/", include("coparent.insights.urls")),
    path("notifications/", include("coparent.notifications.urls")),
    path("feeds/<str:token>.ics", schedule_views.feed_ics, name="schedule_feed"),
    # A pickup pass's check page, for a school office: the only page about a family that
    # opens without an account (coparent.exchanges.views.pass_check_page).
    path("pass/<str:token>/", exchange_views.pass_check_page, name="pass_check"),
    # The record verifier: anyone holding an export may check it (coparent.records.verifier).
    path("verify/", record_views.verify_page, name="record_verify"),
    path("", include(invite_urlpatterns)),  # /invite/<token>/, the invitation links
    path("api/v1/", api.urls),
    path("", include("coparent.web.urls")),
]

handler404 = "coparent.web.views.not_found"
handler403 = "coparent.web.views.forbidden"
handler500 = "coparent.web.views.server_error"
