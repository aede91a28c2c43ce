"""Evidence: files attached to a milestone update, checked, stored and served to members."""
