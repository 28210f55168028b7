"""The web UI: serves the SvelteKit build from ``frontend/`` at ``/``.

It owns only the serving of static files and the single-page-app fallback; the UI talks to the
server through the same ``/api`` routes as any other client, and the build itself is made by
``npm run build`` in ``frontend/`` (into ``static/``, which is not committed).
"""
