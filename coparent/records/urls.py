from django.urls import path

from coparent.records import views

app_name = "records"

# Mounted under families/<uuid:family_id>/record/ by coparent/urls.py.
urlpatterns = [
    path("", views.timeline, name="timeline"),
    path("export/", views.export, name="export"),
]
