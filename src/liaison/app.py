"""The application factory: the API, the web pages and the middleware around both."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from liaison import __version__
from liaison.api import problems
from liaison.api.routes import (
    audit,
    auth,
    channels,
    health,
    me,
    notifications,
    organization,
    people,
    policies,
    reports,
    search,
    stream,
    users,
)
from liaison.http.background import ChaseLoop
from liaison.http.body_limit import BodyLimitMiddleware
from liaison.http.credentials import CredentialCache
from liaison.http.observability import ObservabilityMiddleware
from liaison.http.rate_limit import TokenBuckets
from liaison.http.security_headers import SecurityHeadersMiddleware
from liaison.node import Node
from liaison.settings import Settings
from liaison.web import routes as web

API_PREFIX = "/api/v1"


def create_app(node: Node | None = None, settings: Settings | None = None) -> FastAPI:
    """Serve `node`, or open one from `settings` (the environment by default) at startup."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = node is None
        if owned:
            _attach(app, Node.open(settings or Settings()))
        app.state.live = live = stream.Live(app.state.node)
        live.start()
        chase = ChaseLoop(app.state.node) if owned else None  # tests drive the chase themselves
        if chase is not None:
            chase.start()
        try:
            yield
        finally:
            if chase is not None:
                chase.stop()
            live.stop()
            if owned:
                app.state.node.close()

    app = FastAPI(
        title="Liaison",
        version=__version__,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    if node is not None:
        _attach(app, node)
    api = APIRouter(prefix=API_PREFIX)
    for module in (
        auth,
        me,
        users,
        audit,
        policies,
        organization,
        people,
        reports,
        search,
        notifications,
        channels,
        stream,
    ):
        api.include_router(module.router)
    app.include_router(api)
    app.include_router(health.router)
    app.include_router(web.router)
    app.mount("/static", StaticFiles(directory=web.STATIC_DIR), name="static")
    problems.install(app)
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(ObservabilityMiddleware)
    return app


def _attach(app: FastAPI, node: Node) -> None:
    app.state.node = node
    app.state.credentials = CredentialCache(node)
    app.state.post_limits = TokenBuckets(
        node.settings.messages_per_minute, node.settings.message_burst
    )
