"""One exception class per kind of expected failure, each with its exit status.

`clarion.cli.main` catches `ClarionError` once and prints its message; anything
else is a real bug and keeps its traceback.
"""

from __future__ import annotations


class ClarionError(Exception):
    """An expected failure: printed without a traceback."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(ClarionError):
    """The command line is wrong."""

    exit_code = 2


class ConfigError(ClarionError):
    """The settings in pyproject.toml are wrong or a credential is missing or refused."""

    exit_code = 2


class InvalidPostsError(ClarionError):
    """At least one post failed validation."""

    exit_code = 1


class PublishFailedError(ClarionError):
    """A publish run left something unsent or needing a person."""

    exit_code = 1


class GitError(ClarionError):
    """A git command failed."""

    exit_code = 1


class PushRefusedError(GitError):
    """The remote refused the receipts push (a protected branch)."""
