app_name = "supply"

urlpatterns = []
