"""``/api/settings/rules``: routing rules, their order, and a dry run of the router."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response, status

from mlx_manager.api.deps import RowId, StateDep, require_admin
from mlx_manager.routing.schemas import (
    HealthList,
    RouteTestRequest,
    RouteTestResult,
    RuleCreate,
    RuleList,
    RuleOrder,
    RulePublic,
    RuleUpdate,
)
from mlx_manager.routing.service import RuleService


def get_rules(state: StateDep) -> RuleService:
    return state.rules


RulesDep = Annotated[RuleService, Depends(get_rules)]

router = APIRouter(
    prefix="/api/settings/rules", tags=["routing"], dependencies=[Depends(require_admin)]
)


@router.get("")
async def list_rules(rules: RulesDep) -> RuleList:
    return rules.listing()


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_rule(body: RuleCreate, rules: RulesDep) -> RulePublic:
    return await rules.create(body)


@router.put("/order")
async def reorder_rules(body: RuleOrder, rules: RulesDep) -> RuleList:
    return rules.listing(await rules.reorder(body.ids))


@router.post("/test")
async def test_route(body: RouteTestRequest, rules: RulesDep) -> RouteTestResult:
    return rules.test(body.model)


@router.get("/health")
async def target_health(rules: RulesDep) -> HealthList:
    """Each target's recent health: state, error rate, latency, requests in flight."""
    return rules.target_health()


@router.get("/{rule_id}")
async def get_rule(rule_id: RowId, rules: RulesDep) -> RulePublic:
    return rules.get(rule_id)


@router.patch("/{rule_id}")
async def update_rule(rule_id: RowId, body: RuleUpdate, rules: RulesDep) -> RulePublic:
    return await rules.update(rule_id, body)


@router.delete("/{rule_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_rule(rule_id: RowId, rules: RulesDep) -> Response:
    await rules.delete(rule_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
