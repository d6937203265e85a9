from django.urls import path

from coparent.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
]
