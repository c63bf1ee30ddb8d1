import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from casefile.editorial.roles import Role, create_user_with_role


class Command(BaseCommand):
    help = (
        "Create a user with a role: editor, reviewer or administrator. The password is asked "
        "for, or read from the CASEFILE_PASSWORD environment variable when not interactive."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--no-password",
            action="store_true",
            help="create the account without a usable password (set one later in the admin)",
        )

    def handle(self, *args, username, role, email, no_password, **options):
        password = None
        if not no_password:
            password = os.environ.get("CASEFILE_PASSWORD")
            if password is None:
                if not self.stdin_is_interactive():
                    raise CommandError(
                        "Give the password in CASEFILE_PASSWORD, or use --no-password."
                    )
                password = getpass.getpass("Password: ")
                if password != getpass.getpass("Password (again): "):
                    raise CommandError("The two passwords differ.")
        try:
            user = create_user_with_role(
                username=username, role=role, password=password, email=email
            )
        except (ValueError, ValidationError) as error:
            messages = getattr(error, "messages", [str(error)])
            raise CommandError(" ".join(messages)) from None
        self.stdout.write(self.style.SUCCESS(f"Created {role} {user.username}."))

    @staticmethod
    def stdin_is_interactive() -> bool:
        import sys

        return sys.stdin is not None and sys.stdin.isatty()
