"""Images: read by their content, kept inside the repository, judged against each
network's limits (`images`)."""
