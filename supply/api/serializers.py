"""The supply API's shapes. Prices are the firm's own: an enterprise reads its own price and
never another firm's (``_without_prices``)."""

from rest_framework import serializers

from supply.models import Delivery, MatchCase, Payment, SupplyContract, SupplyNeed, SupplyOffer
from supply.services import sees_price_of
from zonehub.models import Role


def _user(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class _DeclarationSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    product_name = serializers.CharField(source="product.name", read_only=True)
    link_name = serializers.CharField(source="link.name", read_only=True)
    chain = serializers.IntegerField(source="link.chain_id", read_only=True)
    chain_name = serializers.CharField(source="link.chain.name", read_only=True)
    unit = serializers.CharField(source="link.unit", read_only=True)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not sees_price_of(_user(self), instance.enterprise_id):
            data["unit_price"] = None
        return data


COMMON = ["id", "enterprise", "enterprise_name", "chain", "chain_name", "link", "link_name", "product", "product_name",
          "unit", "unit_price", "note", "is_active", "created_at", "withdrawn_at"]


class SupplyOfferSerializer(_DeclarationSerializer):
    class Meta:
        model = SupplyOffer
        fields = [*COMMON, "yearly_capacity"]
        read_only_fields = fields


class SupplyNeedSerializer(_DeclarationSerializer):
    class Meta:
        model = SupplyNeed
        fields = [*COMMON, "yearly_volume", "current_source"]
        read_only_fields = fields


class SuggestionSerializer(serializers.Serializer):
    """A zone supplier for a need: its offer, and how much of the need its capacity covers."""

    offer = serializers.IntegerField(source="pk")
    enterprise = serializers.IntegerField(source="enterprise_id")
    enterprise_name = serializers.CharField(source="enterprise.name")
    product = serializers.IntegerField(source="product_id")
    product_name = serializers.CharField(source="product.name")
    same_product = serializers.BooleanField()
    yearly_capacity = serializers.DecimalField(max_digits=14, decimal_places=2)
    coverage = serializers.FloatField(allow_null=True, help_text="Capacity ÷ the need's volume, in per cent.")
    case = serializers.IntegerField(source="case_id", allow_null=True, default=None,
                                    help_text="The open case between the need and this offer, if any.")


class MatchCaseSerializer(serializers.ModelSerializer):
    buyer_name = serializers.CharField(source="buyer.name", read_only=True)
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)
    product_name = serializers.CharField(source="product.name", read_only=True)
    chain_name = serializers.CharField(source="chain.name", read_only=True)
    broker_name = serializers.CharField(source="broker.display_name", read_only=True, allow_null=True, default=None)
    contract = serializers.SerializerMethodField()

    class Meta:
        model = MatchCase
        fields = ["id", "need", "offer", "buyer", "buyer_name", "supplier", "supplier_name", "product", "product_name",
                  "link", "chain", "chain_name", "stage", "broker", "broker_name", "note", "failure_reason", "opened_at",
                  "stage_changed_at", "closed_at", "contract"]
        read_only_fields = fields

    def get_contract(self, case) -> int | None:
        contract = getattr(case, "contract", None)
        return contract.pk if contract is not None else None


class DeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = Delivery
        fields = ["id", "delivered_on", "quantity", "batch", "note"]
        read_only_fields = fields


class PaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Payment
        fields = ["id", "direction", "paid_on", "amount", "reference"]
        read_only_fields = fields


# What only the operations centre and the zone's staff read: an enterprise gets its own side.
STAFF_ONLY = ("unit_price", "fee_rate", "buyer_price", "paid_by_buyer", "paid_to_supplier", "buyer_balance",
              "supplier_balance", "fee_income", "buyer_saving", "supplier_saving", "saving_to_date")


class SupplyContractSerializer(serializers.ModelSerializer):
    buyer_name = serializers.CharField(source="buyer.name", read_only=True)
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)
    product_name = serializers.CharField(source="product.name", read_only=True)
    stage = serializers.CharField(source="case.stage", read_only=True)
    buyer_price = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    buyer_balance = serializers.DecimalField(max_digits=18, decimal_places=2, read_only=True)
    supplier_balance = serializers.DecimalField(max_digits=18, decimal_places=2, read_only=True)
    fee_income = serializers.DecimalField(max_digits=18, decimal_places=2, read_only=True)
    saving_to_date = serializers.DecimalField(max_digits=18, decimal_places=2, read_only=True)
    own_price = serializers.SerializerMethodField(help_text="An enterprise's own price per unit (the buyer's includes "
                                                            "the operations fee); null for the zone's staff.")
    own_balance = serializers.SerializerMethodField(help_text="An enterprise's own balance with the company "
                                                              "(above 0: it is owed / owes, by side); null for staff.")
    deliveries = DeliverySerializer(many=True, read_only=True)
    payments = serializers.SerializerMethodField()

    class Meta:
        model = SupplyContract
        fields = ["id", "number", "case", "stage", "buyer", "buyer_name", "supplier", "supplier_name", "operator",
                  "product", "product_name", "chain", "unit", "quantity", "delivered", "starts_on", "ends_on",
                  "signed_on", "payment_terms", *STAFF_ONLY, "own_price", "own_balance", "deliveries", "payments"]
        read_only_fields = fields

    def _side(self, contract) -> str | None:
        user = _user(self)
        if user is None or user.effective_role != Role.ENTERPRISE:
            return None
        return "buyer" if user.enterprise_id == contract.buyer_id else "supplier"

    def get_own_price(self, contract) -> str | None:
        side = self._side(contract)
        if side is None:
            return None
        return str(contract.buyer_price if side == "buyer" else contract.unit_price)

    def get_own_balance(self, contract) -> str | None:
        side = self._side(contract)
        if side is None:
            return None
        return str(contract.buyer_balance if side == "buyer" else contract.supplier_balance)

    def get_payments(self, contract) -> list[dict]:
        side = self._side(contract)
        payments = list(contract.payments.all())
        if side is not None:
            own = Payment.Direction.BUYER_TO_COMPANY if side == "buyer" else Payment.Direction.COMPANY_TO_SUPPLIER
            payments = [p for p in payments if p.direction == own]
        return PaymentSerializer(payments, many=True).data

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if self._side(instance) is not None:
            for name in STAFF_ONLY:
                data[name] = None
        return data
