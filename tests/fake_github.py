"""A stateful fake of GitHub's REST API on 127.0.0.1 for the bot's tests.

Every request is validated (method, path, query, body schema) against the committed cut of
GitHub's own OpenAPI description (`scripts/cut_openapi.py`); a request outside it is answered 422
or 404 and recorded in `violations`, which the tests require to be empty. Answers are GitHub's
documented examples with this fake's state (numbers, branches, labels) written in, and errors
carry GitHub's wording ("A pull request already exists for octo:branch.").
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

DATA = Path(__file__).parent / "data"


@dataclass
class Sent:
    method: str
    path: str
    query: str
    body: Any
    headers: dict[str, str]

    @property
    def write(self) -> bool:
        return self.method != "GET"


@dataclass
class Failure:
    """Answer the next matching request with `status` instead of handling it."""

    method: str
    path: str  # a regex matched against the path without the API prefix
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1


class FakeGitHub:
    def __init__(self, token: str, *, owner: str = "octo", name: str = "demo", enterprise: bool = False) -> None:
        self.token, self.owner, self.name = token, owner, name
        self.prefix = "/api/v3" if enterprise else ""
        spec = json.loads((DATA / ("ghes-pr-subset.json" if enterprise else "github-pr-subset.json")).read_text())
        spec["servers"] = [{"url": "/"}]  # match paths as they come, prefix included
        self.examples = {k: v["value"] for k, v in spec["components"]["examples"].items()}
        self.openapi = OpenAPI.from_dict(spec)
        self.pulls: dict[int, dict[str, Any]] = {}
        self.comments: list[tuple[int, str]] = []
        self.reviewers: dict[int, dict[str, list[str]]] = {}
        self.sent: list[Sent] = []
        self.violations: list[str] = []
        self.failures: list[Failure] = []
        self.drafts_supported = True
        self.hide_open_pulls = 0  # the next N list calls miss open pull requests (a race)
        self.default_branch = "main"
        self.remote: Path | None = None  # the bare repository: head.sha is read from it
        self._lock = threading.Lock()
        self._next = 1

    # server -----------------------------------------------------------------------------------
    def start(self) -> None:
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}{self.prefix}"

    @property
    def writes(self) -> list[Sent]:
        return [s for s in self.sent if s.write]

    def open_pulls(self) -> list[dict[str, Any]]:
        return [p for p in self.pulls.values() if p["state"] == "open"]

    def _app(self, environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
        request = Request(environ)
        with self._lock:
            response = self._handle(request)
        return response(environ, start_response)

    def _handle(self, request: Request) -> Response:
        raw = request.get_data()
        body = json.loads(raw) if raw else None
        self.sent.append(Sent(request.method, request.path, request.query_string.decode(), body, dict(request.headers)))
        where = f"{request.method} {request.full_path.rstrip('?')}"
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            self.violations.append(f"{where}: missing or wrong Authorization header")
            return _json(401, {"message": "Requires authentication"})
        if "application/vnd.github+json" not in request.headers.get("Accept", ""):
            self.violations.append(f"{where}: Accept is not application/vnd.github+json")
        try:
            self.openapi.validate_request(WerkzeugOpenAPIRequest(request))
        except Exception as error:  # noqa: BLE001 -- every violation becomes a GitHub-shaped 422
            causes = getattr(error.__cause__, "schema_errors", None) or []
            details = [getattr(e, "message", str(e)) for e in causes] or [f"{type(error).__name__}: {error}"]
            self.violations.append(f"{where}: {'; '.join(details)}")
            return _json(422, {"message": "Validation Failed", "errors": details})
        path = request.path.removeprefix(self.prefix)
        for failure in self.failures:
            if failure.times and failure.method == request.method and re.fullmatch(failure.path, path):
                failure.times -= 1
                return _json(failure.status, failure.body, failure.headers)
        return self._route(request.method, path, request.args, body)

    # GitHub's behaviour -----------------------------------------------------------------------
    def _route(self, method: str, path: str, args: Any, body: Any) -> Response:
        repo = f"/repos/{self.owner}/{self.name}"
        if not path.startswith(repo):
            return _json(404, {"message": "Not Found"})
        rest = path.removeprefix(repo)
        if method == "GET" and rest == "":
            data = copy.deepcopy(self.examples["full-repository-default-response"])
            data.update(name=self.name, full_name=f"{self.owner}/{self.name}", default_branch=self.default_branch)
            return _json(200, data)
        if method == "GET" and rest == "/pulls":
            return _json(200, self._list(args))
        if method == "POST" and rest == "/pulls":
            return self._create(body)
        number_match = re.fullmatch(r"/(?:pulls|issues)/(\d+)(/.*)?", rest)
        if number_match is None or int(number_match[1]) not in self.pulls:
            return _json(404, {"message": "Not Found"})
        pull, tail = self.pulls[int(number_match[1])], number_match[2] or ""
        if method == "PATCH" and tail == "":
            pull.update({k: v for k, v in body.items() if k in ("title", "body", "state")})
            if "base" in body:
                pull["base"]["ref"] = body["base"]
            return _json(200, pull)
        if method == "POST" and tail == "/labels":
            names = [label if isinstance(label, str) else label["name"] for label in body["labels"]]
            have = [label["name"] for label in pull["labels"]]
            pull["labels"] += [self._label(n) for n in names if n not in have]
            return _json(200, pull["labels"])
        if method == "POST" and tail == "/comments":
            self.comments.append((pull["number"], body["body"]))
            comment = copy.deepcopy(self.examples["issue-comment"])
            comment["body"] = body["body"]
            return _json(201, comment)
        if method == "POST" and tail == "/requested_reviewers":
            self.reviewers[pull["number"]] = body
            return _json(201, pull)
        return _json(404, {"message": "Not Found"})

    def _list(self, args: Any) -> list[dict[str, Any]]:
        state = args.get("state", "open")
        pulls = [p for p in self.pulls.values() if state == "all" or p["state"] == state]
        if "head" in args:
            pulls = [p for p in pulls if p["head"]["label"] == args["head"]]
        if "base" in args:
            pulls = [p for p in pulls if p["base"]["ref"] == args["base"]]
        if self.hide_open_pulls:
            self.hide_open_pulls -= 1
            pulls = [p for p in pulls if p["state"] != "open"]
        return pulls

    def _create(self, body: dict[str, Any]) -> Response:
        label = f"{self.owner}:{body['head']}"
        if any(p["head"]["label"] == label and p["base"]["ref"] == body["base"] for p in self.open_pulls()):
            return _json(422, {
                "message": "Validation Failed",
                "errors": [{"resource": "PullRequest", "code": "custom",
                            "message": f"A pull request already exists for {label}."}],
                "documentation_url": "https://docs.github.com/rest/pulls/pulls#create-a-pull-request",
                "status": "422",
            })
        if body.get("draft") and not self.drafts_supported:
            return _json(422, {
                "message": "Validation Failed",
                "errors": [{"resource": "PullRequest", "code": "custom",
                            "message": "Draft pull requests are not supported in this repository."}],
                "documentation_url": "https://docs.github.com/rest/pulls/pulls#create-a-pull-request",
                "status": "422",
            })
        number, self._next = self._next, self._next + 1
        pull = copy.deepcopy(self.examples["pull-request"])
        html = f"https://github.example/{self.owner}/{self.name}/pull/{number}"
        pull.update(
            number=number, id=1000 + number, state="open", title=body["title"], body=body.get("body", ""),
            draft=bool(body.get("draft")), labels=[], html_url=html,
            url=f"{self.url}/repos/{self.owner}/{self.name}/pulls/{number}",
        )
        pull["head"].update(ref=body["head"], label=label, sha=self._sha(body["head"]))
        pull["merged_at"] = None
        pull["base"].update(ref=body["base"], label=f"{self.owner}:{body['base']}")
        self.pulls[number] = pull
        return _json(201, pull, {"Location": pull["url"]})

    def _sha(self, branch: str) -> str:
        if self.remote is None:
            return "6dcb09b5b57875f334f61aebed695e2e4193db5e"  # GitHub's example
        done = subprocess.run(["git", "rev-parse", f"refs/heads/{branch}"], cwd=self.remote,
                              capture_output=True, text=True, check=True)
        return done.stdout.strip()

    def _label(self, name: str) -> dict[str, Any]:
        label = copy.deepcopy(self.examples["label-items"][0])
        label.update(name=name, url=f"{self.url}/repos/{self.owner}/{self.name}/labels/{name}")
        return label


def _json(status: int, data: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(data), status, headers=headers or {}, content_type="application/json; charset=utf-8")
