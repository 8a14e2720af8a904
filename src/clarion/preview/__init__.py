"""What a merge will do, for people: the preview (`render`) and the pull request's
sticky comment (`comment`)."""
