"""The archive site: every published post, feeds, built as static files (`build`)."""
