"""What a rule must satisfy to be saved; answered as 422 with a message per field."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from mlx_manager.providers.validation import FieldError, InvalidFields
from mlx_manager.routing.patterns import InvalidPattern, PatternType, check_pattern
from mlx_manager.routing.rules import RuleTarget
from mlx_manager.routing.schemas import TargetSpec


@dataclass(frozen=True, slots=True)
class CheckedRule:
    pattern: str
    # None when the targets were not given (an update that leaves them as they are).
    targets: tuple[RuleTarget, ...] | None


def check_rule(
    *,
    pattern: str,
    pattern_type: PatternType,
    targets: Sequence[TargetSpec] | None,
    provider_known: Callable[[int], bool],
) -> CheckedRule:
    """Normalise and check the fields; ``provider_known`` says whether a target id may be used."""
    errors: list[FieldError] = []
    pattern = pattern.strip()
    if not pattern:
        errors.append(FieldError("pattern", "must not be empty"))
    else:
        try:
            check_pattern(pattern, pattern_type)
        except InvalidPattern as exc:
            errors.append(FieldError("pattern", str(exc)))
    checked: tuple[RuleTarget, ...] | None = None
    if targets is not None:
        checked, target_errors = _check_targets(targets, provider_known)
        errors.extend(target_errors)
    if errors:
        raise InvalidFields(errors)
    return CheckedRule(pattern=pattern, targets=checked)


def _check_targets(
    targets: Sequence[TargetSpec], provider_known: Callable[[int], bool]
) -> tuple[tuple[RuleTarget, ...], list[FieldError]]:
    if not targets:
        message = "needs at least one target (the first is primary, the rest are fallbacks)"
        return (), [FieldError("targets", message)]
    errors: list[FieldError] = []
    for number, spec in enumerate(targets, start=1):
        if isinstance(spec.provider, int) and not provider_known(spec.provider):
            errors.append(
                FieldError(
                    "targets",
                    f"target {number}: there is no provider with id {spec.provider};"
                    " add it on the Providers page (/providers) or choose another",
                )
            )
    checked = tuple(
        RuleTarget(
            provider=spec.provider,
            model=(spec.model or "").strip() or None,
            weight=spec.weight,
            connect_timeout=spec.connect_timeout,
            first_byte_timeout=spec.first_byte_timeout,
            idle_timeout=spec.idle_timeout,
        )
        for spec in targets
    )
    return checked, errors
