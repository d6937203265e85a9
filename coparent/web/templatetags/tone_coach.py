"""`{% tone_skeleton as skeleton %}`: the empty advice `web/_tone_coach.html` renders inside a
<template>, so any page can carry the coach without its view passing anything."""

from __future__ import annotations

from django import template

from coparent.web.tone import SKELETON

register = template.Library()


@register.simple_tag
def tone_skeleton() -> dict[str, object]:
    return SKELETON
