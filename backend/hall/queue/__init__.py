"""Queue numbers: tickets per category and day, their order, counters and calls, waiting estimates."""
