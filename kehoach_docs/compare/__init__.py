"""Compare two versions of a plan (an amendment) and say what changed."""
