"""From a model name to ordered targets: rules, rewrites, fallbacks, unusable targets, not found."""

from __future__ import annotations

import pytest

from mlx_manager.errors import ModelNotFound, NoRouteAvailable
from mlx_manager.providers.catalogue import BackendType
from mlx_manager.providers.directory import ResolvedProvider
from mlx_manager.routing.patterns import PatternType
from mlx_manager.routing.router import Router, RouteSource, TargetKind
from mlx_manager.routing.rules import Rule
from tests.routing.factories import directory, provider, rule, to

GROQ = provider(1, "groq-team")
OPENAI = provider(2, "openai")


def make_router(
    *rules: Rule, local: tuple[str, ...] = (), providers: tuple[ResolvedProvider, ...] = ()
) -> Router:
    router = Router(directory=directory(*(providers or (GROQ, OPENAI))), local_models=lambda: local)
    router.replace_rules(rules)
    return router


def test_a_rule_gives_its_targets_in_order_with_rewrites() -> None:
    router = make_router(
        rule(
            1, "fast", PatternType.EXACT, to(1, "llama-3.1-8b-instant"), to(2), to("local", "qwen3")
        )
    )
    plan = router.plan_route("fast")
    assert plan.source is RouteSource.RULE
    assert plan.rule is not None
    assert plan.rule.id == 1
    assert [(t.kind, t.provider, t.model) for t in plan.targets] == [
        (TargetKind.PROVIDER, GROQ, "llama-3.1-8b-instant"),
        # No rewrite: the requested name is sent.
        (TargetKind.PROVIDER, OPENAI, "fast"),
        (TargetKind.LOCAL, None, "qwen3"),
    ]
    assert [t.label for t in plan.targets] == [
        "groq-team/llama-3.1-8b-instant",
        "openai/fast",
        "local/qwen3",
    ]
    assert [t.key for t in plan.targets] == [
        "provider:1/llama-3.1-8b-instant",
        "provider:2/fast",
        "local/qwen3",
    ]
    assert plan.skipped == ()


def test_rules_come_before_prefixes_and_local_models() -> None:
    router = make_router(rule(1, "groq-team/", PatternType.PREFIX, to(2)), local=("groq-team/x",))
    plan = router.plan_route("groq-team/x")
    assert plan.source is RouteSource.RULE
    assert plan.targets[0].provider == OPENAI


def test_provider_name_prefix_goes_to_that_provider() -> None:
    plan = make_router().plan_route("groq-team/llama-3.3-70b-versatile")
    assert plan.source is RouteSource.PROVIDER_PREFIX
    assert plan.rule is None
    assert [(t.provider, t.model) for t in plan.targets] == [(GROQ, "llama-3.3-70b-versatile")]


def test_provider_names_with_slashes_take_the_longest_known_prefix() -> None:
    router = make_router(providers=(provider(1, "openrouter"), provider(2, "openrouter/meta")))
    longest = router.plan_route("openrouter/meta/llama-3").targets[0]
    assert (longest.provider and longest.provider.name, longest.model) == (
        "openrouter/meta",
        "llama-3",
    )
    shorter = router.plan_route("openrouter/mistral/large").targets[0]
    assert (shorter.provider and shorter.provider.name, shorter.model) == (
        "openrouter",
        "mistral/large",
    )


def test_a_name_the_local_engine_knows_goes_to_local() -> None:
    router = make_router(local=("mlx-community/Qwen3-0.6B-4bit",))
    plan = router.plan_route("mlx-community/Qwen3-0.6B-4bit")
    assert plan.source is RouteSource.LOCAL
    assert [(t.kind, t.provider, t.model) for t in plan.targets] == [
        (TargetKind.LOCAL, None, "mlx-community/Qwen3-0.6B-4bit")
    ]


