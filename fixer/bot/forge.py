"""GitHub's REST API, only the calls the bot makes, with bounded waits on rate limits.

Waits go through an injectable `sleep`, so tests check them without sleeping. Error messages carry
GitHub's own words, never a header or the token (and pass through the redactor all the same).
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from fixer.bot.redact import Redactor

API_VERSION = "2022-11-28"
# GitHub's advice when a secondary limit names no wait: at least a minute, longer on each retry.
SECONDARY_WAIT = 60.0


class ForgeError(Exception):
    """GitHub refused or failed a request; `status` is the HTTP status (0: no answer)."""

    def __init__(self, status: int, message: str, errors: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.status = status
        self.errors = errors

    def mentions(self, text: str) -> bool:
        return any(text.lower() in m.lower() for m in (str(self), *self.errors))


class ReadOnly(Exception):
    """A write request in a dry run: a bug in the bot, never sent."""


@dataclass(frozen=True, slots=True)
class PullRequest:
    number: int
    url: str  # the page a person opens
    title: str
    body: str
    base: str
    head: str
    draft: bool
    head_sha: str = ""
    merged: bool = False

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PullRequest:
        return cls(
            number=data["number"], url=data.get("html_url") or data.get("url", ""),
            title=data.get("title") or "", body=data.get("body") or "",
            base=data["base"]["ref"], head=data["head"]["ref"], draft=bool(data.get("draft")),
            head_sha=data["head"].get("sha", ""), merged=data.get("merged_at") is not None,
        )


class GitHub:
    """One repository's pull requests through the REST API at `api_url`."""

    def __init__(
        self,
        api_url: str,
        repo: str,
        token: str | None,
        *,
        redact: Redactor,
        read_only: bool = False,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        max_retries: int = 3,
        max_wait: float = 900.0,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,  # for a proxy, or a test that reads responses
    ) -> None:
        self.owner, _, self.name = repo.partition("/")
        self.redact = redact
        self.read_only = read_only
        self.sleep, self.clock = sleep, clock
        self.max_retries, self.max_wait = max_retries, max_wait
        self.waits: list[float] = []
        headers = {
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
            "User-Agent": "outplace-bot",
        }
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._client = httpx.Client(base_url=api_url.rstrip("/"), headers=headers, timeout=timeout,
                                    transport=transport)

    def close(self) -> None:
        self._client.close()

    # the calls --------------------------------------------------------------------------------
    def default_branch(self) -> str:
        return self._request("GET", self._repo_path(""))["default_branch"]

    def open_pull(self, branch: str) -> PullRequest | None:
        """The open pull request whose head is `branch` of this repository, if any."""
        found = self.pulls(branch, "open")
        return found[0] if found else None

    def pulls(self, branch: str, state: str) -> list[PullRequest]:
        """The pull requests (newest first, up to 100) whose head is `branch` of this repository."""
        params = {"head": f"{self.owner}:{branch}", "state": state, "per_page": 100}
        pulls = self._request("GET", self._repo_path("/pulls"), params=params)
        # Some GitHub-compatible forges ignore `head`: filter here too.
        return [PullRequest.from_json(p) for p in pulls if p["head"]["ref"] == branch]

    def create_pull(self, *, title: str, body: str, head: str, base: str, draft: bool) -> PullRequest:
        data: dict[str, Any] = {"title": title, "body": body, "head": head, "base": base}
        if draft:
            data["draft"] = True
        return PullRequest.from_json(self._request("POST", self._repo_path("/pulls"), json=data))

    def update_pull(self, number: int, **fields: str) -> PullRequest:
        """PATCH title, body, base or state (GitHub has no `draft` here)."""
        return PullRequest.from_json(self._request("PATCH", self._repo_path(f"/pulls/{number}"), json=fields))

    def add_labels(self, number: int, labels: list[str]) -> None:
        """Add to the labels already there: people's labels stay."""
        self._request("POST", self._repo_path(f"/issues/{number}/labels"), json={"labels": labels})

    def request_reviewers(self, number: int, reviewers: list[str]) -> None:
        """Users by login; `org/team` names a team."""
        users = [r for r in reviewers if "/" not in r]
        teams = [r.split("/", 1)[1] for r in reviewers if "/" in r]
        data = {key: value for key, value in (("reviewers", users), ("team_reviewers", teams)) if value}
        self._request("POST", self._repo_path(f"/pulls/{number}/requested_reviewers"), json=data)

    def comment(self, number: int, body: str) -> None:
        self._request("POST", self._repo_path(f"/issues/{number}/comments"), json={"body": body})

    # the transport ----------------------------------------------------------------------------
    def _repo_path(self, rest: str) -> str:
        return f"/repos/{self.owner}/{self.name}{rest}"

    def _request(self, method: str, path: str, *, json: Any = None, params: Any = None) -> Any:
        if self.read_only and method != "GET":
            raise ReadOnly(f"dry run: refused to send {method} {path}")
        for attempt in range(self.max_retries + 1):
            try:
                response = self._client.request(method, path, json=json, params=params)
            except httpx.HTTPError as error:
                raise ForgeError(0, self.redact(f"{method} {path}: {type(error).__name__}: {error}")) from None
            wait = self._rate_limit_wait(response, attempt)
            if wait is None:
                break
            if attempt == self.max_retries or wait > self.max_wait:
                raise ForgeError(response.status_code, self._describe(method, path, response) + (
                    f"; still rate-limited after {attempt} retries, giving up (next wait would be "
                    f"{wait:.0f} s); run the bot again later"
                ))
            self.waits.append(wait)
            self.sleep(wait)
        if response.status_code >= 400:
            raise ForgeError(response.status_code, self._describe(method, path, response), self._errors(response))
        return response.json() if response.content else None

    def _rate_limit_wait(self, response: httpx.Response, attempt: int) -> float | None:
        """Seconds to wait before retrying, or None when `response` is not a rate limit."""
        status, headers = response.status_code, response.headers
        if status not in (403, 429):
            return None
        message = self._message(response).lower()
        limited = (
            status == 429 or "retry-after" in headers or headers.get("x-ratelimit-remaining") == "0"
            or "rate limit" in message
        )
        if not limited:
            return None  # a plain 403: no permission
        if "retry-after" in headers:
            return _retry_after(headers["retry-after"], self.clock())
        if headers.get("x-ratelimit-remaining") == "0" and "x-ratelimit-reset" in headers:
            return max(0.0, float(headers["x-ratelimit-reset"]) - self.clock()) + 1.0
        return SECONDARY_WAIT * 2**attempt

    def _describe(self, method: str, path: str, response: httpx.Response) -> str:
        details = "; ".join(self._errors(response))
        text = f"GitHub answered {response.status_code} to {method} {path}: {self._message(response)}"
        return self.redact(text + (f" ({details})" if details else ""))

    @staticmethod
    def _message(response: httpx.Response) -> str:
        try:
            data = response.json()
        except ValueError:
            return response.reason_phrase
        return str(data.get("message", "")) if isinstance(data, dict) else ""

    def _errors(self, response: httpx.Response) -> tuple[str, ...]:
        """The `errors[].message` (or code) GitHub adds to a 422."""
        try:
            data = response.json()
        except ValueError:
            return ()
        errors = data.get("errors", []) if isinstance(data, dict) else []
        return tuple(
            self.redact(str(e.get("message") or e.get("code") or e) if isinstance(e, dict) else str(e))
            for e in errors
        )


def _retry_after(value: str, now: float) -> float:
    """Retry-After as seconds or an HTTP date."""
    try:
        return max(0.0, float(value))
    except ValueError:
        when = email.utils.parsedate_to_datetime(value)
        return max(0.0, when.timestamp() - now)
