"""Small maintenance scripts (``python -m tools.<name>``); not part of the installed package."""
