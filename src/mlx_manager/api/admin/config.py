"""``/api/settings/config``: the providers and rules as a set-up file (``config_file.py``), read
out, or applied as ``--config`` applies one at start-up (by name; what it leaves out stays).

Keys never leave the server: an export names each stored key as ``${NAME_API_KEY}``, to be set in
the environment of whoever imports it. An import arrives with those references already replaced
by the sender; the server expands none of its own environment into what a caller sent.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from mlx_manager.api.deps import StateDep, require_admin
from mlx_manager.config_file import (
    ConfigFile,
    ConfigFileError,
    ProviderEntry,
    RuleEntry,
    TargetEntry,
    apply_config_file,
)
from mlx_manager.errors import InvalidRequest
from mlx_manager.providers.schemas import ProviderPublic
from mlx_manager.routing.schemas import RulePublic

router = APIRouter(
    prefix="/api/settings/config", tags=["settings"], dependencies=[Depends(require_admin)]
)

_NOT_NAME = re.compile(r"[^A-Z0-9]+")
# What the two ends share is copied by name, so a field added to both travels without edits here.
_PROVIDER_FIELDS = set(ProviderEntry.model_fields) - {"api_key"}
_TARGET_FIELDS = set(TargetEntry.model_fields) - {"provider"}
_RULE_FIELDS = set(RuleEntry.model_fields) - {"targets"}


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
    for entry in body.providers:
        for field, value in (("api_key", entry.api_key), ("base_url", entry.base_url)):
            if value is not None and "${" in value:
                raise InvalidRequest(
                    f"providers[{entry.name}].{field}: replace the ${{…}} reference with its"
                    " value before sending (mlx-manager config import does).",
                    param=field,
                )
    # Checked before anything is applied, so a file naming an unknown provider changes nothing.
    known = {p.name for p in body.providers} | {"local"}
    for index, rule in enumerate(body.rules):
        for target in rule.targets:
            if (
                target.provider not in known
                and state.providers.directory.by_name(target.provider) is None
            ):
                raise InvalidRequest(
                    f"rules[{index}]: no provider named '{target.provider}' (declare it under"
                    " providers or create it first)",
                    param="rules",
                )
    try:
        await apply_config_file(body, providers=state.providers, rules=state.rules)
    except ConfigFileError as exc:
        raise InvalidRequest(str(exc)) from None
    return ConfigApplied(providers=len(body.providers), rules=len(body.rules))
