from django.urls import path

from coparent.families import views

app_name = "families"

member = "<uuid:family_id>/members/<uuid:member_id>"

urlpatterns = [
    path("new/", views.family_create, name="create"),
    path("<uuid:family_id>/", views.dashboard, name="dashboard"),
    path("<uuid:family_id>/settings/", views.family_settings, name="settings"),
    path("<uuid:family_id>/settings/home/", views.home, name="home"),
    path("<uuid:family_id>/children/", views.children, name="children"),
    path("<uuid:family_id>/children/new/", views.child_add, name="child_add"),
    path("<uuid:family_id>/children/<uuid:child_id>/edit/", views.child_edit, name="child_edit"),
    path("<uuid:family_id>/members/", views.members, name="members"),
    path("<uuid:family_id>/members/invite/", views.invite, name="invite"),
    path(
        "<uuid:family_id>/members/invitations/<uuid:invitation_id>/cancel/",
        views.invitation_cancel,
        name="invitation_cancel",
    ),
    path(f"{member}/consent/give/", views.consent, {"give": True}, name="consent_give"),
    path(f"{member}/consent/withdraw/", views.consent, {"give": False}, name="consent_withdraw"),
    path(f"{member}/end/", views.member_end, name="member_end"),
]

# Mounted at the site's root by coparent/urls.py, outside the "families/" prefix and namespace,
# because invitation emails already carry /invite/<token>/ (links.invitation_path).
invite_urlpatterns = [
    path("invite/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
