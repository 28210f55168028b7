"""Which targets serve a model name, and in what order they are tried.

Owns: routing rules (pattern, ordered targets) and their validation, regex safety included
(``rules``, ``patterns``, ``regex_safety``, ``validation``, ``service``); the in-memory table
compiled from them and ``Router.plan_route(model)``, which the gateway calls on every request
without touching storage (``matching``, ``router``); trying a plan's targets with retries and
fallbacks (``failover``) and taking failing targets out for a while (``breaker``). Does not own:
provider credentials (``providers``) or how a target is called (``backends``).
"""
