"""The table modules, one concept each; import them through :mod:`storage.models`."""
