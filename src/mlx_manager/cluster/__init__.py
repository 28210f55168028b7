"""Several replicas acting as one gateway: shared mode over Redis.

Owns: the Redis link and its recovery (``link``), change notices between replicas that make each
reload providers, rules or keys from the database (``changes``), rate limits shared through Redis
(``redis_limiter``), target health (ejections, back-offs, probes) shared through Redis
(``shared_health``), and assembling them (``shared_mode``). Does not own the state itself: the
database stays the source of truth, and the services keep their in-memory tables; this package
only tells them when to reload.
"""
