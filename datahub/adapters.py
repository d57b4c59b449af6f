from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class PortalAccountAdapter(DefaultAccountAdapter):
    """Accounts are provisioned by data managers (roles come with them): no self sign-up."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False
