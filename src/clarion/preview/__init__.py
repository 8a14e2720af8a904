"""What a merge will do, for people: the preview's result (`model`), its reporters
(`render`: text, Markdown, JSON) and the pull request's sticky comment (`comment`)."""
