from django.urls import path

from . import views

app_name = "guides"

urlpatterns = [
    path("", views.home, name="home"),
    path("topics/", views.topics, name="topics"),
    path("topics/<slug:topic_slug>/", views.topic, name="topic"),
    path("wenda/<slug:slug>/", views.national_article, name="national_article"),
    path("preview/<str:token>/", views.preview, name="preview"),
    path("search/", views.search, name="search"),
    path("zhuanyi/", views.transfer, name="transfer"),
    path("cihui/", views.glossary, name="glossary"),
    path("feedback/", views.feedback, name="feedback"),
    path("<slug:region_slug>/", views.region, name="region"),
    path("<slug:region_slug>/<slug:slug>/", views.article, name="article"),
]
