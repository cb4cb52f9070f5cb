"""好差评: ratings of finished cases and visits, rectification of a 差评, appeals, published figures."""
