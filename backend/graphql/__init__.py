"""The strawberry layer: schema, per-request context, permissions and error mapping."""
