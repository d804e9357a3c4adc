"""Keeping the token out of everything the bot prints, logs or raises."""

from __future__ import annotations

import re

# `https://user:secret@host/...`: credentials someone put in a remote URL.
URL_CREDENTIALS = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]+@")
MASK = "***"


class Redactor:
    """Replaces each secret, and any credentials in URLs, by `***`."""

    def __init__(self, *secrets: str | None) -> None:
        self.secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return URL_CREDENTIALS.sub(rf"\g<scheme>{MASK}@", text)
