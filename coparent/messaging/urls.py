from django.urls import path

from coparent.messaging import views

app_name = "messaging"

# Mounted under families/<uuid:family_id>/messages/ by coparent/urls.py.
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("new/", views.compose, name="compose"),
    path("search/", views.search, name="search"),
    path("unread/", views.unread, name="unread"),
    path("notifications/", views.notifications, name="notifications"),
    path("threads/<uuid:thread_id>/", views.thread, name="thread"),
    path("threads/<uuid:thread_id>/reply/", views.reply, name="reply"),
    path("threads/<uuid:thread_id>/shield-offer/", views.shield_offer, name="shield_offer"),
    path("attachments/<uuid:attachment_id>/", views.attachment, name="attachment"),
    path(
        "attachments/<uuid:attachment_id>/thumbnail/",
        views.attachment_thumbnail,
        name="attachment_thumbnail",
    ),
]
