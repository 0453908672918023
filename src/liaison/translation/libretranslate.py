"""LibreTranslate: a self-hosted translation server, reached over HTTP(S).

The standard library is enough for one JSON POST, so this adds no dependency. Message text may be
classified, so the engine talks only to the configured server: no proxy taken from the
environment, no redirect followed. Answers are bounded in size and time and parsed defensively.
"""

from __future__ import annotations

import http.client
import json
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from liaison.translation.engine import TranslationUnavailable

MAX_RESPONSE_BYTES = 1024 * 1024
_CHUNK = 64 * 1024


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


class LibreTranslateEngine:
    name = "libretranslate"

    def __init__(self, url: str, api_key: str | None = None, timeout: float = 10.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(
                f"the LibreTranslate URL must be http(s)://host[:port][/path]: {url!r}"
            )
        if parts.username or parts.password or parts.query or parts.fragment:
            raise ValueError(
                "the LibreTranslate URL must hold no user, password, query or fragment "
                "(give the key as the API key)"
            )
        self.url = url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self._languages: frozenset[tuple[str, str]] | None = None

    def languages(self) -> frozenset[tuple[str, str]]:
        """The server's pairs, asked once: a LibreTranslate server loads its models at start."""
        if self._languages is None:
            answer = self._call("/languages")
            if not isinstance(answer, list):
                raise TranslationUnavailable("LibreTranslate sent an unexpected language list")
            self._languages = frozenset(
                (language["code"], target)
                for language in answer
                if isinstance(language, dict) and isinstance(language.get("code"), str)
                for target in language.get("targets", ())
                if isinstance(target, str) and target != language["code"]
            )
        return self._languages

    def translate(self, text: str, source: str, target: str) -> str:
        body: dict[str, str] = {"q": text, "source": source, "target": target, "format": "text"}
        if self.api_key is not None:
            body["api_key"] = self.api_key
        answer = self._call("/translate", body, pair=f" from {source} to {target}")
        translated = answer.get("translatedText") if isinstance(answer, dict) else None
        if not isinstance(translated, str):
            raise TranslationUnavailable("LibreTranslate sent an answer without a translation")
        return translated

    def _call(self, path: str, body: dict[str, str] | None = None, pair: str = "") -> Any:
        """The decoded JSON answer; every failure becomes a `TranslationUnavailable`."""
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(  # noqa: S310 (the scheme was checked in __init__)
            self.url + path,
            data=None if body is None else json.dumps(body).encode("utf-8"),
            headers=headers,
        )
        deadline = time.monotonic() + self.timeout
        try:
            with _OPENER.open(request, timeout=self.timeout) as response:
                raw = _read_bounded(response, deadline)
        except urllib.error.HTTPError as exc:
            exc.close()
            raise TranslationUnavailable(_refusal(exc.code, pair)) from None
        except TimeoutError:
            raise TranslationUnavailable(
                f"LibreTranslate did not answer within {self.timeout:g} s"
            ) from None
        except urllib.error.URLError as exc:
            reason = "timed out" if isinstance(exc.reason, TimeoutError) else str(exc.reason)
            raise TranslationUnavailable(f"LibreTranslate could not be reached: {reason}") from None
        except (OSError, http.client.HTTPException) as exc:
            raise TranslationUnavailable(
                f"the connection to LibreTranslate failed ({type(exc).__name__})"
            ) from None
        try:
            return json.loads(raw)
        except (ValueError, RecursionError):
            raise TranslationUnavailable("LibreTranslate sent an answer that is not JSON") from None


def _read_bounded(response: http.client.HTTPResponse, deadline: float) -> bytes:
    """The body, refused when over `MAX_RESPONSE_BYTES` or still arriving after `deadline`."""
    declared = response.getheader("Content-Length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_RESPONSE_BYTES:
        raise TranslationUnavailable(_too_large())
    chunks: list[bytes] = []
    size = 0
    while chunk := response.read(_CHUNK):
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            raise TranslationUnavailable(_too_large())
        if time.monotonic() > deadline:
            raise TimeoutError
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large() -> str:
    return f"LibreTranslate sent an answer over {MAX_RESPONSE_BYTES} bytes"


def _refusal(status: int, pair: str) -> str:
    """Why the server refused, from its status alone: its own message might quote the text."""
    reasons = {
        400: f"refused the request (is translation{pair} supported?)",
        403: "refused the API key",
        429: "is rate-limiting this node",
    }
    reason = reasons.get(status, "failed")
    return f"LibreTranslate {reason} (HTTP {status})"
