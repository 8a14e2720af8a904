"""Mastodon's plain-text formatter: a status's text as the HTML `content` it answers with."""

from __future__ import annotations

import hashlib
import html
import re

_TOKEN = re.compile(
    r"(?P<url>https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]}])"
    r"|(?P<mention>(?<![\w/@])@(?P<user>[A-Za-z0-9_]+)(?:@(?P<domain>[A-Za-z0-9.\-]+[A-Za-z0-9]))?)"
    r"|(?P<tag>(?<![\w/&#])#(?P<name>\w*[^\W\d_]\w*))",
    re.IGNORECASE,
)


def render(base: str, text: str) -> tuple[str, list[dict[str, str]], list[dict[str, str]]]:
    """Mastodon's plain-text formatter, closely enough: (HTML, mentions, tags)."""
    mentions: list[dict[str, str]] = []
    tags: list[dict[str, str]] = []

    def inline(paragraph: str) -> str:
        out: list[str] = []
        pos = 0
        for match in _TOKEN.finditer(paragraph):
            out.append(html.escape(paragraph[pos : match.start()], quote=False))
            pos = match.end()
            if match.group("url"):
                url = match.group("url")
                scheme, _, rest = url.partition("://")
                shown, hidden = rest[:30], rest[30:]
                out.append(
                    f'<a href="{html.escape(url)}" target="_blank" rel="nofollow noopener" '
                    f'translate="no"><span class="invisible">{scheme}://</span>'
                    f'<span class="{"ellipsis" if hidden else ""}">{html.escape(shown)}</span>'
                    f'<span class="invisible">{html.escape(hidden)}</span></a>'
                )
            elif match.group("mention"):
                user, domain = match.group("user"), match.group("domain")
                profile = f"{base}/@{user}" if not domain else f"https://{domain}/@{user}"
                acct = user if not domain else f"{user}@{domain}"
                digest = hashlib.sha256(acct.encode()).hexdigest()
                mentions.append(
                    {
                        "id": str(int(digest[:14], 16)),
                        "username": user,
                        "url": profile,
                        "acct": acct,
                    }
                )
                out.append(
                    f'<span class="h-card" translate="no"><a href="{html.escape(profile)}" '
                    f'class="u-url mention">@<span>{html.escape(user)}</span></a></span>'
                )
            else:
                name = match.group("name")
                tags.append({"name": name.lower(), "url": f"{base}/tags/{name.lower()}"})
                out.append(
                    f'<a href="{base}/tags/{html.escape(name.lower())}" '
                    'class="mention hashtag" '
                    f'rel="tag">#<span>{html.escape(name)}</span></a>'
                )
        out.append(html.escape(paragraph[pos:], quote=False))
        return "".join(out).replace("\n", "<br />")

    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p]
    content = "".join(f"<p>{inline(p)}</p>" for p in paragraphs)
    return content, mentions, tags
