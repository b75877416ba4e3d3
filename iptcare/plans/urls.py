"""Pages of one episode's plans and closure, under /clients/<client_id>/episodes/<episode_id>/.

The relapse-prevention plan lives at plan/ and the safety plan at safety-plan/; the same views serve both, told
apart by `kind`. URL names: plan, plan_start, plan_section, plan_finalise, plan_versions, plan_version, plan_print,
the same with the prefix safety_plan, and closure.
"""

from django.urls import path

from iptcare.plans import views, views_closure
from iptcare.plans.models import RelapsePreventionPlan, SafetyPlan

PAGES = (
    ("", views.plan_overview, ""),
    ("start/", views.plan_start, "_start"),
    ("sections/<str:section>/", views.plan_section, "_section"),
    ("finalise/", views.plan_finalise, "_finalise"),
    ("versions/", views.plan_versions, "_versions"),
    ("versions/<int:version>/", views.plan_version, "_version"),
    ("print/", views.plan_print, "_print"),
)
KINDS = (("plan/", "plan", RelapsePreventionPlan.kind), ("safety-plan/", "safety_plan", SafetyPlan.kind))

urlpatterns = [
    path(prefix + route, view, {"kind": kind}, name=name + suffix)
    for prefix, name, kind in KINDS
    for route, view, suffix in PAGES
] + [path("closure/", views_closure.closure, name="closure")]
