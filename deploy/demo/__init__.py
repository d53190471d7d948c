"""The demo: a generator of realistic incidents that makes a fresh stack's board move (BAOSONG_DEMO=0: off)."""
