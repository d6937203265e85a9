"""factory_boy factories for people; family data is made through the real services so every
test family has a valid record chain."""

from __future__ import annotations

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from coparent.accounts.models import User

PASSWORD = "correct horse battery staple 42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Faker("first_name")
    email_confirmed_at = factory.LazyFunction(timezone.now)
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def email_address(self, create: bool, extracted: object, **kwargs: object) -> None:
        """allauth's record of the address, as User.objects.create_user makes it."""
        if create:
            EmailAddress.objects.create(
                user=self, email=self.email, primary=True, verified=self.email_confirmed
            )
