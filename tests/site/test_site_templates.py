"""An organisation brands its archive with its own templates (`[tool.clarion.site]
templates`): each replaces Clarion's of the same name, can extend Clarion's as
"clarion/NAME", and escapes post text as Clarion's do."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.site.htmlcheck import Page
from tests.site.siterepo import SCRIPT_POST, make_repo, run_site, write_generated

TITLE_LINE = 'title = "Example Foundation news"\n'

# Clarion's base with one block replaced and one added to: the shipped pages
# (index, year, post) extend "base.html", so they all take this one.
BASE = """\
{% extends "clarion/base.html" %}
{% block header %}
<header class="site brand">
<p class="site-title"><a href="{{ link('index.html') }}">Example Foundation</a></p>
{{ self.nav() }}
</header>
{% endblock %}
{% block style %}{{ super() }}.brand{border-top:4px solid #7a1f5c}{% endblock %}
"""
# A post page of its own that prints the post's text as it is: autoescape applies.
POST = """\
{% extends "clarion/post.html" %}
{% block main %}
<p class="raw">{{ entry.parts[0] }}</p>
<p class="warning">{{ entry.content_warning or "" }}</p>
{{ super() }}
{% endblock %}
"""
FEED_ENTRY = """\
<p class="raw">{{ entry.parts[0] }}</p>
<p>From the Example Foundation's archive.</p>
"""
RAW_TEXT = SCRIPT_POST.split("---\n")[-1].rstrip("\n")


def with_templates(repo: Path, templates: dict[str, str], setting: str = "site/templates") -> None:
    folder = repo / "site" / "templates"
    folder.mkdir(parents=True)
    for name, text in templates.items():
        (folder / name).write_text(text, encoding="utf-8")
    pyproject = repo / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    pyproject.write_text(
        text.replace(TITLE_LINE, f"{TITLE_LINE}templates = {json.dumps(setting)}\n"),
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def branded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example repository with its own base.html, post.html and feed-entry.html,
    and enough posts for year pages, built by the real command."""
    base = tmp_path_factory.mktemp("branded")
    repo = make_repo(base / "repo")
    write_generated(repo / "posts", 70, start="2022-11-01T12:00:00Z")
    with_templates(repo, {"base.html": BASE, "post.html": POST, "feed-entry.html": FEED_ENTRY})
    out = base / "site"
    proc = run_site(repo, out)
    assert proc.returncode == 0, proc.stderr
    return out


def read(out: Path, name: str) -> Page:
    page = Page((out / name).read_text(encoding="utf-8"))
    assert not page.errors, (name, page.errors)
    return page


@pytest.mark.parametrize(
    "name", ["index.html", "years/2022.html", "posts/2026/clarion-1-0-release.html"]
)
def test_the_organisations_base_frames_every_page(branded: Path, name: str) -> None:
    page = read(branded, name)
    header = next(h for h in page.all("header") if "site" in h.attrs.get("class", "").split())
    assert header.attrs["class"] == "site brand"
    assert "Example Foundation" in "".join(header.text)
    assert page.all("nav")  # the block it kept from Clarion's
    style = "".join(page.one("style").text)
    assert "--bg:#fdfdfc" in style  # Clarion's style sheet, then its own rule
    assert style.rstrip().endswith(".brand{border-top:4px solid #7a1f5c}")
    assert page.one("main")
    assert "An archive kept with Clarion" in page.plain  # Clarion's footer


def test_the_organisations_post_page_is_used(branded: Path) -> None:
    page = read(branded, "posts/2026/pycon-cfp-thread.html")
    raw = next(p for p in page.all("p") if p.attrs.get("class") == "raw")
    assert "".join(raw.text).startswith("The PyCon US 2027 call for proposals is open!")
    assert page.one("ol").attrs["class"] == "thread"  # Clarion's page, through super()


def test_autoescape_keeps_post_text_text_in_the_organisations_template(branded: Path) -> None:
    source = (branded / "posts/2026/html-in-text.html").read_text(encoding="utf-8")
    assert "<script>" not in source
    assert "<b>" not in source
    page = read(branded, "posts/2026/html-in-text.html")
    assert page.all("script") == []
    assert page.all("b") == []
    raw = next(p for p in page.all("p") if p.attrs.get("class") == "raw")
    assert "".join(raw.text) == RAW_TEXT


def test_the_organisations_feed_entry_is_used_and_escaped(branded: Path) -> None:
    feed = json.loads((branded / "feed.json").read_text(encoding="utf-8"))
    item = next(i for i in feed["items"] if i["_clarion"]["path"] == "posts/2026/html-in-text.md")
    content = Page(item["content_html"])
    assert content.all("script") == []
    assert "From the Example Foundation's archive." in content.plain
    assert RAW_TEXT in content.plain


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("<p>\n{% if %}\n</p>\n", "post.html:2: "),  # a syntax error
        (
            '{% extends "clarion/post.html" %}\n{% block main %}\n{{ entri.title }}\n{% endblock %}\n',
            "post.html:3: 'entri' is undefined",
        ),
        ('{% extends "clarion/no-such.html" %}\n', "there is no template clarion/no-such.html"),
    ],
)
def test_a_broken_template_is_named_without_a_traceback(
    tmp_path: Path, template: str, message: str
) -> None:
    repo = make_repo(tmp_path / "repo")
    with_templates(repo, {"post.html": template})
    proc = run_site(repo, tmp_path / "site")
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr
    assert "site/templates" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("site/missing", "is not a folder in the repository"),
        ("../outside", "leaves the repository"),
        ("/etc", "must be relative to the repository root"),
    ],
)
def test_the_templates_setting_names_a_folder_in_the_repository(
    tmp_path: Path, setting: str, message: str
) -> None:
    repo = make_repo(tmp_path / "repo")
    (tmp_path / "outside").mkdir()
    with_templates(repo, {}, setting=setting)
    proc = run_site(repo, tmp_path / "site")
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "[tool.clarion.site]" in proc.stderr
    assert not (tmp_path / "site").exists()


