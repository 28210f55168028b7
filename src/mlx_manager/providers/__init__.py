"""Provider types (the catalogue) and named provider credentials.

Owns: what each provider type is (one data table), URL normalisation, key encryption, the
credential service and the in-memory directory the hot path reads. Does not own: how requests are
sent to a provider (``backends``) or which provider serves a model (``routing``).
"""
