"""Exact computation: problem → tape of scalar equations → forward pass, reverse sweep,
update → the Solution (the one intermediate representation) and its facts.
Imports model and below; never a renderer (renderers register themselves).
"""
