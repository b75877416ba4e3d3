"""/api/v1/ipt/: episodes and everything in them. Each area keeps its own router."""

from ninja import Router

from iptcare.ipt.api_assessment import router as assessment_router
from iptcare.ipt.api_episodes import router as episodes_router
from iptcare.ipt.api_formulation import router as formulation_router
from iptcare.ipt.api_inventory import router as inventory_router
from iptcare.ipt.api_timeline import router as timeline_router

router = Router(tags=["ipt"])
for area_router in (episodes_router, assessment_router, inventory_router, timeline_router, formulation_router):
    router.add_router("", area_router)
