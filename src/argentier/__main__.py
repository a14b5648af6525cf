"""``python -m argentier`` runs the command line."""

from argentier.cli import main

main()
