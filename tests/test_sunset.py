"""Leaving a network: `clarion sunset NETWORK` through the real command, and the
history it leaves behind, which stays valid and on the archive site once the
account's settings are removed."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from clarion import networks
from clarion.adapters.base import Receipt
from clarion.commands.sunset import Staying, _leave_settings, farewell
from clarion.networks import BlueskyAccount, XAccount
from clarion.post.receipts import record_receipt
from tests.conftest import Run
from tests.importers.exports import posts, sample_x_archive

YEAR = dt.datetime.now(dt.UTC).year
X_ACCOUNT = '\n[tool.clarion.accounts.x]\nhandle = "example"\n'

SETTINGS = """\
[project]
name = "example-announcements"
version = "0"

[tool.clarion]
posts = "posts"
platforms = ["bluesky", "mastodon", "x"]  # where a post without platforms goes
timezone = "UTC"

# The accounts we post from.
[tool.clarion.accounts.bluesky]
handle = "example.test"

[tool.clarion.accounts.mastodon]
instance = "https://mastodon.example"
handle = "news"

[tool.clarion.accounts.x]
handle = "example"   # @example on X
"""


def without_x_account(repo: Path) -> None:
    pyproject = repo / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    assert X_ACCOUNT in text
    pyproject.write_text(text.replace(X_ACCOUNT, ""), encoding="utf-8")


def errors(proc_stdout: str) -> list[str]:
    report = json.loads(proc_stdout)
    return [
        f"{post['path']}: {p['code']}"
        for post in report["posts"]
        for p in post["problems"]
        if p["severity"] == "error"
    ]


# -- history stays valid -----------------------------------------------------------------------
def test_an_imported_x_archive_stays_valid_without_the_x_account(
    repo: Path, clarion: Run, tmp_path: Path
) -> None:
    proc = clarion("import", "x-archive", str(sample_x_archive(tmp_path / "archive")), cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert len(posts(repo)) == 5

    without_x_account(repo)
    proc = clarion("validate", "--format", "json", cwd=repo)

    assert proc.returncode == 0, proc.stdout
    assert errors(proc.stdout) == []
    # Nothing is due: history is never sent again, account or not.
    proc = clarion("publish", "--dry-run", cwd=repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip() == "nothing is due"


def test_x_gone_from_platforms_keeps_its_history_valid(
    repo: Path, clarion: Run, tmp_path: Path
) -> None:
    clarion("import", "x-archive", str(sample_x_archive(tmp_path / "archive")), cwd=repo)
    pyproject = repo / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    text = text.replace('platforms = ["bluesky", "mastodon", "x"]', 'platforms = ["bluesky"]')
    pyproject.write_text(text.replace(X_ACCOUNT, ""), encoding="utf-8")

    proc = clarion("validate", "--format", "json", cwd=repo)

    assert proc.returncode == 0, proc.stdout
    assert errors(proc.stdout) == []


def test_a_post_still_to_send_on_a_network_left_is_an_error(repo: Path, clarion: Run) -> None:
    without_x_account(repo)
    (repo / "posts" / "news.md").write_text(
        "---\nplatforms: [bluesky, x]\n---\nStill meant for X\n", encoding="utf-8"
    )

    proc = clarion("validate", "--format", "json", cwd=repo)

    assert proc.returncode == 1
    assert errors(proc.stdout) == ["posts/news.md: no-account"]


def test_a_thread_half_sent_on_a_network_left_is_not_history(repo: Path, clarion: Run) -> None:
    path = repo / "posts" / "thread.md"
    path.write_text("---\nplatforms: [x]\n---\nOne\n\n---\n\nTwo\n", encoding="utf-8")
    when = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    record_receipt(path, "x", 0, Receipt(at=when, id="1", url="https://x.com/example/status/1"))
    without_x_account(repo)

    proc = clarion("validate", "--format", "json", cwd=repo)

    assert proc.returncode == 1
    assert errors(proc.stdout) == ["posts/thread.md: no-account"]


# -- clarion sunset ----------------------------------------------------------------------------
FAREWELL_X = """\
---
# Written by clarion sunset x: the farewell, for X only (X's API cannot pin: pin it by hand once published).
# Once it is published, [tool.clarion.accounts.x] can be removed: the posts already out stay valid and on the site.
platforms: [x]
lang: en
pin: true
---
We no longer post on X. You can find us here:

Bluesky: https://bsky.app/profile/example.test
Mastodon: https://mastodon.example/@news

