from django.urls import path

from coparent.records import views

app_name = "records"

# Mounted under families/<uuid:family_id>/record/ by coparent/urls.py.
urlpatterns = [
    path("", views.timeline, name="timeline"),
    path("export/", views.export, name="export"),
    path("export/<uuid:job_id>/", views.export_job, name="export_job"),
    path("export/<uuid:job_id>/status/", views.export_job_status, name="export_job_status"),
    path("export/<uuid:job_id>/download/", views.export_job_download, name="export_job_download"),
    path("checkpoint/", views.checkpoint_download, name="checkpoint"),
    path("checkpoint/<uuid:checkpoint_id>/", views.checkpoint_download, name="checkpoint_weekly"),
]
