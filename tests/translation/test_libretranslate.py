"""LibreTranslate against a local server that imitates its HTTP API."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from liaison.translation.engine import TranslationUnavailable
from liaison.translation.libretranslate import MAX_RESPONSE_BYTES, LibreTranslateEngine
from liaison.translation.select import engine_from_settings


@dataclass
class Imitation:
    """How the fake server answers next, and what it was sent."""

    url: str
    status: int = 200
    body: bytes | None = None
    delay: float = 0.0
    received: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture
def server() -> Iterator[Imitation]:
    imitation = Imitation(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            languages = [
                {"code": "en", "targets": ["en", "fr", "de"]},
                {"code": "fr", "targets": ["en"]},
            ]
            self._answer(json.dumps(languages).encode())

        def do_POST(self) -> None:
            request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            imitation.received.append(request)
            translated = {"fr": "Le convoi part à l'aube."}.get(request["target"], request["q"])
            self._answer(json.dumps({"translatedText": translated}).encode())

        def _answer(self, default: bytes) -> None:
            time.sleep(imitation.delay)
            body = default if imitation.body is None else imitation.body
            self.send_response(imitation.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    imitation.url = f"http://127.0.0.1:{httpd.server_address[1]}/"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield imitation
    httpd.shutdown()
    httpd.server_close()


def test_a_translation_round_trip_sends_the_text_and_languages(server: Imitation) -> None:
    engine = LibreTranslateEngine(server.url, api_key="k-123")
    assert engine.translate("The convoy leaves at dawn.", "en", "fr") == "Le convoi part à l'aube."
    assert server.received == [
        {
            "q": "The convoy leaves at dawn.",
            "source": "en",
            "target": "fr",
            "format": "text",
            "api_key": "k-123",
        }
    ]


def test_no_api_key_is_sent_when_none_is_configured(server: Imitation) -> None:
    LibreTranslateEngine(server.url).translate("Hello", "en", "de")
    assert "api_key" not in server.received[0]


def test_languages_are_the_servers_pairs(server: Imitation) -> None:
    pairs = LibreTranslateEngine(server.url).languages()
    assert pairs == frozenset({("en", "fr"), ("en", "de"), ("fr", "en")})


@pytest.mark.parametrize(
    ("status", "body", "reason"),
    [
        (500, b'{"error": "boom"}', "HTTP 500"),
        (400, b'{"error": "xx is not supported"}', "from en to fr"),
        (200, b"{not json", "not JSON"),
        (200, b'{"translatedText": 42}', "without a translation"),
        (200, b'["Le convoi"]', "without a translation"),
        (200, b"[" * 100_000, "not JSON"),
    ],
)
def test_failures_and_bad_answers_are_unavailable_without_the_text(
    server: Imitation, status: int, body: bytes, reason: str
) -> None:
    server.status, server.body = status, body
    with pytest.raises(TranslationUnavailable, match=reason) as caught:
        LibreTranslateEngine(server.url).translate("SECRET convoy route", "en", "fr")
    assert "SECRET" not in str(caught.value)


def test_a_slow_server_times_out(server: Imitation) -> None:
    server.delay = 1.0
    with pytest.raises(TranslationUnavailable, match=r"within 0\.2 s|timed out"):
        LibreTranslateEngine(server.url, timeout=0.2).translate("Hello", "en", "fr")


def test_an_oversized_answer_is_refused(server: Imitation) -> None:
    padding = "x" * MAX_RESPONSE_BYTES
    server.body = json.dumps({"translatedText": padding}).encode()
    with pytest.raises(TranslationUnavailable, match="over"):
        LibreTranslateEngine(server.url).translate("Hello", "en", "fr")


def test_an_unreachable_server_is_unavailable() -> None:
    engine = LibreTranslateEngine("http://127.0.0.1:9/", timeout=1.0)
    with pytest.raises(TranslationUnavailable, match="could not be reached"):
        engine.translate("Hello", "en", "fr")


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://translate.example/",
        "translate.example",
        "https://user:pw@translate.example/",
        "https://translate.example/?key=1",
    ],
)
def test_only_plain_http_urls_are_accepted(url: str) -> None:
    with pytest.raises(ValueError, match="LibreTranslate URL"):
        LibreTranslateEngine(url)


def test_settings_build_a_libretranslate_engine(server: Imitation) -> None:
    engine = engine_from_settings("libretranslate", server.url, "k")
    assert isinstance(engine, LibreTranslateEngine)
    assert engine.name == "libretranslate"
    with pytest.raises(ValueError, match="needs the server's URL"):
        engine_from_settings("libretranslate", None, None)
