"""liaison serve: the HTTP server."""

from __future__ import annotations

import typer
import uvicorn

from liaison.cli.common import load_settings, open_node
from liaison.http.observability import configure_logging


def run_server(host: str, port: int, workers: int) -> None:
    settings = load_settings()
    with open_node():  # the database answers and its schema is current, or one line and exit 1
        pass
    configure_logging(settings.log_level)
    typer.echo(f"Liaison node {settings.node_name} serving on http://{host}:{port}")
    uvicorn.run(
        "liaison.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
        access_log=False,
        proxy_headers=True,
    )


def serve(
    host: str = typer.Option("127.0.0.1"),
    port: int = typer.Option(8080),
    workers: int = typer.Option(1, min=1, max=64),
) -> None:
    """Serve the API and web interface."""
    run_server(host, port, workers)
