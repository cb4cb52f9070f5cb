"""Auto-approval (秒批) rules: a JSON Logic evaluator, per-condition explanations in three locales, a CLI."""
