from django.urls import path

from casefile.editorial import views

app_name = "editorial"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path(
        "cases/<public_id:public_id>/submit/",
        views.workflow_step,
        {"step": "submit"},
        name="submit",
    ),
    path(
        "cases/<public_id:public_id>/publish/",
        views.workflow_step,
        {"step": "publish"},
        name="publish",
    ),
    path(
        "cases/<public_id:public_id>/send-back/",
        views.workflow_step,
        {"step": "send_back"},
        name="send-back",
    ),
    path(
        "cases/<public_id:public_id>/retract/",
        views.workflow_step,
        {"step": "retract"},
        name="retract",
    ),
    path("cases/<public_id:public_id>/name-check/", views.name_leaks, name="name-leaks"),
    path(
        "cases/<public_id:public_id>/name-check/withdraw/",
        views.withdraw_name_leak_override,
        name="withdraw-name-leak-override",
    ),
    path("cases/<public_id:public_id>/quotes/", views.quote_checks, name="quotes"),
    path("cases/<public_id:public_id>/history/", views.history, name="history"),
    path("files/<record_id:pk>/", views.kept_file, name="kept-file"),
    path("files/<record_id:pk>/view/", views.kept_file_view, name="kept-file-view"),
    path("files/<record_id:pk>/view/frame", views.kept_file_frame, name="kept-file-frame"),
    path("cases/<public_id:public_id>/restore/", views.restore, name="restore"),
    path("cases/step/", views.bulk_step, name="bulk-step"),
    path("people/merge/", views.merge_people, name="merge-people"),
]
