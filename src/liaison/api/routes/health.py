"""Liveness, readiness and metrics, for load balancers and Prometheus."""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from liaison.api.problems import problem
from liaison.http.deps import NodeDep
from liaison.store import migrate

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "alive"}


@router.get("/readyz", response_model=None)
def readyz(node: NodeDep) -> dict[str, str] | Response:
    try:
        with node.db.reading() as session:
            session.execute(text("SELECT 1"))
        current = migrate.is_current(node.db.engine)
    except SQLAlchemyError:
        return problem(503, "database unreachable")
    if not current:
        return problem(
            503, "database schema is not at the current migration: run liaison db upgrade"
        )
    return {"status": "ready"}


@router.get("/metrics", include_in_schema=False)
def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
