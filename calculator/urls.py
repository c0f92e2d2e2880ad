from django.urls import path

from . import views

app_name = "calculator"

urlpatterns = [
    path("calculator/", views.estimate_page, name="estimate"),
    path("api/v1/estimate", views.estimate_api, name="api"),
    path("<slug:region_slug>/calculator/", views.estimate_page, name="region_estimate"),
]
