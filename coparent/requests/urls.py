from django.urls import path

from coparent.requests import views

app_name = "requests"

# Mounted under families/<uuid:family_id>/requests/ by coparent/urls.py.
urlpatterns = [
    path("", views.request_list_page, name="list"),
    path("new/", views.request_add_page, name="add"),
    path("<uuid:request_id>/", views.request_detail_page, name="detail"),
    path("<uuid:request_id>/approve/", views.request_approve_action, name="approve"),
    path("<uuid:request_id>/decline/", views.request_decline_action, name="decline"),
    path("<uuid:request_id>/withdraw/", views.request_withdraw_action, name="withdraw"),
    path("<uuid:request_id>/counter/", views.request_counter_page, name="counter"),
    path("<uuid:request_id>/comments/", views.request_comment_action, name="comment"),
]
