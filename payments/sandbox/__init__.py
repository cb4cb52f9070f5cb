"""Protocol-faithful local stand-ins for providers we cannot reach from here (the Alipay gateway)."""
