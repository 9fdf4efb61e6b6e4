"""The live "Is our data secure?" page: each promise with its current evidence."""
