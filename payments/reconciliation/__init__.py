"""Finance (reconciliation), issue 18."""
