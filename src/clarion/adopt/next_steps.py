"""What only a person can do after `clarion init`, in the order it must be done,
with the exact names (secrets, the environment, the status check) the
workflows expect."""

from __future__ import annotations

import re
from pathlib import Path

from clarion import networks
from clarion.adopt.files import CODEOWNERS_PLACES, WORKFLOWS, Written
from clarion.adopt.options import PLACEHOLDER_OWNER, SHA, Adoption
from clarion.adopt.repository import Repository
from clarion.adopt.settings_file import PLACEHOLDER
from clarion.settings import SETTINGS_FILE

# Where each secret comes from, by its variable's name (a network whose
# secrets are not here is pointed at the README).
SECRET_HELP = {
    "CLARION_BLUESKY_APP_PASSWORD": (
        "Bluesky: Settings → Privacy and security → App passwords → Add "
        "(an app password, never the account's own)"
    ),
    "CLARION_MASTODON_ACCESS_TOKEN": (
        "your instance: Preferences → Development → New application, scopes "
        f"{' '.join(networks.get('mastodon').token_scopes)}; its access token"
    ),
    "CLARION_X_API_KEY": "X developer portal: your app's API key (consumer key)",
    "CLARION_X_API_SECRET": "X developer portal: your app's API key secret",
    "CLARION_X_ACCESS_TOKEN": (
        "X developer portal: an access token generated after setting the app to Read and write"
    ),
    "CLARION_X_ACCESS_TOKEN_SECRET": "X developer portal: that access token's secret",
    "CLARION_LINKEDIN_ACCESS_TOKEN": (
        "LinkedIn developer portal: an app with the Community Management API; Auth → "
        "OAuth 2.0 tools, as an administrator of the page, scopes "
        f"{' '.join(networks.get('linkedin').token_scopes)} (it expires after 60 days)"
    ),
    "CLARION_THREADS_ACCESS_TOKEN": (
        "a Meta app with the Access the Threads API use case, the account a Threads tester: "
        "its long-lived token, permissions "
        f"{' '.join(networks.get('threads').token_scopes)} (it expires after 60 days unless "
        "refreshed)"
    ),
    "CLARION_DISCOURSE_API_KEY": (
        "your forum: Admin → Advanced → API keys → New API key, User Level Single User (the "
        "account Clarion posts as, best a moderator), Scope Global"
    ),
}

CHECK_NAME = "validate and preview"  # check.yml's job: the status check to require


def _settings_url(repo: Repository, page: str) -> str:
    where = {
        "environments": "Settings → Environments",
        "rules": "Settings → Rules → Rulesets",
        "pages": "Settings → Pages",
        "variables": "Settings → Secrets and variables → Actions",
    }[page]
    if repo.github:
        suffix = "secrets/actions" if page == "variables" else page
        return f"{where} (https://github.com/{repo.github}/settings/{suffix})"
    return where


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _unpinned(root: Path, action: str) -> list[str]:
    """The refs other than a full commit SHA that the workflows call `action` by."""
    uses = re.compile(rf"^\s*(?:-\s+)?uses:\s*{re.escape(action)}@(\S+)\s*$", re.MULTILINE)
    refs: list[str] = []
    for name in WORKFLOWS:
        for ref in uses.findall(_read(root / ".github" / "workflows" / name)):
            if not SHA.fullmatch(ref) and ref not in refs:
                refs.append(ref)
    return refs


def _gh(repo: Repository) -> str:
    return f" --repo {repo.github}" if repo.github else ""


