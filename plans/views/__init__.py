"""Plan pages. Split by job: pages (reading the plan), updates (leads' updates), imports."""
