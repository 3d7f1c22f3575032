"""Flows that combine the Qt-free core (savedmodel, inputs, results, engine): compare, batch.

The faces (``ui``, ``cli``) call these; nothing in the core imports them.
"""
