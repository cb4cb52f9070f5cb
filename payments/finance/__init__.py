"""Finance (finance), issue 18."""
