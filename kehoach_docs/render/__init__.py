"""Rendering: prepared docx templates, appendix workbooks, and deterministic file packaging."""