This account stays, so that no one else can take its name.
"""

CHECKLIST_X = f"""\
What X's API cannot do, for a person:
  1. Keep the account: do not delete it. Deleting it frees the name @example for anyone, who could then speak as you to everyone who still follows or links to it.
  2. Pin the farewell (posts/{YEAR}/leaving-x.md) once it is published: X's API cannot pin, so pin it by hand.
  3. Point the bio to the new home: Bluesky (https://bsky.app/profile/example.test), Mastodon (https://mastodon.example/@news).
  4. Do not protect the posts or make the account private: public, every link to them keeps working and what was said stays checkable.
  5. Keep two-factor sign-in on, with the recovery codes where the team can find them: an account no one watches is a target.
  6. Once the farewell is out, revoke the tokens Clarion used on X (the app's access) and remove its secrets (CLARION_X_API_KEY, CLARION_X_API_SECRET, CLARION_X_ACCESS_TOKEN, CLARION_X_ACCESS_TOKEN_SECRET) from the repository's publish environment.
  7. Sign in to X now and then (a reminder in the team's calendar), so the account is not removed as inactive.
  8. Request X's archive of the account and import it into posts/archive/: clarion import x-archive PATH.
  9. Then remove [tool.clarion.accounts.x] from pyproject.toml: the posts already out stay valid and on the archive site.
"""


@pytest.fixture
def org(tmp_path: Path) -> Path:
    root = tmp_path / "org"
    (root / "posts").mkdir(parents=True)
    (root / "pyproject.toml").write_text(SETTINGS, encoding="utf-8")
    return root


def test_sunset_x_writes_the_farewell_the_settings_and_the_checklist(
    org: Path, clarion: Run
) -> None:
    proc = clarion("sunset", "x", cwd=org)

    assert proc.returncode == 0, proc.stderr
    farewell_path = org / "posts" / str(YEAR) / "leaving-x.md"
    assert farewell_path.read_text(encoding="utf-8") == FAREWELL_X
    # The settings: x leaves the default platforms; the account stays, marked;
    # every comment and the layout kept.
    assert (org / "pyproject.toml").read_text(encoding="utf-8") == SETTINGS.replace(
        'platforms = ["bluesky", "mastodon", "x"]', 'platforms = ["bluesky", "mastodon"]'
    ).replace(
        "[tool.clarion.accounts.x]\n",
        f"[tool.clarion.accounts.x] # left: remove this table once posts/{YEAR}/leaving-x.md "
        "is published\n",
    )
    said, _, checklist = proc.stdout.partition("\n\n")
    assert said.splitlines() == [
        "Leaving X.",
        f"  wrote posts/{YEAR}/leaving-x.md: the farewell, for X only, to pin by hand once "
        "published; edit it as you like, then merge it",
        "  pyproject.toml: x removed from [tool.clarion] platforms: new posts stop going there",
        "  pyproject.toml: [tool.clarion.accounts.x] kept and marked: the farewell goes out "
        "from it",
        f"  clarion validate: posts/{YEAR}/leaving-x.md is valid",
    ]
    assert checklist == CHECKLIST_X

    # The farewell is valid, due on X only, and will be pinned by hand there.
    proc = clarion("validate", cwd=org)
    assert proc.returncode == 0, proc.stdout
    proc = clarion("publish", "--dry-run", cwd=org)
    assert [line for line in proc.stdout.splitlines() if "→" in line] == [
        f"posts/{YEAR}/leaving-x.md → X"
    ]

    # Again: nothing changes, the checklist is printed again.
    before = {p: p.read_bytes() for p in (farewell_path, org / "pyproject.toml")}
    proc = clarion("sunset", "x", cwd=org)
    assert proc.returncode == 0, proc.stderr
    assert {p: p.read_bytes() for p in before} == before
    assert f"  kept posts/{YEAR}/leaving-x.md: the farewell is already there" in proc.stdout
    assert "x was already not in [tool.clarion] platforms" in proc.stdout
    assert proc.stdout.endswith(CHECKLIST_X)


def test_after_the_farewell_the_account_goes_and_its_history_stays(org: Path, clarion: Run) -> None:
    clarion("sunset", "x", cwd=org)
    farewell_path = org / "posts" / str(YEAR) / "leaving-x.md"
    record_receipt(
        farewell_path,
        "x",
        0,
        Receipt(at=dt.datetime.now(dt.UTC), id="19", url="https://x.com/example/status/19"),
    )
    pyproject = org / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    start = text.index("[tool.clarion.accounts.x]")
    pyproject.write_text(text[:start].rstrip("\n") + "\n", encoding="utf-8")

    proc = clarion("validate", "--format", "json", cwd=org)

    assert proc.returncode == 0, proc.stdout
    assert errors(proc.stdout) == []
    proc = clarion("site", str(org / "_site"), cwd=org)
    assert proc.returncode == 0, proc.stderr
    page = (org / "_site" / "posts" / str(YEAR) / "leaving-x.html").read_text(encoding="utf-8")
    assert "https://x.com/example/status/19" in page


MASTODON_POST = """\
---
platforms: [mastodon]
lang: en
---
Our news, on Mastodon.
"""


def test_sunset_mastodon_keeps_its_instance_for_the_site(org: Path, clarion: Run) -> None:
    news = org / "posts" / "2025" / "news.md"
    news.parent.mkdir(parents=True)
    news.write_text(MASTODON_POST, encoding="utf-8")
    url = "https://mastodon.example/@news/113000000000000001"
    when = dt.datetime(2025, 6, 1, 12, tzinfo=dt.UTC)
    record_receipt(news, "mastodon", 0, Receipt(at=when, id="113000000000000001", url=url))

    proc = clarion("sunset", "mastodon", cwd=org)

    assert proc.returncode == 0, proc.stderr
    assert (
        "  pyproject.toml: https://mastodon.example added to [tool.clarion.site] "
        "former_instances: the archive site keeps linking the Mastodon posts once "
        "[tool.clarion.accounts.mastodon] is removed"
    ) in proc.stdout
    assert "publishing pins it (pin: true); check that it did." in proc.stdout
    assert "clarion import mastodon-outbox PATH" in proc.stdout
    text = (org / "pyproject.toml").read_text(encoding="utf-8")
    assert text.endswith('\n[tool.clarion.site]\nformer_instances = ["https://mastodon.example"]\n')
    farewell_text = (org / "posts" / str(YEAR) / "leaving-mastodon.md").read_text()
    assert farewell_text.endswith(
        "We no longer post on Mastodon. You can find us here:\n\n"
        "Bluesky: https://bsky.app/profile/example.test\n"
        "X: https://x.com/example\n\n"
        "This account stays, so that no one else can take its name.\n"
    )
    # Once the farewell is out, the account's settings go; the history stays, on the site too.
    start = text.index("[tool.clarion.accounts.mastodon]")
    end = text.index("[tool.clarion.accounts.x]")
    (org / "pyproject.toml").write_text(text[:start] + text[end:], encoding="utf-8")
    (org / "posts" / str(YEAR) / "leaving-mastodon.md").unlink()
    proc = clarion("validate", cwd=org)
    assert proc.returncode == 0, proc.stdout
    proc = clarion("site", str(org / "_site"), cwd=org)
    assert proc.returncode == 0, proc.stderr
    assert "not linked" not in proc.stderr + proc.stdout
    page = (org / "_site" / "posts" / "2025" / "news.html").read_text(encoding="utf-8")
    assert url in page


def test_a_network_left_earlier_is_not_named_as_a_new_home(org: Path, clarion: Run) -> None:
    clarion("sunset", "x", cwd=org)

    proc = clarion("sunset", "mastodon", cwd=org)

    assert proc.returncode == 0, proc.stderr
    farewell_text = (org / "posts" / str(YEAR) / "leaving-mastodon.md").read_text()
    assert "Bluesky: https://bsky.app/profile/example.test\n" in farewell_text
    assert "x.com" not in farewell_text
    assert '\nplatforms = ["bluesky"]' in (org / "pyproject.toml").read_text(encoding="utf-8")


def test_a_profile_the_settings_cannot_name_is_said(org: Path, clarion: Run) -> None:
    pyproject = org / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text(encoding="utf-8").replace('handle = "news"\n', ""), encoding="utf-8"
    )

    proc = clarion("sunset", "x", cwd=org)

    assert proc.returncode == 0, proc.stderr
    assert (
        "  Mastodon is not named in the farewell: its account settings do not give its "
        "profile's address ({instance}/@{handle}); add the address to the farewell yourself"
    ) in proc.stdout
    assert "mastodon.example" not in (org / "posts" / str(YEAR) / "leaving-x.md").read_text()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("twitter", "no network is called twitter: X was formerly Twitter, write x"),
        ("mastadon", "no network is called mastadon: did you mean mastodon?"),
    ],
)
def test_an_unknown_network_is_a_usage_error(
    org: Path, clarion: Run, name: str, message: str
) -> None:
    proc = clarion("sunset", name, cwd=org)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_network_without_an_account_has_nothing_to_leave(repo: Path, clarion: Run) -> None:
    without_x_account(repo)
    proc = clarion("sunset", "x", cwd=repo)
    assert proc.returncode == 2
    assert "this repository has no X account ([tool.clarion.accounts.x] in pyproject.toml)" in (
        proc.stderr
    )
    assert not list((repo / "posts").rglob("*.md"))


def test_settings_without_platforms_get_every_network_but_the_one_left(
    org: Path, clarion: Run
) -> None:
    pyproject = org / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    pyproject.write_text(re.sub(r"platforms = .*\n", "", text), encoding="utf-8")

    proc = clarion("sunset", "x", cwd=org)

    assert proc.returncode == 0, proc.stderr
    assert "[tool.clarion]\nplatforms = [" in pyproject.read_text(encoding="utf-8")
    # Every registered network but the one left: what the default was, less X.
    staying = ", ".join(f'"{name}"' for name in networks.names() if name != "x")
    assert f'platforms = [{staying}] # x left: clarion sunset\nposts = "posts"' in (
        pyproject.read_text(encoding="utf-8")
    )


def test_clarion_toml_keeps_its_tables_at_the_top(tmp_path: Path) -> None:
    settings = tmp_path / "clarion.toml"
    settings.write_text(
        '# Our settings\nplatforms = ["bluesky", "mastodon"]\n\n'
        '[accounts.mastodon]\ninstance = "https://mastodon.example"   # ours\n',
        encoding="utf-8",
    )

    said = _leave_settings(settings, networks.get("mastodon"), "posts/2026/leaving-mastodon.md")

    assert settings.read_text(encoding="utf-8") == (
        '# Our settings\nplatforms = ["bluesky"]\n\n'
        "[accounts.mastodon] # left: remove this table once posts/2026/leaving-mastodon.md "
        "is published\n"
        'instance = "https://mastodon.example"   # ours\n\n'
        '[site]\nformer_instances = ["https://mastodon.example"]\n'
    )
    assert said[0] == "mastodon removed from platforms: new posts stop going there"


def test_a_farewell_too_long_for_one_post_becomes_a_thread() -> None:
    x = networks.get("x")
    homes = [
        Staying(networks.get("bluesky"), f"https://bsky.app/profile/team-{n}.example.org")
        for n in range(12)
    ]

    parts = farewell(x, homes, XAccount(handle="example"), "https://example.org/news/")

    assert len(parts) > 1
    for part in parts:
        measured = x.measure(part, None, XAccount(handle="example"))
        assert measured.length <= measured.limit, part
    joined = "\n".join(parts)
    assert all(home.profile in joined for home in homes)
    assert parts[0].startswith("We no longer post on X. You can find us here:\n\n")
    assert parts[-1].endswith(
        "This account stays, so that no one else can take its name; everything we posted "
        "is kept at https://example.org/news/."
    )
    # Bluesky counts its own way (graphemes and bytes): each part fits there too.
    bluesky = networks.get("bluesky")
    for part in farewell(bluesky, homes, BlueskyAccount(handle="example.org"), None):
        measured = bluesky.measure(part, None, None)
        assert measured.length <= measured.limit


FORUM_POST = """\
---
platforms: [discourse]
title: Our news, on the forum
lang: en
---
Our news, on the forum, where the community talks it over.
"""


def test_sunset_discourse_keeps_its_forum_for_the_site(org: Path, clarion: Run) -> None:
    settings = org / "pyproject.toml"
    settings.write_text(
        settings.read_text(encoding="utf-8")
        + '\n[tool.clarion.accounts.discourse]\nurl = "https://forum.example"\n'
        'username = "news"\ncategory = 7\n',
        encoding="utf-8",
    )
    news = org / "posts" / "2025" / "forum.md"
    news.parent.mkdir(parents=True)
    news.write_text(FORUM_POST, encoding="utf-8")
    url = "https://forum.example/t/our-news-on-the-forum/42"
    when = dt.datetime(2025, 6, 1, 12, tzinfo=dt.UTC)
    record_receipt(news, "discourse", 0, Receipt(at=when, id="42", url=url))

    proc = clarion("sunset", "discourse", cwd=org)

    assert proc.returncode == 0, proc.stderr
    assert (
        "  pyproject.toml: https://forum.example added to [tool.clarion.site] "
        "former_forums: the archive site keeps linking the Discourse posts once "
        "[tool.clarion.accounts.discourse] is removed"
    ) in proc.stdout
    text = settings.read_text(encoding="utf-8")
    assert text.endswith('\n[tool.clarion.site]\nformer_forums = ["https://forum.example"]\n')
    # Once the farewell is out, the account's settings go; the topics stay on the site.
    settings.write_text(
        text[: text.index("[tool.clarion.accounts.discourse]")]
        + text[text.index("[tool.clarion.site]") :],
        encoding="utf-8",
    )
    (org / "posts" / str(YEAR) / "leaving-discourse.md").unlink()
    proc = clarion("validate", cwd=org)
    assert proc.returncode == 0, proc.stdout
    proc = clarion("site", str(org / "_site"), cwd=org)
    assert proc.returncode == 0, proc.stderr
    assert "not linked" not in proc.stderr + proc.stdout
    page = (org / "_site" / "posts" / "2025" / "forum.html").read_text(encoding="utf-8")
    assert url in page
