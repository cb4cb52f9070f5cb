"""WeChat Pay API v3 through the wechatpayv3 SDK (public-key mode)."""