def next_steps(repo: Repository, adoption: Adoption, written: Written) -> list[str]:
    """The steps, in order. Each is lines: a line starting with `$ ` is a command
    to copy as it is, one starting with `- ` an item of a list, any other prose."""
    steps: list[str] = []
    branch = repo.default_branch
    action = adoption.action

    if PLACEHOLDER in _read(repo.root / SETTINGS_FILE):
        steps.append(
            f"Accounts: in {SETTINGS_FILE}, replace every CHANGE-ME with your accounts' "
            "details, and remove the networks you do not post to (from `platforms` and "
            "their [accounts.…] table). Then check everything with `clarion validate`, "
            "and rehearse a publish with `clarion publish --sandbox`."
        )
    codeowners = next((p for p in CODEOWNERS_PLACES if (repo.root / p).is_file()), None)
    owned = _read(repo.root / codeowners) if codeowners else ""
    if PLACEHOLDER_OWNER in owned:
        steps.append(
            f"Code owners: in {codeowners}, replace {PLACEHOLDER_OWNER} with the team "
            "(or people) who approve posts: only their approval lets a post publish."
        )
    elif codeowners is None or f"/{adoption.posts}/" not in owned:
        lines = (f"/{adoption.posts}/  {adoption.owners_text}", f"/media/  {adoption.owners_text}")
        steps.append(
            f"Code owners: give the posts and images to the people who approve posts, in "
            f"{codeowners or 'CODEOWNERS'}; only their approval lets a post publish:\n"
            + "\n".join(f"$ {line}" for line in lines)
        )
    elif written.was_created("CODEOWNERS"):
        steps.append(
            f"Code owners: {adoption.owners_text} approve every post (CODEOWNERS); only "
            "their approval of a pull request lets its post publish."
        )
    for ref in _unpinned(repo.root, action.action):
        pattern = f"{action.action}@{ref}"
        steps.append(
            f"Pin Clarion: the workflows call {pattern}, a tag, which can be moved. "
            "Pin it to its commit:\n"
            f"$ git ls-remote https://github.com/{action.repository} refs/tags/{ref}\n"
            f"$ sed -i.orig 's|{pattern}$|{action.action}@<that commit> # {ref}|' "
            ".github/workflows/*.yml && rm .github/workflows/*.yml.orig\n"
            "Dependabot then proposes each new version, pinned the same way."
        )
    dependabot = [_read(repo.root / ".github" / n) for n in ("dependabot.yml", "dependabot.yaml")]
    if not any("github-actions" in text for text in dependabot):
        steps.append(
            "Dependabot: add the "
            "`github-actions` ecosystem (directory /) to your Dependabot configuration "
            "so that the pin of Clarion's action is kept current."
        )
    if written.created:
        steps.append(
            "Commit and push what init wrote:\n"
            f"$ git add {' '.join(written.created)}\n"
            '$ git commit -m "Adopt Clarion: announcements as code"\n'
            "$ git push"
        )
    secrets = [s for name in adoption.networks for s in networks.get(name).secrets]
    secret_lines = "\n".join(
        f"- {s}: {SECRET_HELP.get(s, 'see Clarion README, Accounts and secrets')}" for s in secrets
    )
    steps.append(
        f"The publish environment: {_settings_url(repo, 'environments')} → New "
        f"environment, named publish. Deployment branches and tags: Selected branches → "
        f"{branch} only, so no other branch runs a job with its secrets. Add these "
        "environment secrets (never repository secrets), for example with "
        f"`gh secret set NAME --env publish{_gh(repo)}`:\n{secret_lines}"
    )
    steps.append(
        "A GitHub App to push the receipts (the ids and URLs of what was posted): in the "
        "organisation's Settings → Developer settings → GitHub Apps → New GitHub App; no "
        "webhook; repository permissions Contents: Read and write, Pull requests: Read-only; "
        "organisation permission Members: Read-only (the approval gate reads the teams in "
        "CODEOWNERS). Generate a private key, install the App on this repository only, then:\n"
        f"$ gh variable set CLARION_APP_ID --body <the App's client ID>{_gh(repo)}\n"
        f"$ gh secret set CLARION_APP_PRIVATE_KEY --env publish{_gh(repo)} < <the .pem file>"
    )
    steps.append(
        f"Rulesets: {_settings_url(repo, 'rules')} → New branch ruleset, twice:\n"
        f"- on the default branch ({branch}): Require a pull request before merging, with 1 "
        f"approval and Require review from Code Owners; Require status checks to pass: "
        f'"{CHECK_NAME}"; Block force pushes; bypass list: the App (it pushes the receipts);\n'
        "- on the branches clarion/*: Restrict creations, Restrict updates, Restrict "
        "deletions, Block force pushes; bypass list: the App (a refused push leaves the "
        "receipts on clarion/receipts for the next run, and no one else may write there)."
    )
    owner, _, name = (repo.github or "<owner>/<repo>").partition("/")
    steps.append(
        f"The archive site: {_settings_url(repo, 'pages')} → Source: GitHub Actions; then "
        f"set its address in {SETTINGS_FILE}, under [site]:\n"
        f'$ url = "https://{owner.lower()}.github.io/{name}/"'
    )
    steps.append(
        "Try it: open a pull request that adds a post (`clarion new my-announcement`). "
        "The check annotates it and a comment shows what each network will receive; a "
        "code owner approves, you merge, and it is published, its receipts committed."
    )
    return steps
