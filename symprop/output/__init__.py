"""Writing bytes safely: atomic files, the .symprop.json manifest of what is ours,
all-or-nothing folders, and the one place pdflatex runs. Knows nothing of networks;
imports only errors and budget.
"""
