"""Reading plan data from files (YAML, XLSX) into plain values plus their locations."""
