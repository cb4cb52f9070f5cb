"""A local, protocol-faithful WeChat Pay API v3 sandbox (development and tests only)."""
