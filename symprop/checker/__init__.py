"""Marking hand-computed answers against a Solution: verdicts (exact, rounded,
carried forward, wrong) and the diagnosed mistake. Reads the Solution, never the engine.
"""
