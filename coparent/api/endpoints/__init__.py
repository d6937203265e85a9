"""One module per resource; each exposes a `router` that coparent.api.api mounts."""
