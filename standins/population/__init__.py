"""The population registry stand-in: a synthetic, internally consistent city of residents."""
