"""The operator's recovery path: ``manage.py mfa_reset USERNAME`` for a lost app and codes."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from mfa.services import mfa_reset


class Command(BaseCommand):
    help = (
        "Remove a person's two-factor devices (authenticator app and recovery codes), e.g. when "
        "they lost their phone. They set up a new app the next time they sign in; their "
        "sessions verified with the old one must give a code again. Check who is asking first."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="The account's username.")

    def handle(self, *args, username, **options):
        user_model = get_user_model()
        user = user_model._default_manager.filter(**{user_model.USERNAME_FIELD: username}).first()
        if user is None:
            raise CommandError(f"No account has the username '{username}'.")
        removed = mfa_reset(user=user, by="mfa_reset_command")
        if removed:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Removed {removed} two-factor device{'s' if removed != 1 else ''} of "
                    f"'{username}'. They will set up an authenticator app again the next time "
                    "they sign in."
                )
            )
        else:
            self.stdout.write(f"'{username}' had no two-factor devices; nothing was changed.")
