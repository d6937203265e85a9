from django.urls import path

from coparent.notifications import views

app_name = "notifications"

# Mounted under notifications/ by coparent/urls.py: a person's own centre, across families.
urlpatterns = [
    path("", views.centre, name="list"),
    path("<int:notification_id>/open/", views.open_notification, name="open"),
    path("<int:notification_id>/read/", views.read, name="read"),
    path("read-all/", views.read_all, name="read_all"),
    path("settings/", views.preferences, name="preferences"),
    path("push/subscribe/", views.push_subscribe, name="push_subscribe"),
    path("push/unsubscribe/", views.push_unsubscribe, name="push_unsubscribe"),
]
