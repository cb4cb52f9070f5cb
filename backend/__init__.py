"""onewindow: the backend of a citizen super-app (一网通办)."""

__version__ = "0.1.0"
