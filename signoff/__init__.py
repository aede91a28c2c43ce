"""Sign-off of a reporting period by each partner organisation's signatory and the chair."""