def test_a_template_linked_from_outside_the_repository_is_refused(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    secret = tmp_path / "secret.html"
    secret.write_text("a file from outside the repository", encoding="utf-8")
    with_templates(repo, {})
    (repo / "site/templates/post.html").symlink_to(secret)
    out = tmp_path / "site"
    proc = run_site(repo, out)
    assert proc.returncode == 2
    assert "post.html is a link to a file outside" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not any("from outside" in p.read_text(encoding="utf-8") for p in out.rglob("*.html"))


def test_validate_never_imports_jinja2(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    code = (
        "import sys\n"
        "from clarion.cli import main\n"
        "main(['validate'])\n"
        "print(sorted(m for m in ('jinja2', 'clarion.site.render') if m in sys.modules))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=repo, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "[]"


def test_a_template_edited_between_two_builds_of_one_process_is_compiled_again(
    tmp_path: Path,
) -> None:
    """Compiled templates are kept for the process (site/render.py's `_Compiled`),
    and a later build still reads the organisation's template as it is now."""
    from clarion.site.config import SiteConfig
    from clarion.site.render import Templates

    folder = tmp_path / "templates"
    folder.mkdir()
    own = folder / "note.html"
    config = SiteConfig(title="Example Foundation news", url=None, templates=folder)
    own.write_text("<p>{{ site.title }}: first</p>\n", encoding="utf-8")
    first = Templates(config).env.get_template("note.html").render()
    own.write_text("<p>{{ site.title }}: second</p>\n", encoding="utf-8")
    second = Templates(config).env.get_template("note.html").render()
    assert (first, second) == (
        "<p>Example Foundation news: first</p>\n",
        "<p>Example Foundation news: second</p>\n",
    )
