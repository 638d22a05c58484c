"""Vietnamese text: number and date formatting, and input hygiene."""
