"""CODEOWNERS as GitHub reads it: gitignore-style patterns, the last match wins."""

from __future__ import annotations

import pytest

from clarion.approval.client import Review
from clarion.approval.codeowners import compile_rule, parse_codeowners
from clarion.approval.judge import latest_opinions

# pattern → {path: whether the pattern covers that file}. The comments quote or
# follow the example file in GitHub's "About code owners".
PATTERNS: dict[str, dict[str, bool]] = {
    # No slash: a name at any depth, and everything below a folder of that name.
    "posts": {
        "posts": True,
        "posts/a.md": True,
        "archive/posts/a.md": True,
        "posts.md": False,
        "myposts/a.md": False,
    },
    # Leading slash: anchored at the root.
    "/posts": {
        "posts/a.md": True,
        "posts/2026/a.md": True,
        "archive/posts/a.md": False,
        "postscript.md": False,
    },
    # Trailing slash: folders only; "apps/ @octocat owns any file in an apps
    # directory anywhere in your repository".
    "apps/": {
        "apps": False,
        "apps/main.js": True,
        "src/apps/deep/main.js": True,
        "apps.js": False,
    },
    # "/build/logs/ … any files in the build/logs directory at the root of the
    # repository and any of its subdirectories".
    "/build/logs/": {
        "build/logs/a.log": True,
        "build/logs/2026/a.log": True,
        "src/build/logs/a.log": False,
        "build/logs": False,
    },
    # A slash in the middle anchors too.
    "docs/guides": {
        "docs/guides/a.md": True,
        "docs/guides": True,
        "src/docs/guides/a.md": False,
    },
    # "The `docs/*` pattern will match files like `docs/getting-started.md`
    # but not further nested files like `docs/build-app/troubleshooting.md`."
    "docs/*": {
        "docs/getting-started.md": True,
        "docs/build-app/troubleshooting.md": False,
        "src/docs/a.md": False,
    },
    "/*": {"README.md": True, "posts/a.md": False},
    # A lone `*` owns everything.
    "*": {"README.md": True, "posts/2026/a.md": True},
    # Extensions at any depth.
    "*.md": {
        "README.md": True,
        "posts/2026/a.md": True,
        "posts/2026/a.mdx": False,
        "posts/media/a.png": False,
    },
    "*.js": {"a.js": True, "src/a.js": True, "a.jsx": False},
    "/posts/*.md": {"posts/a.md": True, "posts/2026/a.md": False},
    # `*` stays inside one segment; a matched folder still owns what is below it.
    "/posts/*/drafts": {
        "posts/2026/drafts/a.md": True,
        "posts/drafts/a.md": False,
        "posts/2026/x/drafts/a.md": False,
    },
    "p*s": {"posts/a.md": True, "src/plans/a.md": True, "post/a.md": False},
    # `?` is one character, never a slash.
    "/posts/202?/": {"posts/2026/a.md": True, "posts/20261/a.md": False},
    # "**/logs … owns any file in a /logs directory such as /build/logs,
    # /scripts/logs, and /deeply/nested/logs".
    "**/logs": {
        "logs/a.log": True,
        "build/logs/a.log": True,
        "deeply/nested/logs/a.log": True,
        "catalogs/a": False,
    },
    "**/posts/*.md": {"posts/a.md": True, "x/y/posts/a.md": True, "posts/2026/a.md": False},
    "/posts/**": {"posts/a.md": True, "posts/2026/a.md": True, "posts": False},
    "/posts/**/a.md": {
        "posts/a.md": True,
        "posts/2026/a.md": True,
        "posts/2026/12/a.md": True,
        "posts/2026/b.md": False,
    },
    "/posts/**/": {"posts/a.md": True, "posts/2026/a.md": True, "posts": False},
    # Escapes: `\*` is a star, `\ ` a space in a name.
    "/posts/a\\*.md": {"posts/a*.md": True, "posts/ab.md": False},
    "/posts/my\\ post.md": {"posts/my post.md": True, "posts/my.md": False},
    # Case matters: GitHub's file system is case sensitive.
    "/Posts/": {"posts/a.md": False, "Posts/a.md": True},
    # "/" alone matches nothing.
    "/": {"posts/a.md": False, "README.md": False},
}


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        (pattern, path, expected)
        for pattern, paths in PATTERNS.items()
        for path, expected in paths.items()
    ],
)
def test_pattern(pattern: str, path: str, expected: bool) -> None:
    assert compile_rule(pattern, ["@owner"]).matches(path) is expected


