"""Families: the walls between tenants — family spaces, members, children, invitations, consent."""
