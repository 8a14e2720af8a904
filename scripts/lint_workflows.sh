#!/usr/bin/env bash
# Lint the workflows and the composite action, and those `clarion init` writes:
# - zizmor (offline: no GitHub API) fails on any finding of medium severity or higher;
# - check-jsonschema validates them against GitHub's own schemas (vendored in it).
set -euo pipefail
cd "$(dirname "$0")/.."

workflows=(.github/workflows/*.yml)

echo "== zizmor"
uv run zizmor --offline --min-severity medium .github/ action/

echo "== check-jsonschema: workflows"
uv run check-jsonschema --builtin-schema vendor.github-workflows "${workflows[@]}"

echo "== check-jsonschema: action"
uv run check-jsonschema --builtin-schema vendor.github-actions action/action.yml

echo "== check-jsonschema: issue forms and dependabot"
uv run check-jsonschema --builtin-schema vendor.github-issue-forms .github/ISSUE_TEMPLATE/post-request.yml
uv run check-jsonschema --builtin-schema vendor.github-issue-config .github/ISSUE_TEMPLATE/config.yml
uv run check-jsonschema --builtin-schema vendor.dependabot .github/dependabot.yml

# What `clarion init` writes into other organisations' repositories meets the
# same rules (pinned to a commit, as init's --action-ref pins it; every network,
# its default), with no finding of any severity.
echo "== the workflows clarion init writes: zizmor and GitHub's schemas"
adopted="$(mktemp -d)"
trap 'rm -rf "$adopted"' EXIT
uv run clarion init "$adopted" --owners @example-org/communications \
  --action-ref 0123456789abcdef0123456789abcdef01234567 > /dev/null
uv run zizmor --offline --min-severity low "$adopted/.github/"
uv run check-jsonschema --builtin-schema vendor.github-workflows "$adopted"/.github/workflows/*.yml
uv run check-jsonschema --builtin-schema vendor.dependabot "$adopted/.github/dependabot.yml"
