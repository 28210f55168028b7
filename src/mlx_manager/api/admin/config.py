"""``/api/settings/config``: the providers and rules as a set-up file (``config_file.py``), read
out, or applied as ``--config`` applies one at start-up (by name; what it leaves out stays).

Keys never leave the server: an export names each stored key as ``${NAME_API_KEY}``, to be set in
the environment of whoever imports it. An import arrives with those references already replaced
by the sender; the server expands none of its own environment into what a caller sent.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ValidationError

from mlx_manager.api.deps import StateDep, require_admin
from mlx_manager.api.state import AppState
from mlx_manager.config_file import (
    ConfigFile,
    ConfigFileError,
    ProviderEntry,
    RuleEntry,
    TargetEntry,
    apply_config_file,
)
from mlx_manager.errors import InvalidRequest
from mlx_manager.providers.schemas import ProviderCreate, ProviderPublic
from mlx_manager.routing.schemas import RuleCreate, RulePublic

router = APIRouter(
    prefix="/api/settings/config", tags=["settings"], dependencies=[Depends(require_admin)]
)

_NOT_NAME = re.compile(r"[^A-Z0-9]+")
# What the two ends share is copied by name, so a field added to both travels without edits here.
_PROVIDER_FIELDS = set(ProviderEntry.model_fields) - {"api_key"}
_TARGET_FIELDS = set(TargetEntry.model_fields) - {"provider"}
_RULE_FIELDS = set(RuleEntry.model_fields) - {"targets"}
_CREATE_FIELDS = set(ProviderEntry.model_fields) & set(ProviderCreate.model_fields)


class ConfigApplied(BaseModel):
    providers: int
    rules: int


def key_variable(provider_name: str) -> str:
    """``groq-team`` → ``GROQ_TEAM_API_KEY``."""
    stem = _NOT_NAME.sub("_", provider_name.upper()).strip("_") or "PROVIDER"
    return f"{'P_' if stem[0].isdigit() else ''}{stem}_API_KEY"


def _provider(provider: ProviderPublic) -> ProviderEntry:
    entry = provider.model_dump(include=_PROVIDER_FIELDS)
    if provider.has_key:
        entry["api_key"] = f"${{{key_variable(provider.name)}}}"
    return ProviderEntry.model_validate(entry)


def _rule(rule: RulePublic, names: dict[int, str]) -> RuleEntry | None:
    targets = []
    for target in rule.targets:
        name = "local" if target.provider == "local" else names.get(target.provider)
        if name is None:
            continue  # its provider is gone: the target cannot route, and has no name to write
        targets.append(TargetEntry(provider=name, **target.model_dump(include=_TARGET_FIELDS)))
    if not targets:
        return None
    return RuleEntry(targets=targets, **rule.model_dump(include=_RULE_FIELDS))


@router.get("")
async def export_config(state: StateDep) -> ConfigFile:
    providers = await state.providers.list()
    names = {p.id: p.name for p in providers}
    rules = [_rule(r, names) for r in state.rules.listing().rules]
    return ConfigFile(
        providers=[_provider(p) for p in providers], rules=[r for r in rules if r is not None]
    )


@router.post("")
async def import_config(body: ConfigFile, state: StateDep) -> ConfigApplied:
    _check(body, state)
    try:
        await apply_config_file(body, providers=state.providers, rules=state.rules)
    except ConfigFileError as exc:
        raise InvalidRequest(str(exc)) from None
    return ConfigApplied(providers=len(body.providers), rules=len(body.rules))


def _check(body: ConfigFile, state: AppState) -> None:
    """Whatever would stop the file half way, found before anything is applied, so a bad file
    changes nothing: references left in, limits of the settings API, unknown providers."""
    for entry in body.providers:
        where = f"providers[{entry.name[:100]}]"
        for field, value in (("api_key", entry.api_key), ("base_url", entry.base_url)):
            if value is not None and "${" in value:
                raise InvalidRequest(
                    f"{where}.{field}: replace the ${{…}} reference with its value before"
                    " sending (mlx-manager config import does).",
                    param=field,
                )
        _valid(
            ProviderCreate,
            entry.model_dump(include=_CREATE_FIELDS, exclude_none=True),
            where=where,
        )
    known = {p.name for p in body.providers} | {"local"}
    for index, rule in enumerate(body.rules):
        where = f"rules[{index}]"
        for target in rule.targets:
            if (
                target.provider not in known
                and state.providers.directory.by_name(target.provider) is None
            ):
                raise InvalidRequest(
                    f"{where}: no provider named '{target.provider[:100]}' (declare it under"
                    " providers or create it first)",
                    param="rules",
                )
        shape = rule.model_dump(exclude={"targets"})
        # Each target as the settings API takes it; which provider it names is checked above.
        shape["targets"] = [
            {**t.model_dump(exclude={"provider"}), "provider": "local"} for t in rule.targets
        ]
        _valid(RuleCreate, shape, where=where)


def _valid(model: type[BaseModel], data: dict[str, object], *, where: str) -> None:
    try:
        model.model_validate(data)
    except ValidationError as exc:
        # Field and reason only: the input may be a key.
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise InvalidRequest(f"{where}: {problems}") from None
