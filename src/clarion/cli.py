"""The `clarion` command. Heavy modules are imported inside each command so that
`clarion --version` and `clarion validate` start fast."""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from clarion import __version__
from clarion.errors import ClarionError, UsageError


@functools.cache  # built once a process: parsing leaves it as it was
def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="clarion",
        description="Announcements as code: check, preview and publish posts kept in Git.",
        epilog="example: clarion -C ~/announcements validate",
    )
    parser.add_argument("--version", action="version", version=f"clarion {__version__}")
    parser.add_argument(
        "-C",
        dest="directory",
        type=Path,
        default=None,
        metavar="DIR",
        help="run as if clarion was started in DIR, the repository or a folder inside it "
        "(default: the current folder); it goes before the command",
    )
    sub = parser.add_subparsers(
        dest="command", metavar="COMMAND", help="`clarion COMMAND --help` says more"
    )

    validate = sub.add_parser(
        "validate",
        help="check posts against the schema and each network",
        description="Check posts against the schema, then against each target network's "
        "rules, counted as that network counts. Each problem names the file, the line and how "
        "to fix it; warnings do not fail. Exit status 1 when a post is invalid.",
        epilog="example: clarion validate posts/2026/ --format github --base origin/main",
    )
    validate.add_argument(
        "paths", nargs="*", type=Path, metavar="PATH", help="posts or folders (default: every post)"
    )
    validate.add_argument("--format", choices=("text", "json", "github"), default="text")
    validate.add_argument(
        "--base", metavar="REF", help="the pull request's base, to flag hand-edited receipts"
    )

    preview = sub.add_parser(
        "preview",
        help="show what each network will receive",
        description="Show, per network, what a merge will send: each part's text exactly as "
        "sent with its count, images with their alt text, the link card, the schedule, and "
        "what else happens (deletions, edits, pins).",
        epilog="example: clarion preview posts/2026/launch.md --format markdown",
    )
    preview.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    preview.add_argument("--format", choices=("markdown", "text", "json"), default="text")

    comment = sub.add_parser(
        "preview-comment",
        help="(preview-comment.yml) show a check run's preview as the pull request's comment",
        description=(
            "Create or update the pull request's sticky preview comment from the artifact "
            "check.yml uploaded, naming the commit it describes, or mark it out of date. "
            "It reads the workflow_run event (GITHUB_EVENT_PATH), GITHUB_REPOSITORY, "
            "GITHUB_API_URL and GITHUB_TOKEN."
        ),
        epilog='example: clarion preview-comment --artifact "$RUNNER_TEMP/clarion-preview"   '
        "(in preview-comment.yml)",
    )
    comment.add_argument(
        "--artifact",
        type=Path,
        metavar="DIR",
        help="the check run's artifact, downloaded (untrusted data); omit when there is none",
    )

    new = sub.add_parser(
        "new",
        help="scaffold a post",
        description="Create posts/YEAR/SLUG.md from a template with the repository's "
        "networks: replace its placeholder text (left unchanged, it is an error), then run "
        "clarion validate.",
        epilog="example: clarion new pycon-cfp",
    )
    new.add_argument(
        "slug", metavar="SLUG", help="the file's name: lowercase letters, digits and dashes"
    )

    publish = sub.add_parser(
        "publish",
        help="publish what is due",
        description="Publish every due post (no receipt yet, its publish_at reached, approved "
        "when require_approval is set) to its networks, write each receipt into its file, "
        "commit and push them. --dry-run shows what would be sent; --sandbox rehearses the "
        "whole run against local stand-ins, with no credentials and no file changed.",
        epilog="example: clarion publish --sandbox   (the first thing to try)",
    )
    mode = publish.add_mutually_exclusive_group()
    mode.add_argument(
        "--dry-run", action="store_true", help="print what would be sent; send nothing"
    )
    mode.add_argument(
        "--sandbox", action="store_true", help="publish to local stand-ins of the networks"
    )
    publish.add_argument(
        "--format",
        choices=("text", "json", "github"),
        default="text",
        help="github: log lines, the action's outputs (posted, held) and a step summary",
    )
    publish.add_argument(
        "paths", nargs="*", type=Path, metavar="PATH", help="posts or folders (default: every post)"
    )

    status = sub.add_parser(
        "status",
        help="per post and network: its state",
        description="Where each post stands on each network, from the files alone: due, "
        "scheduled, invalid, needs-person (an outcome: unknown to settle), published, "
        "retracted. Lists only what is not settled unless --all.",
        epilog="example: clarion status --all posts/2026/",
    )
    status.add_argument("--all", action="store_true", help="list settled posts too")
    status.add_argument("--format", choices=("text", "json"), default="text")
    status.add_argument(
        "paths", nargs="*", type=Path, metavar="PATH", help="posts or folders (default: every post)"
    )

    importer = sub.add_parser(
        "import",
        help="bring a network's history into posts/archive/",
        description="Turn a network's export into posts under posts/archive/YEAR/, each with "
        "its text, date, images and a receipt for that network, so it is never posted there "
        "again. Importing the same export again changes nothing.",
        epilog="example: clarion import x-archive ~/Downloads/twitter-2026-11-01.zip",
    )
    importer.add_argument("kind", choices=("x-archive", "mastodon-outbox", "bluesky-car"))
    importer.add_argument("path", type=Path, metavar="PATH")
    importer.add_argument(
        "--include-retweets", action="store_true", help="x-archive: import retweets as well"
    )
    importer.add_argument(
        "--include-replies", action="store_true", help="import replies to other accounts as well"
    )
    importer.add_argument(
        "--handle", metavar="HANDLE", help="bluesky-car: the handle in post URLs (default: the DID)"
    )

    sunset = sub.add_parser(
        "sunset",
        help="leave a network cleanly, keeping its history",
        description="Leave NETWORK: write a farewell post for it only (pinned, naming the "
        "profiles on the networks that stay), remove it from the default platforms (the "
        "settings keep their comments; the account's table stays until the farewell is "
        "published), and print what its API cannot do: keep the account, pin the farewell, "
        "point the bio to the new home, and the rest. Posts already out there stay valid and "
        "on the archive site once the account's settings are removed.",
        epilog="example: clarion sunset x",
    )
    sunset.add_argument("network", metavar="NETWORK", help="the network to leave, e.g. x")

    site = sub.add_parser(
        "site",
        help="build the static archive site with Atom and JSON feeds",
        description="Build a static, JavaScript-free site of every published post into "
        "OUTDIR, with an Atom feed and a JSON Feed; [tool.clarion.site] sets its title "
        "and address. When metrics/ holds counts (clarion metrics), the site also has an "
        "engagement page (the networks compared, as charts and tables) and each post's "
        "counts beside it.",
        epilog="example: clarion site _site",
    )
    site.add_argument("outdir", type=Path, metavar="OUTDIR")

    init = sub.add_parser(
        "init",
        help="adopt Clarion in a repository: settings, workflows, code owners",
        description="Write into DIR, a Git repository (made when missing), what an "
        "announcements repository needs: clarion.toml (the settings), posts/README.md and an "
        "example post, CODEOWNERS, the workflows check, preview-comment, publish and pages "
        "calling Clarion's action pinned to a commit, and .github/dependabot.yml to keep that "
        "pin current. A file that exists is never overwritten (it is listed as skipped), so "
        "running it again changes nothing. It ends with the next steps: the secrets, the "
        "publish environment, the rulesets and the App that pushes the receipts.",
        epilog="example: clarion init announcements --networks bluesky,mastodon "
        "--owners @example-org/communications --action-ref <commit of Clarion's release>",
    )
    init.add_argument(
        "dir",
        nargs="?",
        type=Path,
        default=Path(),
        metavar="DIR",
        help="the repository's root (default: the current folder)",
    )
    init.add_argument(
        "--networks",
        metavar="NAMES",
        help="the networks you post to, comma-separated, e.g. bluesky,mastodon,x "
        "(default: every network Clarion knows)",
    )
    init.add_argument(
        "--owners",
        action="append",
        default=[],
        metavar="OWNERS",
        help="who approves posts (CODEOWNERS of /posts/ and /media/): @org/team, @user or "
        "an email, comma-separated (default: a placeholder to replace)",
    )
    init.add_argument(
        "--action-ref",
        metavar="SHA",
        help="the full commit SHA of Clarion's repository the workflows call "
        f"(default: the tag of this version, v{__version__}, which init says how to pin)",
    )

    watch = sub.add_parser(
        "watch",
        help="find published posts removed, hidden, labelled or altered by the networks",
        description="Look at every published part on its network and report what changed "
        "there since the last run: deleted or not found; hidden by the Bluesky AppView while "
        "still on the PDS; labelled by Bluesky's moderation or the labelers configured; edited, "
        "marked sensitive or removed by moderators on Mastodon; withheld or gone on X (only with "
        "metrics = true, within max_reads). Each finding is new only on the first run that sees "
        "it (metrics/watch.json keeps what was found). Exit status 1 when something new is "
        "found or a network could not be watched, 2 when settings or credentials are wrong. "
        "--sandbox rehearses it on local stand-ins, with no credentials and no file changed.",
        epilog="example: clarion watch --sandbox   (publishes the example posts to local "
        "stand-ins, hides, labels, marks and deletes some there, and reports what it finds; "
        "the watch workflow runs clarion watch --format github --issue)",
    )
    watch.add_argument(
        "--format",
        choices=("text", "json", "github"),
        default="text",
        help="github: annotations for what is new, the outputs (findings, new, report) and a "
        "step summary",
    )
    watch_mode = watch.add_mutually_exclusive_group()
    watch_mode.add_argument(
        "--sandbox",
        action="store_true",
        help="publish the example posts to local stand-ins of the networks as publish "
        "--sandbox does, have the platforms hide, label, mark sensitive and delete some, "
        "and watch them: the findings printed, no state or file written",
    )
    watch_mode.add_argument(
        "--issue",
        action="store_true",
        help="keep one GitHub issue (label clarion-watch) current with the findings: opened or "
        "updated when they change, closed when all is clear; needs GITHUB_REPOSITORY and a "
        "GITHUB_TOKEN with issues: write (GITHUB_API_URL when not github.com)",
    )

    engagement = sub.add_parser(
        "engagement",
        help="compare the networks by engagement: where to keep posting",
        description="Compare the networks from the metrics lines (metrics/*.jsonl, written by "
        "clarion metrics): per network the posts, the median likes, reposts and replies per "
        "post and per 1,000 followers, posts with a link against posts without, the trend by "
        "the month a post went out (UTC), and the same post sent to several networks side by "
        "side. A post's figures are its first part's latest counts. A line that is not a "
        "metrics line is named (file:line) and skipped.",
        epilog="example: clarion engagement --since 2026-01-01 --format csv > engagement.csv",
    )
    engagement.add_argument(
        "--since",
        metavar="DATE",
        help="only posts whose first part went out on or after DATE (YYYY-MM-DD, or YYYY-MM)",
    )
    engagement.add_argument(
        "--format",
        choices=("text", "json", "csv"),
        default="text",
        help='text: one screen; json: {"networks": {NET: {...figures, "by_month": {...}}}}; '
        'csv: one row per network (month "all"), then one per network and month',
    )

    metrics = sub.add_parser(
        "metrics",
        help="read the engagement counts of published posts into metrics/",
        description="Read the likes, reposts, replies, quotes (and views where the network "
        "gives them) of the published parts, and the accounts' followers, and append a JSON "
        "line for each part whose counts changed to metrics/YYYY-MM.jsonl. A part is read on "
        "every run in its first 30 days, then once every 30 days. Bluesky is read from its "
        "public AppView without logging in, Mastodon from the instance (the access token is "
        "used when set), X only with metrics = true in [tool.clarion.accounts.x] and at most "
        "max_reads posts a run. A network that fails leaves the others' lines written. Exit "
        "status 1 when a network could not be read, 2 when credentials are missing or refused. "
        "--sandbox rehearses it on local stand-ins, with no credentials and no file changed.",
        epilog="example: clarion metrics --sandbox   (publishes the example posts to local "
        "stand-ins, moves their counts there and prints the lines it would write; the metrics "
        "workflow runs clarion metrics --commit)",
    )
    metrics.add_argument("--format", choices=("text", "json"), default="text")
    metrics_mode = metrics.add_mutually_exclusive_group()
    metrics_mode.add_argument(
        "--sandbox",
        action="store_true",
        help="publish the example posts to local stand-ins of the networks as publish "
        "--sandbox does, move their counts and followers there, and read them: the lines "
        "printed, none written",
    )
    metrics_mode.add_argument(
        "--commit",
        action="store_true",
        help="commit the lines written and push them, as publish pushes receipts (the "
        "workflow's way; GITHUB_TOKEN pushes)",
    )
    return parser


