"""Git: the one way git is run (`run`), and the repository receipts are committed in
and pushed from (`repo`)."""
