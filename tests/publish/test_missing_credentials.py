"""Missing credentials: every missing variable of every network with something due,
reported before connecting, once per network, in one wording; that network is not
attempted (exit 2) and the others still publish. No value is ever printed."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from clarion import networks
from clarion.commands import publish
from clarion.post import read_post
from clarion.sandbox.networks import Sandbox
from tests.publish.world import THREAD, World

X_VARS = (
    "CLARION_X_API_KEY",
    "CLARION_X_API_SECRET",
    "CLARION_X_ACCESS_TOKEN",
    "CLARION_X_ACCESS_TOKEN_SECRET",
)


def test_each_entry_names_the_variables_its_adapter_reads() -> None:
    from clarion.adapters import bluesky, mastodon, x

    assert networks.get("bluesky").secrets == (bluesky.PASSWORD_ENV,)
    assert networks.get("mastodon").secrets == (mastodon.TOKEN_ENV,)
    assert networks.get("x").secrets == x.ENV_VARS == X_VARS


def _full() -> dict[str, str]:
    return {name: "set" for entry in networks.all_networks() for name in entry.secrets}


@pytest.mark.parametrize(
    ("due", "unset", "expected"),
    [
        (("bluesky", "mastodon", "x"), (), {}),
        (
            ("x",),
            ("CLARION_X_API_SECRET",),
            {"x": "X: CLARION_X_API_SECRET is not set: "},
        ),
        (
            ("x", "bluesky"),
            (*X_VARS, "CLARION_BLUESKY_APP_PASSWORD"),
            {
                "bluesky": "Bluesky: CLARION_BLUESKY_APP_PASSWORD is not set: ",
                "x": "X: CLARION_X_API_KEY, CLARION_X_API_SECRET, CLARION_X_ACCESS_TOKEN "
                "and CLARION_X_ACCESS_TOKEN_SECRET are not set: ",
            },
        ),
        # Only the networks with something due are asked about.
        (("mastodon",), X_VARS, {}),
    ],
)
def test_missing_credentials(
    due: tuple[str, ...], unset: tuple[str, ...], expected: dict[str, str]
) -> None:
    env = {k: v for k, v in _full().items() if k not in unset}
    env.update({"CLARION_X_API_SECRET": "  "} if "CLARION_X_API_SECRET" in unset else {})
    found = publish.missing_credentials(due, env)
    assert list(found) == list(expected)  # in the registry's order
    for network, start in expected.items():
        assert found[network].startswith(start), found[network]


def test_one_wording_for_every_network() -> None:
    env: dict[str, str] = {}
    found = publish.missing_credentials(networks.names(), env)
    assert set(found) == {n.name for n in networks.all_networks() if n.secrets}
    advice = set()
    for network, message in found.items():
        entry = networks.get(network)
        names = entry.secrets
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        verb = "is" if len(names) == 1 else "are"
        head = f"{entry.display}: {listed} {verb} not set: "
        assert message.startswith(head)
        rest = message[len(head) :]
        # The rest differs only in the network's name and "it"/"them".
        rest = rest.replace(entry.display, "NETWORK")
        rest = re.sub(r"\b(it|them|an environment secret|environment secrets)\b", "~", rest)
        advice.add(rest)
    assert len(advice) == 1, advice


@pytest.fixture
def box() -> Iterator[Sandbox]:
    with Sandbox() as box:
        yield box


def _without(world: World, prefixes: tuple[str, ...]) -> None:
    world.env = {k: v for k, v in world.env.items() if not k.startswith(prefixes)}


def test_missing_everywhere_at_once_once_per_network(tmp_path: Path, box: Sandbox) -> None:
    world = World(tmp_path, box)
    world.setup({"2026/launch.md": THREAD, "2026/second.md": THREAD.replace("Part", "Bit")})
    secret_values = [v for k, v in world.env.items() if k.startswith("CLARION_")]
    _without(world, ("CLARION_X_", "CLARION_BLUESKY_"))
    proc = world.publish()
    out = proc.stdout + proc.stderr
    assert proc.returncode == 2, out
    assert "Traceback" not in out
    # The other network still published both posts.
    assert world.created("mastodon") == 6
    assert world.created("x") == 0
    assert world.created("bluesky") == 0
    # Each network's message once, every variable named, in one message.
    for name in (*X_VARS, "CLARION_BLUESKY_APP_PASSWORD"):
        assert len(re.findall(rf"\b{name}\b", out)) == 1, out
    assert out.count("X: CLARION_X_API_KEY, CLARION_X_API_SECRET,") == 1
    assert out.count("Bluesky: CLARION_BLUESKY_APP_PASSWORD is not set: ") == 1
    assert "X: X:" not in out
    assert "Bluesky: Bluesky:" not in out
    for value in secret_values:
        assert value not in out
    # Nothing was written for the networks not attempted.
    post = read_post(world.work / "posts" / "2026" / "launch.md", world.work)
    assert set(post.receipts) == {"mastodon"}
    # Set them again: the next run sends what was left.
    world.env.update(box.bluesky.sandbox_settings()[1])
    world.env.update(box.x.sandbox_settings()[1])
    again = world.publish()
    assert again.returncode == 0, again.stdout + again.stderr
    assert world.created("x") == 6
    assert world.created("bluesky") == 6


def test_missing_credentials_in_json_and_github(tmp_path: Path, box: Sandbox) -> None:
    world = World(tmp_path, box)
    world.setup({"2026/launch.md": THREAD})
    _without(world, ("CLARION_X_",))
    proc = world.publish("--format", "json")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    report = json.loads(proc.stdout)
    assert list(report["credentials"]) == ["x"]
    assert report["credentials"]["x"].startswith("X: CLARION_X_API_KEY, ")
    x = report["posts"][0]["networks"]["x"]
    assert x["state"] == "failed"
    assert "CLARION_X_API_KEY" not in x["message"]
    assert (proc.stdout + proc.stderr).count("CLARION_X_API_KEY") == 1

    summary = tmp_path / "summary.md"
    github = world.publish("--format", "github", env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert github.returncode == 2
    assert (github.stdout + github.stderr).count("CLARION_X_API_KEY") == 1
    assert summary.read_text().count("CLARION_X_API_KEY") == 1


@pytest.mark.parametrize("network", ["bluesky", "mastodon", "x"])
def test_refused_credentials_are_said_once(tmp_path: Path, box: Sandbox, network: str) -> None:
    world = World(tmp_path, box)
    world.setup({"2026/launch.md": THREAD, "2026/second.md": THREAD.replace("Part", "Bit")})
    wrong = dict.fromkeys(networks.get(network).secrets, "wrong")
    proc = world.publish(env=wrong)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 2, out
    (line,) = [line for line in proc.stdout.splitlines() if not line.startswith(" ")][2:]
    assert line.startswith(networks.get(network).display), out
    assert out.count(line) == 1, out
    assert f"{networks.get(network).display}: {networks.get(network).display}" not in out
    assert "wrong" not in out
