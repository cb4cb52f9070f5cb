"""Finance (closing), issue 18."""
