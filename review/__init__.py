"""The coordinator's review of a period's updates: accept, or query and the lead's answer."""
