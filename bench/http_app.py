"""The real application plus one bare route, served by uvicorn for the HTTP benchmark."""

from fastapi import FastAPI

from liaison.app import create_app


def create_bench_app() -> FastAPI:
    app = create_app()

    @app.get("/bench/bare")
    async def bare() -> dict[str, bool]:
        return {"ok": True}

    return app
