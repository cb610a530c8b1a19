"""Every integrity page: visits (integrity/urls_visits.py) and grievances (integrity/urls_grievances.py)."""

from . import urls_grievances, urls_visits

app_name = "integrity"

urlpatterns = [*urls_visits.urlpatterns, *urls_grievances.urlpatterns]
