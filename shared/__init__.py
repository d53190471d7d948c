"""What crosses Baosong's service boundaries: envelope, event schemas, settings, logging, auth."""
