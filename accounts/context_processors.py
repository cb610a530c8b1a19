from .roles import ROLE_LABELS


def roles(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_roles": []}
    return {"user_roles": [ROLE_LABELS[r] for r in ROLE_LABELS if user.has_role(r)]}
