"""Which targets serve a model name, and in what order they are tried.

Owns: routing rules (pattern, ordered targets) and their validation, regex safety included
(``rules``, ``patterns`` on RE2, ``validation``, ``service``); the in-memory table
compiled from them and ``Router.plan_route(model)``, which the gateway calls on every request
without touching storage (``matching``, ``router``); trying a plan's targets in the order its
strategy gives (``balancing``) with bounded retries and fallbacks (``failover``), and each
target's health: failure rate, back-offs, probes, load and latency (``health``). Does not own:
provider credentials (``providers``) or how a target is called (``backends``).
"""
