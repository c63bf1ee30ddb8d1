#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casefile.settings")
    from django.core.management import execute_from_command_line

    from casefile.embedded_db import EmbeddedServerError

    try:
        execute_from_command_line(sys.argv)
    except EmbeddedServerError as error:
        sys.exit(str(error))


if __name__ == "__main__":
    main()
