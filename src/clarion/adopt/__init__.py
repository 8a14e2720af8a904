"""`clarion init`: adopt Clarion in any repository.

An announcements repository needs only a few files of its own, and no copy of
Clarion: the settings (`clarion.toml`), the posts folder with its README and
an example post, `CODEOWNERS`, four workflows that call Clarion's action by
reference (pinned to a commit), and Dependabot to keep that pin current.

- `options`: what the person asked for (networks, owners, the action's ref);
- `repository`: the Git repository written into, made when missing;
- `files`: the files, rendered from `templates/` (shipped in the wheel), and
  written without ever overwriting one;
- `next_steps`: what only a person can do on GitHub afterwards.
"""
