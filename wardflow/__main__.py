"""``python -m wardflow`` runs the CLI."""

from wardflow.cli import main

main()
