"""Reporting pages: board_pack (the per-plan page, downloads, what changed), periods (close,
reopen, set up quarters, deadlines)."""
