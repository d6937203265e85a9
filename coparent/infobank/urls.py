from django.urls import path

from coparent.infobank import views

app_name = "infobank"

# Mounted under families/<uuid:family_id>/info/ by coparent/urls.py. The emergency card's
# address (<child>/card/) is what the service worker keeps for offline use (web/sw.js).
urlpatterns = [
    path("", views.index_page, name="index"),
    path("<uuid:child_id>/", views.child_page, name="child"),
    path("<uuid:child_id>/card/", views.card_page, name="card"),
    path("<uuid:child_id>/add/<str:kind>/", views.add_page, name="add"),
    path("items/<uuid:item_id>/", views.item_page, name="item"),
    path("items/<uuid:item_id>/change/", views.change_page, name="change"),
    path("items/<uuid:item_id>/remove/", views.remove_action, name="remove"),
    path("items/<uuid:item_id>/reveal/", views.reveal_action, name="reveal"),
]
