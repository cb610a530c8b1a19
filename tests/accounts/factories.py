"""People for the accounts and portal tests."""

import factory
from django.contrib.auth.models import Group

from accounts.models import User

PASSWORD = "Ravi-river-lantern-42"


class UserFactory(factory.django.DjangoModelFactory):
    """An account made by staff or a loader: verified from creation (see User.email_verified_at)."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.pk")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set(Group.objects.filter(name__in=extracted))
        if create:
            self.save()
