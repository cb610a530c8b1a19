from grants.models import Application

from .conftest import complete_grant, to_state


def test_grant_goes_all_the_way(grant_call, operator, space, operator_user, officer, chair):
    app = complete_grant(grant_call, operator, space, operator_user)
    app = to_state(app, "approved", operator_user=operator_user, officer=officer, chair=chair)
    assert app.state == Application.State.APPROVED
