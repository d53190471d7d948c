"""The demo: a generator of realistic incidents that makes the board move, run only in the demo stack
(``./baosong demo`` or ``./baosong up --demo``: its own data home ``<home>-demo`` and its own ports)."""
