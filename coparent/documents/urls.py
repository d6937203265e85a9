from django.urls import path

from coparent.documents import views

app_name = "documents"

# Mounted under families/<uuid:family_id>/documents/ by coparent/urls.py.
urlpatterns = [
    path("", views.folder_page, name="list"),
    path("new/", views.document_add_page, name="add"),
    path("versions/<uuid:version_id>/", views.version_download, name="download"),
    path("versions/<uuid:version_id>/small/", views.version_thumbnail, name="thumbnail"),
    path("<uuid:document_id>/", views.document_page, name="detail"),
    path("<uuid:document_id>/new-version/", views.version_add_page, name="add_version"),
]
