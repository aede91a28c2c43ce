"""Notifications: what each person hears of (queries, answers, Red milestones, final packs),
at once or in a daily digest."""
