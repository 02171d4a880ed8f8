"""Pure rules of the game: plain data in, plain data out.

Nothing here does I/O, awaits, reads a clock or imports another Rapport package; every
function can be checked by hand against the examples in docs/gamification.md.
"""
