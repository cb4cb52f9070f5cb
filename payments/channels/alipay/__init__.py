"""Alipay: the SDK calls (sdk.py) and the channel adapter (adapter.py)."""
