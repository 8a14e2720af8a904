#!/usr/bin/env bash
# Debian's chromium, for the headless-browser tests of `clarion site`
# (tests/site/test_site_browser.py). Does nothing when chromium is already there.
#
#   scripts/install_chromium.sh
#
# Needs root (or sudo) and apt; fonts come along so that screenshots show text.
set -euo pipefail

say() { printf 'install_chromium.sh: %s\n' "$*" >&2; }

if command -v chromium >/dev/null 2>&1 && chromium --version >/dev/null 2>&1; then
	say "$(chromium --version) is already installed"
	exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
	say "no apt-get here: install Chromium yourself (the browser tests skip without it)"
	exit 1
fi

sudo=()
if [[ "$(id -u)" != 0 ]]; then
	if ! command -v sudo >/dev/null 2>&1; then
		say "run me as root (apt-get needs it), or install sudo"
		exit 1
	fi
	sudo=(sudo)
fi

export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
# fonts-dejavu-core: a font with wide coverage, so text renders in screenshots;
# fonts-noto-color-emoji would be nice but is large: the tests don't need it.
"${sudo[@]}" apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
say "installed $(chromium --version)"
