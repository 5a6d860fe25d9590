"""A job for the worker tests: it leaves a file behind, so the test sees when it ran."""
from pathlib import Path


def touch(path):
    Path(path).write_text("ran")
