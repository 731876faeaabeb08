app_name = "stewards"
urlpatterns: list = []
