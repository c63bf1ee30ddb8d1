from django.urls import path

from casefile.cases import views

urlpatterns = [
    path("cases/<str:public_id>/", views.case_detail, name="case-detail"),
]
