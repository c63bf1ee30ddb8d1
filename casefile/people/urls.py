from django.urls import path

from casefile.people import views

urlpatterns = [
    path("people/<record_id:pk>/", views.person_detail, name="person-detail"),
]
