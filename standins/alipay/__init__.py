"""A local Alipay gateway: signed requests and responses, trades, async notifications, refunds, bills."""
