"""Analysis: coverage, framing, timeline, vocabulary, keyword in context, and the claims check."""