def test_the_last_matching_line_wins() -> None:
    owners = parse_codeowners(
        "*            @global-owner1 @global-owner2\n"
        "*.md         @docs-owner\n"
        "/posts/      @octo-org/comms\n"
        "/posts/legal/ @lawyer\n"
    )
    assert owners.rule_for("README.md").owners == ("@docs-owner",)  # type: ignore[union-attr]
    assert owners.rule_for("src/a.py").owners == ("@global-owner1", "@global-owner2")  # type: ignore[union-attr]
    assert owners.rule_for("posts/2026/a.md").owners == ("@octo-org/comms",)  # type: ignore[union-attr]
    rule = owners.rule_for("posts/legal/terms.md")
    assert rule is not None
    assert rule.owners == ("@lawyer",)
    assert rule.line == 4


def test_a_line_without_owners_leaves_the_path_without_owners() -> None:
    # "@octocat owns any file in the /apps directory … except for the
    # /apps/github subdirectory, as its owners are left empty."
    owners = parse_codeowners("/apps/ @octocat\n/apps/github\n")
    assert owners.rule_for("apps/main.js").owners == ("@octocat",)  # type: ignore[union-attr]
    rule = owners.rule_for("apps/github/main.js")
    assert rule is not None
    assert rule.owners == ()
    assert owners.rule_for("README.md") is None


def test_comments_blank_lines_and_owner_kinds() -> None:
    owners = parse_codeowners(
        "# a comment\n"
        "\n"
        "   # an indented comment\n"
        "*.js    @js-owner #This is an inline comment.\n"
        "*.go docs@example.com\n"
        "*.txt @octo-org/octocats @Mona-Lisa\n"
    )
    assert [r.owners for r in owners.rules] == [
        ("@js-owner",),
        ("docs@example.com",),
        ("@octo-org/octocats", "@Mona-Lisa"),
    ]
    assert [r.line for r in owners.rules] == [4, 5, 6]
    assert owners.skipped == ()


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ("!posts/a.md @bob", "negation"),
        ("\\#posts @bob", "escaping a leading #"),
        ("posts/[ab].md @bob", "character ranges"),
        ("posts/*** @bob", "three asterisks"),
        ("/posts/ @bob TODO", "TODO is not an owner"),
        ("/posts/ bob", "bob is not an owner"),
    ],
)
def test_lines_github_skips_are_skipped_and_reported(line: str, why: str) -> None:
    # "If any line in your CODEOWNERS file contains invalid syntax, that line
    # will be skipped."
    owners = parse_codeowners(f"* @everyone\n{line}\n")
    assert owners.rule_for("posts/a.md").owners == ("@everyone",)  # type: ignore[union-attr]
    assert len(owners.skipped) == 1
    number, message = owners.skipped[0]
    assert number == 2
    assert why in message


def review(user: str, state: str) -> Review:
    return Review(user, state, "0" * 40)


@pytest.mark.parametrize(
    ("states", "standing"),
    [
        (["APPROVED"], "APPROVED"),
        (["APPROVED", "CHANGES_REQUESTED"], "CHANGES_REQUESTED"),
        (["CHANGES_REQUESTED", "APPROVED"], "APPROVED"),
        (["APPROVED", "COMMENTED"], "APPROVED"),  # a comment changes no state
        (["CHANGES_REQUESTED", "COMMENTED"], "CHANGES_REQUESTED"),
        (["APPROVED", "DISMISSED"], "DISMISSED"),
        (["DISMISSED", "APPROVED"], "APPROVED"),
        (["COMMENTED"], None),
        (["PENDING"], None),  # not submitted
        (["APPROVED", "PENDING"], "APPROVED"),
    ],
)
def test_each_reviewers_latest_opinion_stands(states: list[str], standing: str | None) -> None:
    latest = latest_opinions([review("Bob", state) for state in states])
    assert (latest["bob"].state if "bob" in latest else None) == standing


def test_opinions_are_per_reviewer() -> None:
    latest = latest_opinions(
        [
            review("bob", "APPROVED"),
            review("carol", "CHANGES_REQUESTED"),
            review("bob", "COMMENTED"),
        ]
    )
    assert {login: r.state for login, r in latest.items()} == {
        "bob": "APPROVED",
        "carol": "CHANGES_REQUESTED",
    }
