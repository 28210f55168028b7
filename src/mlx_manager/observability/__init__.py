"""Operating the gateway: the request log, Prometheus metrics, readiness and structured logs.

It owns what is recorded about a request (``RequestRecord``) and where that goes: the metrics
registry at once, the request log table in batches, off the request path. It does not own the
serving itself: ``api/inference`` fills a record as it serves, and the ASGI ``RequestRecorder``
finishes it when the response or stream is done.
"""
