from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .roles import ROLE_LABELS


@login_required
def home(request):
    """Where everyone lands after signing in: the work that waits for each of their roles."""
    roles = [(code, label) for code, label in ROLE_LABELS.items() if request.user.has_role(code)]
    return render(request, "accounts/home.html", {"roles": roles})
