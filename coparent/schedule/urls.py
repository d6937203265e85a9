from django.urls import path

from coparent.schedule import views

app_name = "schedule"

# Mounted under families/<uuid:family_id>/schedule/ by coparent/urls.py; the feed itself is at
# /feeds/<token>.ics (name "schedule_feed"), outside the family, as it needs no session.
urlpatterns = [
    path("", views.month_page, name="month"),
    path("agenda/", views.agenda_page, name="agenda"),
    path("day/<str:day>/", views.day_page, name="day"),
    path("plan/", views.edit_page, name="edit"),
    path("plan/preview/", views.preview_fragment, name="preview"),
    path("proposals/", views.proposals_page, name="proposals"),
    path("proposals/<uuid:version_id>/accept/", views.accept_action, name="accept"),
    path("proposals/<uuid:version_id>/decline/", views.decline_action, name="decline"),
    path("proposals/<uuid:version_id>/withdraw/", views.withdraw_action, name="withdraw"),
    path("timeshare/", views.timeshare_page, name="timeshare"),
    path("timeshare.csv", views.timeshare_csv, name="timeshare_csv"),
    path("feed/", views.feed_page, name="feed"),
    path("feed/new/", views.feed_create_action, name="feed_create"),
    path("feed/revoke/", views.feed_revoke_action, name="feed_revoke"),
    path("feed/reminders/", views.feed_reminders_action, name="feed_reminders"),
]
