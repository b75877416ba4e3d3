"""Read-only queries: an episode's plan versions, whether a safety plan is expected, and the client-facing copy of
the current final plan (for the portal, issue 6)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from iptcare.clients.models import Client
from iptcare.ipt.models import Episode
from iptcare.measures.models import Administration, Alert, AlertRule
from iptcare.plans.content import PlanContent, Section, sections_of, without_sources
from iptcare.plans.models import PLAN_MODELS, PlanStatus, RelapsePreventionPlan, SafetyPlan, VersionedPlan

# Risk recorded for the client (IPT-DOMAIN §5): a PHQ-9 item-9 or C-SSRS high-risk alert, open or closed, or a
# C-SSRS screener whose result was moderate or high.
RISK_ALERT_RULES = (AlertRule.PHQ9_ITEM9, AlertRule.CSSRS_HIGH)
RISK_CSSRS_BANDS = ("moderate", "high")


# ---------------------------------------------------------------------------------------------------- versions


def version_summary(plan: VersionedPlan, total: int) -> str:
    """ "Version 2 of 3, finalised 12 Nov 2025 by Alice Ashby", or "Version 3 of 3, draft"."""
    if plan.is_final and plan.finalised_at and plan.finalised_by:
        return _("Version %(version)d of %(total)d, finalised %(date)s by %(name)s") % {
            "version": plan.version,
            "total": total,
            "date": date_format(timezone.localtime(plan.finalised_at), "j M Y"),
            "name": plan.finalised_by.full_name or plan.finalised_by.email,
        }
    return _("Version %(version)d of %(total)d, draft") % {"version": plan.version, "total": total}


@dataclass
class PlanState:
    """An episode's versions of one plan, oldest first, with the draft and the latest final picked out."""

    kind: str
    versions: list[VersionedPlan]
    draft: VersionedPlan | None = None
    latest_final: VersionedPlan | None = None

    @property
    def total(self) -> int:
        return len(self.versions)

    @property
    def current(self) -> VersionedPlan | None:
        """What the plan page shows: the draft being written, else the latest final version."""
        return self.draft or self.latest_final

    def get(self, version: int) -> VersionedPlan | None:
        return next((plan for plan in self.versions if plan.version == version), None)

    def previous(self, plan: VersionedPlan) -> VersionedPlan | None:
        return next((p for p in reversed(self.versions) if p.version < plan.version), None)


def plan_state(kind: str, episode: Episode) -> PlanState:
    """One query, whatever the number of versions."""
    versions = list(
        PLAN_MODELS[kind]
        .objects.filter(episode=episode)
        .select_related("created_by", "updated_by", "finalised_by")
        .order_by("version")
    )
    state = PlanState(kind, versions)
    for plan in versions:
        plan.episode = episode
        plan.summary = version_summary(plan, len(versions))  # type: ignore[attr-defined]
        if plan.is_final:
            state.latest_final = plan
        else:
            state.draft = plan
    return state


def last_final_of_client(kind: str, client: Client) -> VersionedPlan | None:
    """The client's most recently finalised version of this plan, in any episode."""
    return (
        PLAN_MODELS[kind]
        .objects.filter(client=client, status=PlanStatus.FINAL)
        .order_by("-finalised_at", "-id")
        .first()
    )


# ---------------------------------------------------------------------------------------------------- risk


@dataclass(frozen=True)
class RiskSignal:
    label: str
    when: dt.datetime


def risk_signals(client: Client) -> list[RiskSignal]:
    """Why a safety plan is expected for this client, newest first (two queries). Empty when no risk was recorded;
    that never means "no risk" (IPT-DOMAIN §5), only that nothing here asks for a safety plan."""
    signals = [
        RiskSignal(str(alert.get_rule_display()), alert.raised_at)
        for alert in Alert.objects.filter(client=client, rule__in=RISK_ALERT_RULES).order_by("-raised_at")[:5]
    ]
    screeners = (
        Administration.objects.current()
        .filter(client=client, instrument_code="C-SSRS", band__in=RISK_CSSRS_BANDS)
        .order_by("-administered_at")[:5]
    )
    signals += [
        RiskSignal(_("C-SSRS screener: %(result)s") % {"result": a.band_label.lower()}, a.administered_at)
        for a in screeners
    ]
    return sorted(signals, key=lambda signal: signal.when, reverse=True)


# ---------------------------------------------------------------------------------------------------- reading a version


@dataclass
class SectionView:
    section: Section
    value: Any
    # Set by the plan page for a draft: where to edit the section, and how many suggestions wait for it.
    edit_url: str = ""
    suggestions: int = 0


def section_views(kind: str, content: PlanContent) -> list[SectionView]:
    return [SectionView(section, getattr(content, section.key)) for section in sections_of(kind)]


@dataclass(frozen=True)
class ClientFacingPlan:
    """The current final version as the client reads it: no internal sources, no drafts."""

    kind: str
    version: int
    finalised_at: dt.datetime
    # [{"key", "label", "step", "value"}], in the order the client reads them.
    sections: list[dict[str, Any]] = field(default_factory=list)


def client_facing_plan(client: Client, kind: str = RelapsePreventionPlan.kind) -> ClientFacingPlan | None:
    """The content of the client's current final plan of this kind (relapse_prevention or safety), or None."""
    plan = last_final_of_client(kind, client)
    if plan is None or plan.finalised_at is None:
        return None
    data = without_sources(plan.parsed().model_dump(mode="json"))
    sections = [{"key": s.key, "label": str(s.label), "step": s.step, "value": data[s.key]} for s in sections_of(kind)]
    return ClientFacingPlan(kind, plan.version, plan.finalised_at, sections)


def client_facing_plans(client: Client) -> dict[str, ClientFacingPlan]:
    """Both plans the client holds, by kind; a kind without a final version is left out."""
    plans = {kind: client_facing_plan(client, kind) for kind in (RelapsePreventionPlan.kind, SafetyPlan.kind)}
    return {kind: plan for kind, plan in plans.items() if plan is not None}
