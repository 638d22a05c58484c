"""Checking any .docx against the layout rules of Nghị định 30/2020/NĐ-CP."""
