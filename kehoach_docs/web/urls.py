from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from . import views

#: Every route of the app (the isolation test walks this list).
routes = [
    path("", views.home, name="home"),
    path("dang-nhap/", views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(next_page="web:login"), name="logout"),
    path("ke-hoach/<slug:slug>/", views.plan_page, name="plan"),
    path("ke-hoach/<slug:slug>/dung-lai/", views.regenerate, name="regenerate"),
    path("ke-hoach/<slug:slug>/tien-do/<int:run>/", views.progress, name="progress"),
    path("ke-hoach/<slug:slug>/ky-bao-cao/", views.close_period, name="close"),
    path("ke-hoach/<slug:slug>/lien-ket/", views.links, name="links"),
    path("ke-hoach/<slug:slug>/lich-su/", views.history, name="history"),
    re_path(r"^ke-hoach/(?P<slug>[-\w]+)/tai/(?P<name>tat-ca\.zip|tong-hop\.docx|bao-cao/[^/]+\.(?:docx|pdf))$",
            views.plan_file, name="plan_file"),
    path("co-quan/<str:token>/", views.agency_home, name="agency"),
    path("co-quan/<str:token>/tai-len/", views.agency_upload, name="agency_upload"),
    re_path(r"^co-quan/(?P<token>[^/]+)/(?P<kind>bao-cao\.docx|bao-cao\.pdf|so-nhap\.xlsx)$",
            views.agency_document, name="agency_document"),
]

urlpatterns = [path("", include((routes, "web")))]
