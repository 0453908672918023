"""The real application plus one bare route, served by uvicorn for the HTTP benchmark.

The bare route answers the same response model as GET /api/v1/me and is matched first, so the
two differ only by authentication.
"""

from fastapi import FastAPI

from liaison.api.routes.me import Me
from liaison.app import create_app

BARE = Me(id="0", username="bench", display_name="Bench", nation="GBR", roles=["officer"])


def create_bench_app() -> FastAPI:
    app = create_app()

    @app.get("/bench/bare")
    async def bare() -> Me:
        return BARE

    # First in the routing table, like /api/v1/me's early place: route matching is linear.
    app.router.routes.insert(0, app.router.routes.pop())
    return app
