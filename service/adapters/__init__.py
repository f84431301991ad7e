"""Small adapters from the service's jobs and exports to the library (forms/, audit/).

Nothing here decides a rule or lays out a document: the adapters only move bytes between
the file store and the same library functions the CLI calls.
"""
