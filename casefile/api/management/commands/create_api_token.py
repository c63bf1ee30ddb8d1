"""`manage.py create_api_token USERNAME --name "HRW mirror" [--write]`: issue an API token.

The key is printed once; only its hash is stored. Writing also needs the user to
have a role that allows it (see casefile/api/permissions.py).
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from casefile.api.models import ApiToken
from casefile.api.permissions import can_write_cases


class Command(BaseCommand):
    help = "Issue an API token for a user and print its key (shown only once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="who or what will use it")
        parser.add_argument("--write", action="store_true", help="allow editors' writes")

    def handle(self, *args, username, name, write, **options):
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user named {username!r}.") from None
        if write and not can_write_cases(user):
            self.stderr.write(
                f"Note: {username} has no role that allows writing cases yet, so this "
                "token cannot write until they do."
            )
        _, key = ApiToken.objects.issue(user=user, name=name, can_write=write)
        self.stdout.write(key)
