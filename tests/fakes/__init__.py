"""Fakes at the network edge only: upstream providers served on loopback."""
