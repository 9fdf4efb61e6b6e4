"""State changes of the status area: monitoring runs, incidents, subscriptions."""
