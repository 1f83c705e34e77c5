"""The `civicloop` command: Django's manage.py with civicloop's own commands added.

`civicloop demo`, `civicloop serve`, `civicloop areas import FILE` and every Django
command (`civicloop migrate`, `civicloop createsuperuser`, …).
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicloop.settings")
    from django.core.management import execute_from_command_line

    from civicloop.config import ConfigError

    try:
        execute_from_command_line(sys.argv)
    except ConfigError as exc:
        sys.stderr.write(f"civicloop: configuration error: {exc}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
