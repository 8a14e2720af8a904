"""Issues in the GitHub API stand-in (tests/github_api.py): create, list, update.

    GET   /repos/{o}/{r}/issues?state=&labels=&sort=&direction=   issues, pull requests too
    POST  /repos/{o}/{r}/issues        {"title", "body", "labels"} → 201
    PATCH /repos/{o}/{r}/issues/{n}    {"title", "body", "state", "state_reason", "labels"}

As GitHub answers them (https://docs.github.com/rest/issues/issues):

- the list is open issues by default (`state` open, closed or all), newest
  first (`sort` created|updated, `direction` desc|asc), filtered by `labels`
  (comma-separated, every one must be on the issue), and holds pull requests
  too (with a `pull_request` key); it pages as every list does;
- creating needs a `title` (422 otherwise); labels not yet in the repository are
  created with the issue;
- `state` is open or closed (422 otherwise), `state_reason` completed,
  not_planned or reopened; closing sets `closed_at`, reopening clears it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from clarion.sandbox.server import Response

DOCS = "https://docs.github.com/rest/issues/issues"
STATE_REASONS = ("completed", "not_planned", "reopened")


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class IssueRecord:
    number: int
    title: str
    body: str | None
    user: str
    labels: list[str] = field(default_factory=list)
    state: str = "open"
    state_reason: str | None = None
    created_at: str = field(default_factory=_now)
    updated_at: str = field(default_factory=_now)
    closed_at: str | None = None
    edits: int = 0  # how many times it was changed after its creation


def issue_json(answer: Any, issue: IssueRecord) -> dict[str, Any]:
    url = f"{answer.repo_url}/issues/{issue.number}"
    return {
        "url": url,
        "repository_url": answer.repo_url,
        "labels_url": f"{url}/labels{{/name}}",
        "comments_url": f"{url}/comments",
        "events_url": f"{url}/events",
        "html_url": f"{answer.html}/issues/{issue.number}",
        "id": 300_000 + issue.number,
        "node_id": f"I_{300_000 + issue.number}",
        "number": issue.number,
        "title": issue.title,
        "user": answer._user(issue.user),
        "labels": [
            {
                "id": 400_000 + n,
                "node_id": f"LA_{400_000 + n}",
                "url": f"{answer.repo_url}/labels/{name}",
                "name": name,
                "color": "ededed",
                "default": False,
                "description": None,
            }
            for n, name in enumerate(issue.labels)
        ],
        "state": issue.state,
        "state_reason": issue.state_reason,
        "locked": False,
        "assignee": None,
        "assignees": [],
        "milestone": None,
        "comments": len(answer.api.comments_on(issue.number)),
        "created_at": issue.created_at,
        "updated_at": issue.updated_at,
        "closed_at": issue.closed_at,
        "author_association": "NONE" if issue.user.endswith("[bot]") else "MEMBER",
        "body": issue.body,
    }


def _json_object(answer: Any) -> dict[str, Any] | Response:
    from tests.github_api import error

    try:
        data = answer.request.json()
    except (ValueError, UnicodeDecodeError):
        return error(400, "Problems parsing JSON")
    if not isinstance(data, dict):
        return error(400, "Problems parsing JSON")
    return data


def list_issues(answer: Any) -> Response:
    from tests.github_api import error

    query = {k: v[-1] for k, v in answer.request.query.items()}
    state = query.get("state", "open")
    if state not in ("open", "closed", "all"):
        return error(422, "Validation Failed", f"{DOCS}#list-repository-issues")
    wanted = {name.strip() for name in query.get("labels", "").split(",") if name.strip()}
    issues = [
        issue
        for issue in answer.api.written_issues.values()
        if state in ("all", issue.state) and wanted <= set(issue.labels)
    ]
    key = "updated_at" if query.get("sort") == "updated" else "created_at"
    issues.sort(key=lambda i: (getattr(i, key), i.number), reverse=query.get("direction") != "asc")
    page: Response = answer._page([issue_json(answer, issue) for issue in issues])
    return page


def create_issue(answer: Any) -> Response:
    from tests.github_api import APP_LOGIN, error

    data = _json_object(answer)
    if isinstance(data, Response):
        return data
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        return error(422, "Validation Failed", f"{DOCS}#create-an-issue")
    labels = [str(name) for name in data.get("labels") or []]
    body = data.get("body")
    with answer.api._lock:
        number = answer.api.next_issue_number()
        issue = IssueRecord(
            number,
            title,
            body if isinstance(body, str) else None,
            answer.login or APP_LOGIN,
            labels,
        )
        answer.api.written_issues[number] = issue
    created = issue_json(answer, issue)
    return Response.json(created, 201, headers={"Location": created["url"]})


def update_issue(answer: Any, n: str) -> Response:
    from tests.github_api import error

    issue = answer.api.written_issues.get(int(n))
    if issue is None:
        return error(404, "Not Found", f"{DOCS}#update-an-issue")
    data = _json_object(answer)
    if isinstance(data, Response):
        return data
    state = data.get("state", issue.state)
    reason = data.get("state_reason")
    if state not in ("open", "closed") or (reason is not None and reason not in STATE_REASONS):
        return error(422, "Validation Failed", f"{DOCS}#update-an-issue")
    with answer.api._lock:
        if isinstance(data.get("title"), str):
            issue.title = data["title"]
        if "body" in data:
            issue.body = data["body"] if isinstance(data["body"], str) else None
        if "labels" in data:
            issue.labels = [str(name) for name in data["labels"] or []]
        if state == "closed" and issue.state == "open":
            issue.closed_at = _now()
            issue.state_reason = reason or "completed"
        elif state == "open" and issue.state == "closed":
            issue.closed_at = None
            issue.state_reason = "reopened"
        issue.state = state
        issue.updated_at = _now()
        issue.edits += 1
    return Response.json(issue_json(answer, issue))
