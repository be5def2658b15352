"""What a problem is: the safe expression parser, the function and loss registry,
quantities and their flat names, the Problem and its reader. Imports errors, budget
and output only.
"""
