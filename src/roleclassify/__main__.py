"""`python -m roleclassify` runs the command line."""

from .cli import main

main()
