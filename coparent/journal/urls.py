from django.urls import path

from coparent.journal import views

app_name = "journal"

SHARED = {"shared": True}

# Mounted under families/<uuid:family_id>/journal/ by coparent/urls.py.
urlpatterns = [
    path("", views.journal_list_page, name="list"),
    path("new/", views.entry_new_page, name="new"),
    path("export.json", views.export_json, name="export_json"),
    path("export.pdf", views.export_pdf, name="export_pdf"),
    path("exports/<uuid:job_id>/", views.export_job_page, name="export_job"),
    path("exports/<uuid:job_id>/status/", views.export_job_status, name="export_status"),
    path("exports/<uuid:job_id>/download/", views.export_download, name="export_download"),
    path("shared/", views.shared_list_page, name="shared"),
    path("shared/export/<int:author_id>.json", views.shared_export_json, name="shared_export"),
    # A professional's exports of what a parent shared with them: the same views, finding the
    # job among the professional's own (journal.views._find_job).
    path("shared/exports/<uuid:job_id>/", views.export_job_page, SHARED, name="shared_job"),
    path(
        "shared/exports/<uuid:job_id>/status/",
        views.export_job_status,
        SHARED,
        name="shared_job_status",
    ),
    path(
        "shared/exports/<uuid:job_id>/download/",
        views.export_download,
        SHARED,
        name="shared_job_download",
    ),
    path("shared/<uuid:entry_id>/", views.shared_entry_page, name="shared_entry"),
    path("files/<uuid:file_id>/", views.file_page, name="file"),
    path("<uuid:entry_id>/", views.entry_page, name="entry"),
    path("<uuid:entry_id>/correct/", views.entry_correct_action, name="correct"),
    path("<uuid:entry_id>/share/", views.entry_share_action, name="share"),
    path("<uuid:entry_id>/unshare/", views.entry_unshare_action, name="unshare"),
]
