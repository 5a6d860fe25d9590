"""Flask's `g`, with the caller's account and session loaded on first use.

login_required resolves the bearer token to a sessions.Caller in one light query; most views
then need the full Account (and its volunteer profile), but the busiest ones (a check-in scan)
need only its id, so the ORM objects are loaded only when a view reads g.account / g.session.
"""
from flask.ctx import _AppCtxGlobals
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import Account, AuthSession


class RequestGlobals(_AppCtxGlobals):
    # Flask's g writes straight into __dict__, past property setters; the default attribute
    # protocol honours them and stores every other name in __dict__ just the same.
    __setattr__ = object.__setattr__

    @property
    def caller(self):
        return self.__dict__.get("_caller")

    @caller.setter
    def caller(self, value):
        # A new caller forgets the objects loaded for the previous one (an app context that
        # outlives one request, as in tests or CLI code, would otherwise keep them).
        self.__dict__.pop("_account", None)
        self.__dict__.pop("_session", None)
        self._caller = value

    @property
    def account(self):
        if "_account" not in self.__dict__:
            caller = self.caller
            self._account = (db.session.get(Account, caller.account_id, options=[joinedload(Account.volunteer)])
                             if caller is not None and caller.account_id is not None else None)
        return self.__dict__["_account"]

    @account.setter
    def account(self, value):
        self._account = value

    @property
    def session(self):
        if "_session" not in self.__dict__:
            caller = self.caller
            self._session = db.session.get(AuthSession, caller.session_id) if caller is not None else None
        return self.__dict__["_session"]

    @session.setter
    def session(self, value):
        self._session = value
