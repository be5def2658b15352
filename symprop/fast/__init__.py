"""The layer-at-a-time exact path (python-flint) behind symprop.gradients; it returns
exactly what the SymPy engine returns. Imports core and below.
"""
