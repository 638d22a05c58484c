"""Batch rendering: jobs, the manifest of what each output was made from, parallel runs."""
