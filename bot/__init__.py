"""Głos: the channel-agnostic core (services, rules, commands, catalogues) and the composition root (``app``)."""