# Commands whose process ends at once when they are done, when run as the program:
# tearing the interpreter down (every module and object freed, idle threads
# joined) added a fifth of a second to `clarion publish` after its work was done,
# and a tenth to `clarion validate` of 10,000 posts (their results freed one by one).
EXIT_AT_ONCE = frozenset({"publish", "validate"})


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    code = _main(args)
    # argv is None only for the program itself (`clarion`, `python -m clarion`),
    # never when a test calls main() in its own process. A tracer or profiler
    # (coverage, cProfile) writes what it gathered as the interpreter ends.
    traced = sys.gettrace() is not None or sys.getprofile() is not None
    if argv is None and args.command in EXIT_AT_ONCE and not traced:
        _exit_at_once(code)
    return code


def _exit_at_once(code: int) -> NoReturn:
    """Flush what was written, then end the process without tearing the interpreter down.

    Only once the command has returned: its receipts written and committed, the
    push done, every network's thread finished.
    """
    if "logging" in sys.modules:
        sys.modules["logging"].shutdown()  # flush any handler a library configured
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a reader gone, a stream closed
            stream.flush()
    os._exit(code)


def _main(args: argparse.Namespace) -> int:
    if args.command is None:
        _parser().print_help()
        return 2
    try:
        return _run(args)
    except ClarionError as exc:
        from clarion.logsafe import untrusted

        print(untrusted(f"clarion: {exc.message}"), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (clarion ... | head): nothing left to say.
        sys.stderr.close()
        return 1


def _run(args: argparse.Namespace) -> int:
    from clarion.settings import find_root, load_settings

    if args.command == "init":
        from clarion.commands.init import run as init

        where = (args.directory or Path.cwd()) / args.dir
        return init(where, args.networks, args.owners, args.action_ref)
    if args.command == "preview-comment":
        from clarion.commands.preview import run_comment

        # No settings: it runs from the default branch's checkout, on the event's facts.
        return run_comment(args.artifact, os.environ)
    start = args.directory or Path.cwd()
    if not start.is_dir():
        raise UsageError(f"{start} is not a folder")
    settings = load_settings(find_root(start))
    if args.command == "validate":
        from clarion.commands.validate import run

        return run(settings, args.paths, args.format, args.base)
    if args.command == "preview":
        from clarion.commands.preview import run as preview

        return preview(settings, args.paths, args.format)
    if args.command == "new":
        from clarion.commands.new import run as new

        return new(settings, args.slug)
    if args.command == "publish":
        from clarion.commands.publish import run as publish

        return publish(
            settings, args.paths, args.format, dry_run=args.dry_run, sandbox=args.sandbox
        )
    if args.command == "status":
        from clarion.commands.status import run as status

        return status(settings, args.paths, args.format, everything=args.all)
    if args.command == "import":
        from clarion.commands.importing import run as run_import

        return run_import(
            settings,
            args.kind,
            args.path,
            include_retweets=args.include_retweets,
            include_replies=args.include_replies,
            handle=args.handle,
        )
    if args.command == "sunset":
        from clarion.commands.sunset import run as sunset

        return sunset(settings, args.network)
    if args.command == "site":
        from clarion.commands.site import run as site

        return site(settings, args.outdir)
    if args.command == "watch":
        from clarion.commands.watch import run as watch

        return watch(settings, args.format, issue=args.issue, sandbox=args.sandbox)
    if args.command == "engagement":
        from clarion.commands.engagement import run as engagement

        return engagement(settings, args.since, args.format)
    if args.command == "metrics":
        from clarion.commands.metrics import run as metrics

        return metrics(settings, args.format, commit=args.commit, sandbox=args.sandbox)
    raise UsageError(f"unknown command {args.command}")  # pragma: no cover


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
