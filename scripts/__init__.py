"""Build and maintenance scripts run by the Makefile."""
