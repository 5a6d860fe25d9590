"""The outbox and the jobs that deliver template, subscribe and SMS messages."""
