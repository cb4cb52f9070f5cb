"""Payment channels: an interface (base.py) and one folder per provider."""
