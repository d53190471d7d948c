"""How Baosong runs on one machine: a private PostgreSQL cluster, a KRaft broker, the four services."""
