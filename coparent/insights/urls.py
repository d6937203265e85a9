from django.urls import path

from coparent.insights import views

app_name = "insights"

# Mounted under families/<uuid:family_id>/insights/ by coparent/urls.py.
urlpatterns = [
    path("", views.insights_page, name="page"),
]
