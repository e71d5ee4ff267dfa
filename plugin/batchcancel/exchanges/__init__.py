"""Built-in plugins, one module per exchange; each registered through the ``batchcancel`` entry points."""
