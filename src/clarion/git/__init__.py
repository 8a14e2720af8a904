"""Git: the one way git is run (`run`); the work tree Clarion runs it in as its bot
(`worktree`), with the push token (`token`); and the repository receipts are
committed in and pushed from (`repo`), built of `catch_up`, `push` and
`receipts_branch`."""
