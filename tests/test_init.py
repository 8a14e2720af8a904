"""`clarion init`: what it writes into a repository, byte for byte; that it never
overwrites and changes nothing when run again; that what it writes validates
and meets this repository's own workflow rules; and the settings it writes,
clarion.toml, read as [tool.clarion] is.

The workflows it writes run for real under act in
tests/workflows/test_init_act.py."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from clarion import __version__, cli, networks
from clarion.adopt.files import action_input
from clarion.errors import ConfigError
from clarion.settings import find_root, load_settings
from tests import housekeeping
from tests.conftest import ROOT, Run
from tests.golden import assert_golden

GOLDEN = Path(__file__).parent / "init" / "golden"
SHA = "0123456789abcdef0123456789abcdef01234567"
WRITTEN = [
    "clarion.toml",
    "posts/README.md",
    "posts/example.md",
    "CODEOWNERS",
    ".github/workflows/check.yml",
    ".github/workflows/preview-comment.yml",
    ".github/workflows/publish.yml",
    ".github/workflows/pages.yml",
    ".github/dependabot.yml",
]
WORKFLOWS = [p for p in WRITTEN if p.startswith(".github/workflows/")]
_ENV = {
    **{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    **housekeeping.config_env({}),
}


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(cwd), *args], capture_output=True, text=True, env=_ENV, check=True
    ).stdout.strip()


def existing_repo(path: Path, origin: str = "git@github.com:octo-org/announcements.git") -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    git(path, "remote", "add", "origin", origin)
    return path


def init(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(["init", *args])
    out, err = capsys.readouterr()
    return code, out, err


def tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def golden_name(rel: str) -> str:
    return rel.replace("/", "_").lstrip(".")


# ---------------------------------------------------------------- what it writes


def test_it_writes_exactly_these_files_byte_for_byte(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = existing_repo(tmp_path / "announcements")
    code, out, _ = init(
        capsys,
        str(repo),
        "--networks",
        "x,bluesky,mastodon",
        "--owners",
        "@octo-org/communications",
        "--action-ref",
        SHA,
    )
    assert code == 0, out
    written = tree(repo)
    assert sorted(written) == sorted(WRITTEN)
    for rel, data in written.items():
        assert_golden(data.decode("utf-8"), GOLDEN / golden_name(rel))
    assert_golden(out.replace(str(repo.resolve()), "<DIR>"), GOLDEN / "output.txt")


def test_what_it_writes_validates_and_the_settings_are_read_from_clarion_toml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], clarion: Run
) -> None:
    repo = tmp_path / "new"
    code, out, _ = init(capsys, str(repo))
    assert code == 0, out
    # A new folder became a Git repository.
    assert (repo / ".git").is_dir()
    assert out.startswith(f"Made a new Git repository in {repo.resolve()}")
    settings = load_settings(find_root(repo / "posts"))
    assert settings.source == repo.resolve() / "clarion.toml"
    # Every network by default, and the example valid on each of them.
    assert settings.platforms == networks.names()
    assert settings.accounts == networks.names()
    assert settings.require_approval is True
    proc = clarion("validate", cwd=repo / "posts")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 post checked: 0 errors, 0 warnings" in proc.stdout
    # The example is never due for real.
    proc = clarion("status", cwd=repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "example.md" not in proc.stdout


def test_a_second_run_writes_nothing_and_lists_every_file_as_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = existing_repo(tmp_path / "r")
    assert init(capsys, str(repo), "--owners", "@octo-org/comms")[0] == 0
    before = tree(repo)
    code, out, _ = init(capsys, str(repo), "--owners", "@someone-else")
    assert code == 0
    assert tree(repo) == before
    assert [line.split()[1] for line in out.splitlines() if "  skipped  " in line] == [
        f"{p}:" for p in WRITTEN
    ]
    assert "  created  " not in out
    assert "Nothing was written: every file is there already" in out


def test_it_never_overwrites_a_file_and_says_which_it_left(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = existing_repo(tmp_path / "r")
    mine = repo / ".github" / "workflows" / "check.yml"
    mine.parent.mkdir(parents=True)
    mine.write_text("name: our own check\n")
    dangling = repo / "CODEOWNERS"
    dangling.symlink_to(tmp_path / "elsewhere")
    code, out, _ = init(capsys, str(repo))
    assert code == 0
    assert mine.read_text() == "name: our own check\n"
    assert dangling.is_symlink()
    assert not (tmp_path / "elsewhere").exists()
    assert "  skipped  .github/workflows/check.yml: it exists" in out
    assert "  skipped  CODEOWNERS: it exists" in out
    assert "  created  .github/workflows/publish.yml" in out


def test_a_file_where_a_folder_should_be_is_reported_not_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = existing_repo(tmp_path / "r")
    (repo / "posts").write_text("not a folder\n")
    code, out, _ = init(capsys, str(repo))
    assert code == 0
    assert "  skipped  posts/README.md: it cannot be written: " in out
    assert (repo / "posts").read_text() == "not a folder\n"
    assert "  created  .github/workflows/check.yml" in out


def test_a_folder_that_leads_out_of_the_repository_is_not_written_through(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = existing_repo(tmp_path / "r")
    outside = tmp_path / "outside"
    outside.mkdir()
    (repo / ".github").symlink_to(outside)
    code, out, _ = init(capsys, str(repo))
    assert code == 0
    assert list(outside.iterdir()) == []
    assert "  skipped  .github/workflows/check.yml: its folder leads out of the repository" in out


def test_codeowners_where_github_reads_it_first_is_left_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = existing_repo(tmp_path / "r")
    (repo / ".github").mkdir()
    (repo / ".github" / "CODEOWNERS").write_text("* @octo-org/everyone\n")
    code, out, _ = init(capsys, str(repo), "--owners", "@octo-org/comms")
    assert code == 0
    assert not (repo / "CODEOWNERS").exists()
    assert "  skipped  CODEOWNERS: GitHub reads .github/CODEOWNERS" in out
    assert "give the posts and images to the people who approve posts" in out
    assert "/posts/  @octo-org/comms" in out


def test_settings_kept_in_pyproject_stay_there_and_name_the_posts_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = existing_repo(tmp_path / "r")
    (repo / "pyproject.toml").write_text(
        '[project]\nname = "site"\n\n[tool.clarion]\nposts = "news"\n\n'
        '[tool.clarion.accounts.mastodon]\ninstance = "https://mastodon.example"\n'
    )
    code, out, _ = init(capsys, str(repo))
    assert code == 0
    assert "  skipped  clarion.toml: the settings are in pyproject.toml [tool.clarion]" in out
    assert (repo / "news" / "example.md").is_file()
    assert "platforms: [mastodon]" in (repo / "news" / "example.md").read_text()
    assert 'paths: ["news/**"]' in (repo / ".github/workflows/publish.yml").read_text()
    assert "/news/   @your-org/communications" in (repo / "CODEOWNERS").read_text()
    assert load_settings(repo).accounts == ("mastodon",)


def test_the_default_branch_is_the_repositorys_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "r"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "trunk")
    assert init(capsys, str(repo))[0] == 0
    for name in ("publish.yml", "pages.yml"):
        assert "branches: [trunk]" in (repo / ".github/workflows" / name).read_text()


# ---------------------------------------------------------------- what it refuses


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--networks", "bluesky,twitter"), "no network is called twitter: did you mean x?"),
        (("--networks", ","), "--networks names no network"),
        (("--owners", "comms-team"), "--owners comms-team: an owner is @org/team, @user or"),
        (("--action-ref", "v0.1.0"), "--action-ref v0.1.0: give a full commit SHA"),
        (("--action-ref", "main"), "refs/tags/v"),
        (("--action-ref", SHA[:12]), "40 hexadecimal digits"),
    ],
)
def test_a_wrong_option_is_refused_before_anything_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    target = tmp_path / "r"
    code, out, err = init(capsys, str(target), *args)
    assert code == 2
    assert message in err
    assert not target.exists()
    assert out == ""


def test_a_folder_inside_a_repository_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = existing_repo(tmp_path / "r")
    code, _, err = init(capsys, str(repo / "sub"))
    assert code == 2
    assert f"is inside the Git repository {repo.resolve()}" in err
    assert f"run clarion init {repo.resolve()}" in err
    assert list((repo / "sub").iterdir()) == []


# ---------------------------------------------------------------- pinning


def test_a_pinned_reference_is_the_commit_with_the_version_beside_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = existing_repo(tmp_path / "r")
    code, out, _ = init(capsys, str(repo), "--action-ref", SHA)
    assert code == 0
    for rel in WORKFLOWS:
        text = (repo / rel).read_text()
        uses = re.findall(r"uses: (clarion-social/clarion/action@.*)", text)
        assert uses
        assert set(uses) == {f"clarion-social/clarion/action@{SHA} # v{__version__}"}
    assert "Pin Clarion" not in out


def test_without_a_reference_it_calls_the_tag_and_says_how_to_pin_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = existing_repo(tmp_path / "r")
    code, out, _ = init(capsys, str(repo))
    assert code == 0
    tag = f"v{__version__}"
    for rel in WORKFLOWS:
        assert f"uses: clarion-social/clarion/action@{tag}\n" in (repo / rel).read_text()
    assert f"git ls-remote https://github.com/clarion-social/clarion refs/tags/{tag}" in out
    command = next(line.strip() for line in out.splitlines() if "sed -i" in line)
    # The command it prints pins every workflow, once the commit is filled in.
    subprocess.run(["bash", "-c", command.replace("<that commit>", SHA)], cwd=repo, check=True)
    for rel in WORKFLOWS:
        text = (repo / rel).read_text()
        assert f"uses: clarion-social/clarion/action@{SHA} # {tag}\n" in text
    assert sorted(p.name for p in (repo / ".github/workflows").iterdir()) == sorted(
        Path(p).name for p in WORKFLOWS
    )
    # Run again, the pin step is gone: the steps follow the files.
    assert "Pin Clarion" not in init(capsys, str(repo))[1]


# ---------------------------------------------------------------- the workflows' rules


def _written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    repo = existing_repo(tmp_path / "r")
    assert init(capsys, str(repo), "--action-ref", SHA)[0] == 0
    return repo


def _steps(workflow: dict[str, object]) -> list[dict[str, object]]:
    jobs = workflow["jobs"]
    assert isinstance(jobs, dict)
    return [step for job in jobs.values() for step in job["steps"]]


_PIN = re.compile(r"uses:\s*([\w.-]+/[\w.-]+)(?:/[\w./-]+)?@(\S+)(?: # (\S+))?")


def _pins(text: str) -> dict[str, tuple[str, str | None]]:
    return {name: (ref, comment) for name, ref, comment in _PIN.findall(text)}


def test_the_workflows_meet_this_repositorys_own_rules(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = _written(tmp_path, capsys)
    for rel in WORKFLOWS:
        workflow = yaml.safe_load((repo / rel).read_text())
        # Nothing by default; each job asks for what it needs.
        assert workflow["permissions"] == {}, rel
        for job in workflow["jobs"].values():
            assert "permissions" in job, rel
            assert "write-all" not in str(job["permissions"]), rel
        for step in _steps(workflow):
            # Inputs reach scripts through env:, never pasted in.
            assert "${{" not in str(step.get("run", "")), (rel, step)
            uses = str(step.get("uses", ""))
            if uses:
                assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", uses), (rel, uses)
            if uses.startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False, rel


def test_the_workflows_pin_the_actions_this_repository_pins(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ours: dict[str, tuple[str, str | None]] = {}
    for path in [*(ROOT / ".github" / "workflows").glob("*.yml"), ROOT / "action/action.yml"]:
        ours.update(_pins(path.read_text()))
    repo = _written(tmp_path, capsys)
    for rel in WORKFLOWS:
        for name, pin in _pins((repo / rel).read_text()).items():
            if name == "clarion-social/clarion":
                continue
            assert pin == ours.get(name), (
                f"{rel} pins {name} to {pin}, .github/workflows to {ours.get(name)}: update "
                "src/clarion/adopt/templates/ (and CLARION_UPDATE_GOLDEN=1 the golden files)"
            )


def test_the_action_takes_every_networks_secret_as_an_input_of_its_own() -> None:
    action = yaml.safe_load((ROOT / "action" / "action.yml").read_text())
    [publish] = [s for s in action["runs"]["steps"] if s.get("id") == "publish"]
    for entry in networks.all_networks():
        for secret in entry.secrets:
            name = action_input(secret)
            assert name in action["inputs"], f"action.yml has no input {name} for {secret}"
            assert publish["env"][secret] == f"${{{{ inputs.{name} }}}}"


def test_the_publish_workflow_passes_the_secrets_of_the_networks_chosen_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = existing_repo(tmp_path / "r")
    assert init(capsys, str(repo), "--networks", "mastodon")[0] == 0
    workflow = yaml.safe_load((repo / ".github/workflows/publish.yml").read_text())
    [publish] = [s for s in _steps(workflow) if s.get("id") == "publish"]
    assert publish["with"] == {
        "command": "publish",
        "mastodon-access-token": "${{ secrets.CLARION_MASTODON_ACCESS_TOKEN }}",
        "github-token": "${{ steps.app-token.outputs.token || github.token }}",
    }
    out = init(capsys, str(repo))[1]
    assert "- CLARION_MASTODON_ACCESS_TOKEN: your instance" in out
    assert "CLARION_X_API_KEY" not in out


def test_the_action_runs_the_commands_the_workflows_call() -> None:
    action = yaml.safe_load((ROOT / "action" / "action.yml").read_text())
    [check_inputs] = [s for s in action["runs"]["steps"] if "CLARION_COMMAND" in s.get("env", {})]
    for command in ("validate", "preview", "publish", "site", "preview-comment"):
        assert command in check_inputs["run"]
        assert any(
            s.get("if") == f"inputs.command == '{command}'" for s in action["runs"]["steps"]
        ), command


# ---------------------------------------------------------------- the settings file


def test_clarion_toml_names_a_misspelt_key_as_it_is_written_there(tmp_path: Path) -> None:
    (tmp_path / "clarion.toml").write_text(
        "require_aproval = false\n\n[accounts.mastodon]\ninstance = 'https://a.example'\n"
        "max_chars = 3\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path)
    message = caught.value.message
    assert "the top level has an unknown key require_aproval: did you mean require_approval?" in (
        message
    )
    assert "[accounts.mastodon] has an unknown key max_chars: did you mean max_characters?" in (
        message
    )
    assert "tool.clarion" not in message


def test_settings_in_both_places_are_refused(tmp_path: Path) -> None:
    (tmp_path / "clarion.toml").write_text("require_approval = true\n")
    (tmp_path / "pyproject.toml").write_text("[tool.clarion]\nrequire_approval = false\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path)
    assert "keep them in one place" in caught.value.message


def test_clarion_toml_beside_some_other_projects_pyproject(tmp_path: Path) -> None:
    (tmp_path / "clarion.toml").write_text('timezone = "Europe/Amsterdam"\n')
    (tmp_path / "pyproject.toml").write_text("this is [not toml\n")
    (tmp_path / "posts" / "2026").mkdir(parents=True)
    assert find_root(tmp_path / "posts" / "2026") == tmp_path.resolve()
    settings = load_settings(tmp_path)
    assert settings.timezone == "Europe/Amsterdam"
    assert settings.table("accounts.x") == "clarion.toml [accounts.x]"


# ---------------------------------------------------------------- around init


def test_clarion_new_points_editors_at_the_published_schema(tmp_path: Path, clarion: Run) -> None:
    (tmp_path / "clarion.toml").write_text("")
    proc = clarion("new", "launch", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    [post] = (tmp_path / "posts").rglob("launch.md")
    schema_id = json.loads((ROOT / "schema" / "post.schema.json").read_text())["$id"]
    assert post.read_text().splitlines()[1] == f"# yaml-language-server: $schema={schema_id}"


def test_the_pre_commit_hook_validates_every_post() -> None:
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "clarion-validate"
    assert hook["entry"] == "clarion validate"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    files = re.compile(hook["files"])
    for path in ("posts/2026/a.md", "media/a.png", "clarion.toml", "pyproject.toml"):
        assert files.search(path), path
    assert not files.search("docs/index.md")


@pytest.mark.slow
def test_the_wheel_carries_the_templates(tmp_path: Path) -> None:
    uv = shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not on PATH")
    subprocess.run(
        [uv, "build", "--wheel", "--quiet", "--out-dir", str(tmp_path), str(ROOT)], check=True
    )
    import zipfile

    [wheel] = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    templates = ROOT / "src" / "clarion" / "adopt" / "templates"
    for template in templates.iterdir():
        assert f"clarion/adopt/templates/{template.name}" in names
    assert "clarion/_schema/post.schema.json" in names
