"""The router: from a requested model name to the ordered targets that may serve it.

Resolution order: the first enabled rule (in priority order) that matches; else a name
``<provider name>/<model>`` goes to that provider; else a name the local engine knows goes to
local; else ``ModelNotFound``. Everything is read from memory: the rules compiled when they
change, and the provider directory, whose ``version`` tells when targets must be bound again.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from mlx_manager.backends.http.timeouts import DEFAULT_TIMEOUTS, UpstreamTimeouts
from mlx_manager.errors import ModelNotFound, NoRouteAvailable
from mlx_manager.providers.catalogue import spec_for
from mlx_manager.providers.directory import ProviderDirectory, ResolvedProvider
from mlx_manager.routing.balancing import Strategy
from mlx_manager.routing.matching import CompiledRule, compile_rules, match_rule
from mlx_manager.routing.patterns import PatternType
from mlx_manager.routing.rules import LOCAL, Rule, RuleTarget

# The names of the models the local engine can serve; called only when no rule or prefix matched.
LocalModels = Callable[[], Collection[str]]

_LISTED = 5  # names shown per kind in a ModelNotFound message


def no_local_models() -> Collection[str]:
    return ()


class TargetKind(StrEnum):
    PROVIDER = "provider"
    LOCAL = "local"


class RouteSource(StrEnum):
    """Why a route was chosen."""

    RULE = "rule"
    PROVIDER_PREFIX = "provider_prefix"
    LOCAL = "local"


@dataclass(frozen=True, slots=True)
class BoundTarget:
    """A rule target checked against the provider directory."""

    target: RuleTarget
    provider: ResolvedProvider | None
    # Why the target cannot be used now; None when it can.
    problem: str | None
    # The target's own timeouts over the server's defaults, built once per binding.
    timeouts: UpstreamTimeouts = DEFAULT_TIMEOUTS

    @property
    def kind(self) -> TargetKind:
        return TargetKind.PROVIDER if self.target.provider_id is not None else TargetKind.LOCAL


def target_key(provider_id: int | None, model: str) -> str:
    """``provider:3/gpt-4o`` or ``local/qwen3``: what target health is kept by."""
    return f"provider:{provider_id}/{model}" if provider_id is not None else f"{LOCAL}/{model}"


@dataclass(frozen=True, slots=True)
class ResolvedTarget:
    """A usable target of a live route."""

    kind: TargetKind
    # The model name to send to the target (a rule's rewrite, or the requested name).
    model: str
    # The credential to call; None exactly when ``kind`` is local.
    provider: ResolvedProvider | None = None
    weight: int = 1
    timeouts: UpstreamTimeouts = DEFAULT_TIMEOUTS
    key: str = field(init=False)

    def __post_init__(self) -> None:
        # Kept, not computed per use: every attempt looks its health up by it.
        provider_id = self.provider.id if self.provider is not None else None
        object.__setattr__(self, "key", target_key(provider_id, self.model))

    @property
    def label(self) -> str:
        """``groq-team/llama-3.1-8b`` or ``local/qwen3``: for logs and error messages."""
        return f"{self.provider.name if self.provider else LOCAL}/{self.model}"


@dataclass(frozen=True, slots=True)
class RouteCandidate:
    """A target a route would consider, usable or not (the test endpoint shows them all)."""

    kind: TargetKind
    model: str
    provider_id: int | None
    provider: ResolvedProvider | None
    problem: str | None
    weight: int = 1
    timeouts: UpstreamTimeouts = DEFAULT_TIMEOUTS

    @property
    def usable(self) -> bool:
        return self.problem is None

    @property
    def key(self) -> str:
        return target_key(self.provider_id, self.model)


@dataclass(frozen=True, slots=True)
class RouteExplanation:
    model: str
    source: RouteSource
    rule: Rule | None
    candidates: tuple[RouteCandidate, ...]

    @property
    def strategy(self) -> Strategy:
        return self.rule.strategy if self.rule is not None else Strategy.ORDERED


@dataclass(frozen=True, slots=True)
class RoutePlan:
    """What the gateway may try: ``strategy`` puts ``targets`` in order for each request."""

    model: str
    source: RouteSource
    rule: Rule | None
    strategy: Strategy
    # Never empty.
    targets: tuple[ResolvedTarget, ...]
    # Targets left out because they cannot be used now, with the reason; for logs.
    skipped: tuple[RouteCandidate, ...]


def provider_problem(provider_id: int, provider: ResolvedProvider | None) -> str | None:
    """Why a provider cannot serve requests now, or None."""
    if provider is None:
        return f"provider #{provider_id} no longer exists; choose another target for this rule"
    if provider.key_unreadable:
        return (
            f"the stored key of provider '{provider.name}' cannot be decrypted;"
            " re-enter it on the Providers page (/providers)"
        )
    if not provider.has_key and spec_for(provider.backend_type).key_required:
        return (
            f"provider '{provider.name}' has no API key; add one on the Providers page (/providers)"
        )
    return None


@dataclass(frozen=True, slots=True)
class _Bindings:
    directory_version: int
    by_rule: dict[int, tuple[BoundTarget, ...]]


class Router:
    """The in-memory routing table. ``replace_rules`` after every rule change; provider changes
    are noticed through the directory's version."""

    def __init__(
        self,
        *,
        directory: ProviderDirectory,
        local_models: LocalModels = no_local_models,
        timeouts: UpstreamTimeouts = DEFAULT_TIMEOUTS,
    ) -> None:
        self.directory = directory
        self.local_models = local_models
        # The server's defaults; a rule target may set its own.
        self.timeouts = timeouts
        self._rules: tuple[Rule, ...] = ()
        self._table: tuple[CompiledRule, ...] = ()
        self._bindings = _Bindings(directory_version=-1, by_rule={})

    @property
    def rules(self) -> tuple[Rule, ...]:
        return self._rules

    def replace_rules(self, rules: Iterable[Rule]) -> None:
        self._rules = tuple(sorted(rules, key=lambda r: (r.priority, r.id)))
        self._table = compile_rules(self._rules)
        self._bindings = self._bind_all()

    def aliases(self) -> list[str]:
        """The model names that exact rules define, in priority order (for ``/v1/models``)."""
        return [c.rule.pattern for c in self._table if c.rule.pattern_type is PatternType.EXACT]

    def bind(self, target: RuleTarget) -> BoundTarget:
        timeouts = self._timeouts_of(target)
        if target.provider_id is None:
            return BoundTarget(target, None, None, timeouts)
        provider = self.directory.get(target.provider_id)
        return BoundTarget(
            target, provider, provider_problem(target.provider_id, provider), timeouts
        )

    def _timeouts_of(self, target: RuleTarget) -> UpstreamTimeouts:
        defaults = self.timeouts
        connect, first_byte, idle = (
            target.connect_timeout,
            target.first_byte_timeout,
            target.idle_timeout,
        )
        if connect is None and first_byte is None and idle is None:
            return defaults
        return UpstreamTimeouts(
            connect=connect or defaults.connect,
            first_byte=first_byte or defaults.first_byte,
            idle=idle or defaults.idle,
        )

    def explain(self, model: str) -> RouteExplanation:
        """Every target the route for ``model`` would consider, usable or not."""
        rule = match_rule(self._table, model)
        if rule is not None:
            bound = self._current_bindings().by_rule[rule.id]
            candidates = tuple(self._candidate(b, model) for b in bound)
            return RouteExplanation(
                model=model, source=RouteSource.RULE, rule=rule, candidates=candidates
            )
        prefixed = self._split_provider_prefix(model)
        if prefixed is not None:
            provider, rest = prefixed
            candidate = RouteCandidate(
                kind=TargetKind.PROVIDER,
                model=rest,
                provider_id=provider.id,
                provider=provider,
                problem=provider_problem(provider.id, provider),
                timeouts=self.timeouts,
            )
            return RouteExplanation(
                model=model, source=RouteSource.PROVIDER_PREFIX, rule=None, candidates=(candidate,)
            )
        if model in self.local_models():
            candidate = RouteCandidate(
                kind=TargetKind.LOCAL, model=model, provider_id=None, provider=None, problem=None
            )
            return RouteExplanation(
                model=model, source=RouteSource.LOCAL, rule=None, candidates=(candidate,)
            )
        raise ModelNotFound(self._not_found_message(model), param="model")

    def plan_route(self, model: str) -> RoutePlan:
        """The usable targets for ``model`` in order; raises ModelNotFound or NoRouteAvailable."""
        explanation = self.explain(model)
        usable = [c for c in explanation.candidates if c.usable]
        skipped = tuple(c for c in explanation.candidates if not c.usable)
        if not usable:
            reasons = "; ".join(c.problem or "" for c in skipped)
            raise NoRouteAvailable(f"No usable target for model '{model}': {reasons}.", attempts=[])
        return RoutePlan(
            model=model,
            source=explanation.source,
            rule=explanation.rule,
            strategy=explanation.strategy,
            targets=tuple(
                ResolvedTarget(
                    kind=c.kind,
                    model=c.model,
                    provider=c.provider,
                    weight=c.weight,
                    timeouts=c.timeouts,
                )
                for c in usable
            ),
            skipped=skipped,
        )

    def _candidate(self, bound: BoundTarget, requested: str) -> RouteCandidate:
        target = bound.target
        return RouteCandidate(
            kind=bound.kind,
            model=target.model or requested,
            provider_id=target.provider_id,
            provider=bound.provider,
            problem=bound.problem,
            weight=target.weight,
            timeouts=bound.timeouts,
        )

    def _current_bindings(self) -> _Bindings:
        if self._bindings.directory_version != self.directory.version:
            self._bindings = self._bind_all()
        return self._bindings

    def _bind_all(self) -> _Bindings:
        return _Bindings(
            directory_version=self.directory.version,
            by_rule={c.rule.id: tuple(self.bind(t) for t in c.rule.targets) for c in self._table},
        )

    def _split_provider_prefix(self, model: str) -> tuple[ResolvedProvider, str] | None:
        # Provider names may contain '/': try the longest prefix first.
        cut = model.rfind("/")
        while cut > 0:
            provider = self.directory.by_name(model[:cut])
            if provider is not None and cut < len(model) - 1:
                return provider, model[cut + 1 :]
            cut = model.rfind("/", 0, cut)
        return None

    def _not_found_message(self, model: str) -> str:
        exact = self.aliases()
        providers = sorted(f"{p.name}/…" for p in self.directory.all())
        local = sorted(self.local_models())
        known = [
            f"{label}: {_short_list(names)}"
            for label, names in (("rules", exact), ("providers", providers), ("local", local))
            if names
        ]
        return (
            f"No route for model '{model}': no routing rule matches it, it does not start with a"
            " provider name, and no local model has that name."
            + (f" Known: {'; '.join(known)}." if known else "")
            + " Add a rule on the Routing page (/routing)."
        )


def _short_list(names: Sequence[str]) -> str:
    shown = ", ".join(names[:_LISTED])
    return shown if len(names) <= _LISTED else f"{shown} and {len(names) - _LISTED} more"
