from django.urls import path

from coparent.events import views

app_name = "events"

# Mounted under families/<uuid:family_id>/events/ by coparent/urls.py.
urlpatterns = [
    path("", views.event_list_page, name="list"),
    path("new/", views.event_add_page, name="add"),
    path("<uuid:event_id>/", views.event_detail_page, name="detail"),
    path("<uuid:event_id>/edit/", views.event_edit_page, name="edit"),
    path("<uuid:event_id>/cancel/", views.event_cancel_action, name="cancel"),
    path("<uuid:event_id>/rsvp/", views.event_rsvp_action, name="rsvp"),
]