def test_an_unknown_model_lists_what_exists() -> None:
    router = make_router(
        rule(1, "fast"),
        rule(2, "claude-", PatternType.PREFIX),
        rule(3, "hidden", enabled=False),
        local=("qwen3",),
    )
    with pytest.raises(ModelNotFound) as caught:
        router.plan_route("gpt-5")
    message = caught.value.message
    assert "'gpt-5'" in message
    assert "rules: fast;" in message
    assert "hidden" not in message
    assert "providers: groq-team/…, openai/…" in message
    assert "local: qwen3" in message
    assert "the Routing page (/routing)" in message
    assert caught.value.status == 404


def test_the_not_found_message_stays_short() -> None:
    router = make_router(*(rule(i, f"alias-{i}") for i in range(1, 40)))
    with pytest.raises(ModelNotFound) as caught:
        router.plan_route("nope")
    assert "alias-5 and 34 more" in caught.value.message
    assert len(caught.value.message) < 400


def test_a_provider_prefix_with_nothing_after_it_is_not_a_route() -> None:
    with pytest.raises(ModelNotFound):
        make_router().plan_route("groq-team/")


def test_a_deleted_provider_is_skipped_live_and_shown_in_the_explanation() -> None:
    router = make_router(rule(1, "fast", PatternType.EXACT, to(1), to(7), to(2)))
    explained = router.explain("fast")
    assert [(c.provider_id, c.usable) for c in explained.candidates] == [
        (1, True),
        (7, False),
        (2, True),
    ]
    assert "provider #7 no longer exists" in (explained.candidates[1].problem or "")
    plan = router.plan_route("fast")
    assert [t.provider for t in plan.targets] == [GROQ, OPENAI]
    assert [c.provider_id for c in plan.skipped] == [7]


@pytest.mark.parametrize(
    ("broken", "problem"),
    [
        (provider(1, "groq-team", key_unreadable=True), "cannot be decrypted"),
        (provider(1, "groq-team", has_key=False), "has no API key"),
    ],
)
def test_a_provider_whose_key_cannot_be_used_is_skipped(
    broken: ResolvedProvider, problem: str
) -> None:
    router = make_router(
        rule(1, "fast", PatternType.EXACT, to(1), to(2)), providers=(broken, OPENAI)
    )
    assert problem in (router.explain("fast").candidates[0].problem or "")
    assert [t.provider for t in router.plan_route("fast").targets] == [OPENAI]


def test_a_keyless_compatible_endpoint_is_usable() -> None:
    vllm = provider(1, "vllm", backend_type=BackendType.OPENAI_COMPATIBLE, has_key=False)
    router = make_router(rule(1, "m", PatternType.EXACT, to(1)), providers=(vllm,))
    assert router.plan_route("m").targets[0].provider == vllm


def test_no_usable_target_is_no_route_naming_each_problem() -> None:
    router = make_router(rule(1, "fast", PatternType.EXACT, to(8), to(9)))
    with pytest.raises(NoRouteAvailable) as caught:
        router.plan_route("fast")
    assert "provider #8" in caught.value.message
    assert "provider #9" in caught.value.message
    assert caught.value.status == 503


def test_provider_changes_rebind_targets_without_replacing_rules() -> None:
    router = make_router(rule(1, "fast", PatternType.EXACT, to(3), to(1)))
    assert [t.provider for t in router.plan_route("fast").targets] == [GROQ]
    added = provider(3, "mistral")
    router.directory.put(added)
    assert [t.provider for t in router.plan_route("fast").targets] == [added, GROQ]
    router.directory.remove(1)
    assert [t.provider for t in router.plan_route("fast").targets] == [added]
    renamed = provider(3, "mistral-main")
    router.directory.put(renamed)
    assert router.plan_route("fast").targets[0].label == "mistral-main/fast"


def test_bindings_are_reused_while_nothing_changes() -> None:
    router = make_router(rule(1, "fast", PatternType.EXACT, to(1)))
    router.plan_route("fast")
    first = router._bindings
    router.plan_route("fast")
    assert router._bindings is first


def test_aliases_are_the_enabled_exact_rules_in_order() -> None:
    router = make_router(
        rule(1, "b", priority=2),
        rule(2, "a", priority=1),
        rule(3, "c-", PatternType.PREFIX),
        rule(4, "off", enabled=False),
    )
    assert router.aliases() == ["a", "b"]
