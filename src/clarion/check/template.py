"""A post still holding the placeholder text of `clarion new`'s template is an
error: merged unchanged, the placeholder would go out as the announcement.

The phrases are the template's own (`clarion.commands.new.TEMPLATE`; a test
scaffolds a post and checks that each is caught), matched whatever the case or
the line breaks, anywhere in the body or in a value of the front matter (an
alt text, a network's own `body`), not in a YAML comment.
"""

from __future__ import annotations

import re

from clarion.check.result import ERROR, PostResult
from clarion.post import Post

# Each placeholder of the template, and what to do about it.
PLACEHOLDERS = {
    "write your announcement here": "replace it with the post's own text",
    "a line holding only three dashes starts the next post of a thread": (
        "write the next part of the thread there, or remove the part and the '---' line before it"
    ),
    "describe the image for people who cannot see it": (
        "write what the image shows, for people who cannot see it"
    ),
    "write the topic's title here": "replace it with the topic's title",
}

# A word of each phrase, looked for first: most posts hold none.
_WORDS = ("announcement", "dashes", "describe", "topic's title")
_PATTERN = re.compile(
    "|".join(r"\s+".join(map(re.escape, phrase.split())) for phrase in PLACEHOLDERS),
    re.IGNORECASE,
)


def check_template_text(post: Post, result: PostResult) -> None:
    doc = post.doc
    if doc is None:
        return
    # The front matter starts on the file's line 2, after its opening '---'.
    for text, first_line, comments in ((doc.front_text, 2, True), (doc.body, doc.body_line, False)):
        lowered = text.lower()
        if not any(word in lowered for word in _WORDS):
            continue
        for match in _PATTERN.finditer(text):
            start = text.rfind("\n", 0, match.start()) + 1
            before = text[start : match.start()]
            if comments and (before.lstrip().startswith("#") or " #" in before):
                continue  # a YAML comment, never sent
            words = match.group().split()
            result.add(
                ERROR,
                "template-text",
                f"'{' '.join(words[:4])} …' is placeholder text from clarion new's template: "
                f"{PLACEHOLDERS[' '.join(words).lower()]}",
                first_line + text.count("\n", 0, match.start()),
                match.start() - start + 1,
            )
