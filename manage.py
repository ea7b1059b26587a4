#!/usr/bin/env python
"""Django's command-line utility for the JWCU registry."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jwcu.settings")
    from jwcu.embedded_db import use_embedded_database_if_unconfigured

    use_embedded_database_if_unconfigured()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
