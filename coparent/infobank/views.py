"""Info-bank pages: the children, a child's info by section, the emergency card, one item with
its history, and the writes (add, change, remove, reveal).

Thin views (STYLE.md 6): any member reads a child's info bank and emergency card (a viewer only
the items marked for care, selectors.py); an item's own page and history are for parents and
consented professionals (`shared=True`); only parents write and reveal (`parent=True`).
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coparent.core import infobank
from coparent.families.selectors import get_child
from coparent.infobank import selectors, services
from coparent.infobank.forms import ItemForm
from coparent.infobank.models import InfoItemVersion
from coparent.web.decorators import FamilyRequest, family_view
from coparent.web.forms import act, posted, say_errors, submit
from coparent.web.pages import FamilyPages

render_page = FamilyPages(nav="infobank")


@family_view()
@require_GET
def index_page(request: FamilyRequest) -> HttpResponse:
    return render_page(
        request, "infobank/index.html", children=selectors.children_list(request.family_access)
    )


@family_view()
@require_GET
def child_page(request: FamilyRequest, child_id: uuid.UUID) -> HttpResponse:
    child = get_child(request.family_access, child_id)
    bank = selectors.child_bank(request.family_access, child)
    return render_page(request, "infobank/child.html", bank=bank, child=child)


@family_view()
@require_GET
@never_cache
def card_page(request: FamilyRequest, child_id: uuid.UUID) -> HttpResponse:
    """The emergency card: one printed page; kept by the installed app for use offline
    (web/sw.js, network first)."""
    child = get_child(request.family_access, child_id)
    card = selectors.emergency_card(request.family_access, child)
    return render_page(request, "infobank/card.html", bank=card, child=child)


def _kind(key: str) -> infobank.ItemKind:
    kind = infobank.KINDS.get(key)
    if kind is None:
        raise Http404("No such kind of item.")
    return kind


@family_view(parent=True)
@require_http_methods(["GET", "POST"])
def add_page(request: FamilyRequest, child_id: uuid.UUID, kind: str) -> HttpResponse:
    child = get_child(request.family_access, child_id)
    item_kind = _kind(kind)
    form = ItemForm(
        posted(request),
        kind=item_kind,
        initial={"for_care": item_kind.key in infobank.CARE_BY_DEFAULT},
    )
    item = submit(
        form,
        lambda data: services.item_add(
            access=request.family_access,
            child=child,
            kind=item_kind.key,
            values=form.values(),
            for_care=bool(data.get("for_care")),
        ),
    )
    if item:
        messages.success(request, _("Added to %(child)s's info bank.") % {"child": child.name})
        return redirect("infobank:child", family_id=request.family.pk, child_id=child.pk)
    return render_page(
        request, "infobank/form.html", form=form, child=child, kind=item_kind, item=None
    )


@family_view(shared=True)
@require_GET
def item_page(request: FamilyRequest, item_id: uuid.UUID) -> HttpResponse:
    item = selectors.get_item(request.family_access, item_id)
    history = selectors.item_history(request.family_access, item)
    return render_page(
        request, "infobank/item.html", history=history, child=item.child, revealed=None
    )


@family_view(parent=True)
@require_http_methods(["GET", "POST"])
def change_page(request: FamilyRequest, item_id: uuid.UUID) -> HttpResponse:
    item = selectors.get_item(request.family_access, item_id)
    current = selectors.item_view(request.family_access, item)
    if current.latest.removed:
        raise Http404("This item was removed.")
    kind = infobank.KINDS[item.kind]
    # A sensitive value is not put back into the form (it would sit in the page's source):
    # left empty, it stays what it was.
    # A hidden home address (docs/safety.md) comes back as the label the parent was shown,
    # which the change keeps as the address it stands for.
    hidden = {line.name: line.value for line in current.fields if line.hidden}
    initial: dict[str, object] = {
        k: hidden.get(k, v)
        for k, v in current.latest.values.items()
        if k not in kind.sensitive_fields
    }
    initial["for_care"] = current.latest.for_care
    form = ItemForm(posted(request), kind=kind, initial=initial)

    def change(data: dict[str, object]) -> InfoItemVersion:
        values = form.values()
        for name in kind.sensitive_fields:
            if not values.get(name) and name in current.latest.values:
                values[name] = current.latest.values[name]
        return services.item_change(
            access=request.family_access,
            item=item,
            values=values,
            for_care=bool(data.get("for_care")),
        )

    version = submit(form, change)
    if version:
        messages.success(request, _("Changed. The earlier values stay in its history."))
        return redirect("infobank:item", family_id=request.family.pk, item_id=item.pk)
    return render_page(
        request, "infobank/form.html", form=form, child=item.child, kind=kind, item=current
    )


@family_view(parent=True)
@require_POST
def remove_action(request: FamilyRequest, item_id: uuid.UUID) -> HttpResponse:
    item = selectors.get_item(request.family_access, item_id)
    act(
        request,
        lambda: services.item_remove(access=request.family_access, item=item),
        _("Removed. It stays in the history and the family record."),
    )
    return redirect("infobank:child", family_id=request.family.pk, child_id=item.child_id)


@family_view(parent=True)
@require_POST
@never_cache
def reveal_action(request: FamilyRequest, item_id: uuid.UUID) -> HttpResponse:
    """Shows a masked number in full on this response only (never cached), after logging it."""
    item = selectors.get_item(request.family_access, item_id)
    try:
        revealed = services.reveal(access=request.family_access, item=item)
    except services.InfoBankProblem as error:
        say_errors(request, error)
        return redirect("infobank:item", family_id=request.family.pk, item_id=item.pk)
    history = selectors.item_history(request.family_access, item)
    return render_page(
        request, "infobank/item.html", history=history, child=item.child, revealed=revealed
    )
