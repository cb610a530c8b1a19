"""Moderation: an editor submits a page for moderation; a senior editor (the senior_editor role)
approves it, which publishes it. Editors cannot publish on their own."""

import pytest
from django.contrib.auth.models import Group

from accounts import roles
from cms.models import NewsPage
from fixtures.demo_network import load_site
from fixtures.demo_site import load_moderation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(home):
    roles.sync_roles()
    load_site()  # as the demo loader does: page rights on the home page (publish for senior editors only)
    load_moderation(home)
    editor = UserFactory(roles=[roles.EDITOR], email="editor@example.pk")
    senior = UserFactory(roles=[roles.SENIOR_EDITOR], email="senior@example.pk")
    return editor, senior


def test_editors_may_edit_but_not_publish(people, news_index):
    editor, senior = people
    assert news_index.permissions_for_user(editor).can_add_subpage()
    assert not news_index.permissions_for_user(editor).can_publish_subpage()
    assert news_index.permissions_for_user(senior).can_publish()
    assert senior.groups.filter(name=roles.SENIOR_EDITOR).exists()


def test_an_editors_page_goes_live_only_when_a_senior_editor_approves(people, news_index):
    editor, senior = people
    news = NewsPage(title="Round 2 announced", slug="round-2", intro="Soon.", live=False)
    news_index.add_child(instance=news)
    revision = news.save_revision(user=editor)

    workflow = news.get_workflow()
    assert workflow is not None and workflow.name == "Moderators approval"
    state = workflow.start(news, editor)
    task_state = state.current_task_state
    task = task_state.task.specific
    assert [name for name, *_ in task.get_actions(news, editor)] == []  # the editor cannot approve
    assert "approve" in [name for name, *_ in task.get_actions(news, senior)]

    news.refresh_from_db()
    assert not news.live
    task.on_action(task_state, senior, "approve")
    news.refresh_from_db()
    assert news.live
    assert news.live_revision_id == revision.pk
    state.refresh_from_db()
    assert state.status == "approved"


def test_moderation_setup_is_idempotent(home):
    roles.sync_roles()
    first = load_moderation(home)
    second = load_moderation(home)
    assert first == second
    assert list(first.workflow_tasks.values_list("task__name", flat=True)) == ["Moderators approval"]
    assert Group.objects.filter(name=roles.SENIOR_EDITOR).count() == 1
