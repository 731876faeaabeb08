def register(router) -> None:
    """Register this app's viewsets on the one API router (portal/api_urls.py)."""
    from supply.api.views import MatchCaseViewSet, SupplyContractViewSet, SupplyNeedViewSet, SupplyOfferViewSet

    router.register("supply-offers", SupplyOfferViewSet, basename="supplyoffer")
    router.register("supply-needs", SupplyNeedViewSet, basename="supplyneed")
    router.register("matchmaking-cases", MatchCaseViewSet, basename="matchcase")
    router.register("supply-contracts", SupplyContractViewSet, basename="supplycontract")
