from django.urls import path

from supply import views

app_name = "supply"
urlpatterns = [
    # The chain map (产业链图谱).
    path("", views.chain_list, name="chain_list"),
    path("chains/<int:pk>/", views.chain_detail, name="chain_detail"),
    path("chains/<int:pk>/links/new/", views.link_create, name="link_create"),
    path("links/<int:pk>/products/new/", views.product_create, name="product_create"),
    path("links/<int:pk>/target/", views.gap_target, name="gap_target"),
    # Offers and needs.
    path("offers/", views.OfferListView.as_view(), name="offer_list"),
    path("needs/", views.NeedListView.as_view(), name="need_list"),
    path("mine/", views.mine, name="mine"),
    path("enterprises/<int:pk>/", views.enterprise_page, name="enterprise"),
    path("enterprises/<int:pk>/offers/new/", views.offer_create, name="offer_create"),
    path("enterprises/<int:pk>/needs/new/", views.need_create, name="need_create"),
    path("offers/<int:pk>/edit/", views.offer_edit, name="offer_edit"),
    path("offers/<int:pk>/withdraw/", views.offer_withdraw, name="offer_withdraw"),
    path("needs/<int:pk>/edit/", views.need_edit, name="need_edit"),
    path("needs/<int:pk>/withdraw/", views.need_withdraw, name="need_withdraw"),
    path("import/", views.ImportView.as_view(), name="import"),
    # Matchmaking.
    path("suggestions/", views.suggestions, name="suggestions"),
    path("cases/", views.CaseListView.as_view(), name="case_list"),
    path("cases/new/", views.case_open, name="case_open"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/stage/", views.case_stage, name="case_stage"),
    path("cases/<int:pk>/obstacles/new/", views.obstacle_raise, name="obstacle_raise"),
    path("cases/<int:pk>/obstacles/link/", views.obstacle_link, name="obstacle_link"),
    path("cases/<int:pk>/contract/", views.contract_sign, name="contract_sign"),
    # Three-party contracts.
    path("contracts/", views.ContractListView.as_view(), name="contract_list"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract_detail"),
    path("contracts/<int:pk>/deliveries/new/", views.delivery_record, name="delivery_record"),
    path("contracts/<int:pk>/payments/new/", views.payment_record, name="payment_record"),
    path("contracts/<int:pk>/saving/", views.saving_report, name="saving_report"),
    path("deliveries/", views.DeliveryListView.as_view(), name="delivery_list"),
    path("figures/", views.figures, name="figures"),
]
