"""Checking posts: every rule a post goes through (`checks`), the receipt edits of a
pull request (`receipt_edits`), the result (`result`) and its reporters."""
