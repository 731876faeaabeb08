"""The chain map (产业链图谱): the chains, one chain's links, the operations centre's edits of the
map, and a gap made an investment target."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from enterprises.models import IndustryChain
from supply import selectors, services
from supply.forms import LinkForm, ProductForm, TargetForm
from supply.models import ChainLink
from supply.views._common import LEADERS, OPERATIONS, SUPPLY_STAFF, show_errors
from zonehub.numbers import amount_text
from zonehub.views import role_required


@role_required(*SUPPLY_STAFF)
def chain_list(request):
    chains = selectors.chain_list_figures()
    ratio, demand, local = selectors.zone_ratio()
    return render(request, "supply/chain_list.html", {
        "chains": chains, "ratio": ratio, "demand": demand, "local": local,
        "can_edit": services.is_operations(request.user)})


@role_required(*SUPPLY_STAFF)
def chain_detail(request, pk):
    """Every link upstream to downstream with the zone's suppliers on it, supply against demand,
    the gaps, and the local supply ratio; a gap becomes an investment target from here."""
    chain = get_object_or_404(IndustryChain, pk=pk)
    figures = selectors.chain_map(chain)
    user = request.user
    return render(request, "supply/chain_detail.html", {
        "chain": chain, "figures": figures, "can_edit": services.is_operations(user),
        "can_target": services.is_leader(user), "sees_prices": user.effective_role != "enterprise"})


@role_required(*OPERATIONS)
def link_create(request, pk):
    chain = get_object_or_404(IndustryChain, pk=pk)
    form = LinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            link = services.link_create(actor=request.user, chain=chain, **form.cleaned_data)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("The link %(name)s is on the chain map.") % {"name": link.name})
            return redirect(link.get_absolute_url())
    return render(request, "supply/form_page.html", {
        "form": form, "title": _("New link of the %(chain)s chain") % {"chain": chain.name},
        "help": _("A link is one step of the chain, upstream to downstream; its products are added next."),
        "back": reverse("supply:chain_detail", args=[chain.pk])})


@role_required(*OPERATIONS)
def product_create(request, pk):
    link = get_object_or_404(ChainLink.objects.select_related("chain"), pk=pk)
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.product_create(actor=request.user, link=link, name=form.cleaned_data["name"])
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("The product is added to %(link)s.") % {"link": link.name})
            return redirect(link.get_absolute_url())
    return render(request, "supply/form_page.html", {
        "form": form, "title": _("New product of %(link)s") % {"link": link},
        "help": _("Offers and needs are declared by product; its volumes are counted in the link's unit (%(unit)s).")
        % {"unit": link.unit}, "back": link.get_absolute_url()})


@role_required(*LEADERS)
def gap_target(request, pk):
    """One step: the gap becomes a 重大招商 item of the five-key list, linked back to the link."""
    link = get_object_or_404(ChainLink.objects.select_related("chain", "target"), pk=pk)
    if link.target_id:
        messages.info(request, _("This link is already an investment target."))
        return redirect("projects:item_detail", pk=link.target_id)
    figures = selectors.link_figures([link])[link.pk]
    day = selectors.today()
    leader = request.user if request.user.role == "leader" else None
    form = TargetForm(request.POST or None, initial={
        "title": _("Attract investment for %(link)s (%(chain)s chain)") % {"link": link.name, "chain": link.chain.name},
        "year": day.year, "lead_leader": leader,
        "goal": _("Bring in an enterprise for the link %(link)s of the %(chain)s chain: the zone's firms need "
                  "%(demand)s a year and zone suppliers offer %(supply)s.") % {
            "link": link.name, "chain": link.chain.name,
            "demand": amount_text(figures.demand, link.unit),
            "supply": amount_text(figures.supply, link.unit)}})
    if request.method == "POST" and form.is_valid():
        try:
            item = services.gap_target_create(actor=request.user, link=link, **form.cleaned_data)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("The gap is a major investment-attraction item of the five-key list now."))
            return redirect("projects:item_detail", pk=item.pk)
    return render(request, "supply/form_page.html", {
        "form": form, "title": _("Make %(link)s an investment target") % {"link": link},
        "help": _("A 重大招商 item of the five-key list, with its lead leader and responsible unit; the chain map "
                  "links to it."), "back": link.get_absolute_url(), "figures": figures})
