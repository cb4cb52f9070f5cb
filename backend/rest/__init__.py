"""The few non-GraphQL endpoints: health now; OIDC, payment notifications, receipts later."""
