"""Shared column helpers for the ORM tables."""
from sqlalchemy import BigInteger, Integer

from app.extensions import db
from app.timeutil import utcnow

# BIGINT on MySQL (8 million volunteers and their records), INTEGER on SQLite for rowid keys.
IdType = BigInteger().with_variant(Integer, "sqlite")


def id_column():
    return db.Column(IdType, primary_key=True, autoincrement=True)


def fk(target, **kwargs):
    return db.Column(IdType, db.ForeignKey(target), **kwargs)


def created_column():
    return db.Column(db.DateTime, nullable=False, default=utcnow)
