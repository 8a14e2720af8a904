"""PyGithub as the workflow steps that write to GitHub use it (the watch issue,
the preview comment): a handle on one repository, and GitHub's refusals turned
into the caller's messages.

PyGithub is imported on these paths only, when the handle is made.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from clarion.errors import ClarionError

if TYPE_CHECKING:
    from github.Repository import Repository

# (what was asked, GitHub's status, GitHub's own words or "") -> the error to raise
Refusal = Callable[[str, int, str], ClarionError]


def repository(api_url: str, name: str, token: str) -> Repository:
    """Repository `name` ("owner/name") at `api_url`, asked nothing until it is used."""
    from github import Auth, Github
    from github.GithubRetry import GithubRetry

    logging.getLogger("github").setLevel(logging.WARNING)
    github = Github(
        auth=Auth.Token(token),
        base_url=api_url.rstrip("/"),
        timeout=30,
        retry=GithubRetry(total=3, backoff_factor=1.0, respect_retry_after_header=False),
        per_page=100,
        lazy=True,
    )
    return github.get_repo(name)


@contextmanager
def asking(
    what: str, refusal: Refusal, failed: type[ClarionError] = ClarionError
) -> Iterator[None]:
    """Calls to GitHub that `what` names: a refusal becomes `refusal(...)`'s error, no
    answer at all a `failed`."""
    from github.GithubException import GithubException

    try:
        yield
    except GithubException as exc:
        said = exc.data.get("message") if isinstance(exc.data, dict) else None
        raise refusal(what, exc.status, said if isinstance(said, str) else "") from None
    except OSError as exc:
        raise failed(f"GitHub did not answer when asked to {what}: {exc}") from None
