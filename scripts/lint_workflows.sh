#!/usr/bin/env bash
# Lint the workflows and the composite action:
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
