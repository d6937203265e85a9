"""The web layer shared by every app: layout, styles, scripts, the family decorator, health."""
