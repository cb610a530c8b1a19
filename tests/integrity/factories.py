"""Factories for the integrity tests. Grievances whose path matters are filed through the services
(integrity.services.grievances.grievance_file); these make the people and bodies around them."""

import factory

from integrity.models import Department, Official
from tests.factories import OperatorFactory, SpaceFactory, UserFactory

__all__ = ["DepartmentFactory", "OfficialFactory", "OperatorFactory", "SpaceFactory", "UserFactory"]


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"dept-{n}")
    name = factory.Sequence(lambda n: f"Department {n}")
    level = Department.Level.PROVINCIAL


class OfficialFactory(factory.django.DjangoModelFactory):
    """An inspector of a department (pass `user=` with the inspector role)."""

    class Meta:
        model = Official

    user = factory.SubFactory(UserFactory)
    department = factory.SubFactory(DepartmentFactory)
    designation = "Inspector"
