"""The signed-in person, read once per request (issue #23).

Django's ModelBackend reads the person on every signed-in request; then `User.has_role` read their
roles and the two-factor middleware asked whether they have a confirmed authenticator: three queries
on every page, a third of an operator's page's queries on deadline day. PersonBackend reads all three
in one: the person's row with the names of their groups and, per kind of device, whether one is
confirmed. Nothing is kept between requests, so a role taken away or a device removed counts on the
next request, as before.

It authenticates exactly as ModelBackend does (it is one); only `get_user` differs.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import router
from django.db.models import Aggregate, CharField, Exists, OuterRef, Subquery
from django_otp import device_classes

# Group names are the role codes of accounts/roles.py: lower-case words and underscores, no commas.
SEPARATOR = ","


class _Names(Aggregate):
    """The names in one string: STRING_AGG on PostgreSQL, GROUP_CONCAT on SQLite."""

    function = "STRING_AGG"
    template = f"%(function)s(%(expressions)s, '{SEPARATOR}')"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


def _devices() -> dict:
    """Per kind of device (django_otp's device classes): whether the person has a confirmed one."""
    return {
        f"confirmed_device_{n}": Exists(model.objects.filter(user_id=OuterRef("pk"), confirmed=True))
        for n, model in enumerate(device_classes())
    }


def _role_names() -> Subquery:
    """The person's group names, joined by SEPARATOR (None when they have none)."""
    memberships = get_user_model().groups.through.objects.filter(user_id=OuterRef("pk")).values("user_id")
    return Subquery(memberships.annotate(names=_Names("group__name")).values("names"), output_field=CharField())


# The query's SQL per database, built by the ORM once per process (building and compiling a query
# with three subqueries cost a fifth of a worker's CPU on deadline day) and then run with the id. The
# ORM's parameters are constants but for the id, found by a value no id has.
_UNSET = -736_301
_compiled: dict[str, tuple[str, list, int, list[str]]] = {}


def _person_query(using: str) -> tuple[str, list, int, list[str]] | None:
    """(SQL, its parameters, the position of the person's id among them, the device columns), or None
    when the id is not exactly one of the parameters (then the query is built each time)."""
    if using not in _compiled:
        devices = _devices()
        queryset = get_user_model()._default_manager.using(using).filter(pk=_UNSET)
        sql, params = queryset.annotate(role_names=_role_names(), **devices).query.sql_with_params()
        positions = [n for n, value in enumerate(params) if value == _UNSET]
        if len(positions) != 1:
            return None
        _compiled[using] = (sql, list(params), positions[0], list(devices))
    return _compiled[using]


class PersonBackend(ModelBackend):
    def get_user(self, user_id):
        User = get_user_model()
        using = router.db_for_read(User)
        compiled = _person_query(using)
        if compiled is not None:
            sql, params, position, devices = compiled
            params = [*params[:position], user_id, *params[position + 1 :]]
            user = next(iter(User._default_manager.db_manager(using).raw(sql, params)), None)
        else:
            annotations = _devices()
            devices = list(annotations)
            queryset = User._default_manager.using(using).filter(pk=user_id)
            user = queryset.annotate(role_names=_role_names(), **annotations).first()
        if user is None or not self.user_can_authenticate(user):
            return None
        user._role_cache = {name for name in (user.role_names or "").split(SEPARATOR) if name}  # User.has_role
        # Read before the view runs, for the two-factor middleware only (accounts.two_factor): a view
        # that adds or removes a device asks the database again.
        user.confirmed_device_on_arrival = any(getattr(user, key) for key in devices)
        return user
