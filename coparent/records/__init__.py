"""The family record: append-only, hash-chained, signed; exports anyone can verify offline."""
