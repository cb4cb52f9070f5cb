"""A sample mini-program: a "my applications" tracker as one H5 page, and the tiny server that hands
it out. Copy this folder to start your own (see README.md)."""
