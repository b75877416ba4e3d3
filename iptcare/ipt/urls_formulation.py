"""URLs of the episode's formulation, goals, contract and renegotiation pages, under
/clients/<client_id>/episodes/<episode_id>/."""

from django.urls import path

from iptcare.ipt import views_formulation as views

urlpatterns = [
    path("formulation/", views.formulation, name="formulation"),
    path("formulation/areas/new/", views.problem_area_new, name="problem_area_new"),
    path("formulation/areas/<int:area_id>/", views.problem_area_edit, name="problem_area_edit"),
    path("formulation/areas/<int:area_id>/delete/", views.problem_area_delete, name="problem_area_delete"),
    path("formulation/areas/<int:area_id>/stage/", views.dispute_stage_change, name="dispute_stage_change"),
    path("formulation/areas/<int:area_id>/goals/new/", views.goal_new, name="goal_new"),
    path("goals/<int:goal_id>/", views.goal_edit, name="goal_edit"),
    path("goals/<int:goal_id>/delete/", views.goal_delete, name="goal_delete"),
    path("contract/", views.contract, name="contract"),
    path("contract/sign/", views.contract_sign, name="contract_sign"),
    path("renegotiate/", views.renegotiate, name="renegotiate"),
]
