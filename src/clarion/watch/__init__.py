"""`clarion watch`: what the networks did to published posts since the last run.

- `model`: what is watched (`Watched`), what a watcher sees (`Seen`, `Observed`),
  what is reported and kept (`Finding`, `WatchReport`);
- `run`: the parts from the receipts, each network's watcher (named in the
  registry), and the comparison with the last run;
- `state`: the last run's findings, in `metrics/watch.json`;
- `reporters`: text, JSON and GitHub Actions;
- `issue`: the one GitHub issue the watch workflow keeps current;
- `bluesky`, `mastodon`, `x`: each network's watcher.
"""
