"""Built-in plugins, one module per exchange, registered by the plugin manager (``BUILTIN_PLUGINS``)."""
