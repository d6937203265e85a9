from django.urls import path

from coparent.exchanges import views

app_name = "exchanges"

# Mounted under families/<uuid:family_id>/exchanges/ by coparent/urls.py. An exchange is named
# by its planned instant in UTC, "20270604T230000Z" (selectors.key_of).
urlpatterns = [
    path("", views.exchange_list_page, name="list"),
    # Before the exchanges' own pattern, which would take "passes" for a key.
    path("passes/", views.pass_list_page, name="passes"),
    path("actual/", views.actual_page, name="actual"),
    path("photos/<uuid:photo_id>/", views.photo_page, name="photo"),
    path("photos/<uuid:photo_id>/small/", views.photo_thumbnail, name="photo_small"),
    path("passes/<uuid:pass_id>/", views.pass_page, name="pass"),
    path("passes/<uuid:pass_id>/revoke/", views.pass_revoke_action, name="pass_revoke"),
    path("<str:key>/", views.exchange_detail_page, name="detail"),
    path("<str:key>/check-in/", views.check_in_action, name="check_in"),
    path("<str:key>/notes/", views.note_action, name="note"),
]
