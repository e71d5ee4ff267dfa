"""Integrations of batchcancel into host frameworks that have no plugin system of their own.

Nothing here is imported by ``import batchcancel``: an integration is only active when its own
launcher starts the host (see docs/hosts/).
"""
