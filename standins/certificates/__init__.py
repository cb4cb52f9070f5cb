"""The certificate library stand-in: the certificates the synthetic population holds."""
