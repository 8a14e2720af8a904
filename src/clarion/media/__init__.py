"""Images: read by their content (`sniff`), kept inside the repository (`paths`),
judged (`checks`) against each network's limits (`limits`)."""
