"""A post: its file split and loaded (`frontmatter`), the model (`model`), the
schema of its front matter (`schema`), what it sends (`content`), the text each
network receives (`compose`), and its receipts written back (`receipts`)."""

from clarion.post.model import (
    Link,
    MediaRef,
    Post,
    StoredReceipt,
    discover,
    link_on_the_way,
    read_post,
    relative,
)

__all__ = [
    "Link",
    "MediaRef",
    "Post",
    "StoredReceipt",
    "discover",
    "link_on_the_way",
    "read_post",
    "relative",
]
