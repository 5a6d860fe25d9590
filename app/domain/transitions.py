"""A tiny helper for states written as a table: {(state, action): next_state}."""
from app.errors import DomainError


class IllegalTransition(DomainError):
    """The table has no move for (state, action). Its code is the refusal the caller named, since
    what an illegal move means depends on where it is tried (a second review: ALREADY_REVIEWED)."""

    def __init__(self, code, state, action):
        super().__init__(code)
        self.state = state
        self.action = action


def next_state(table, state, action, refusal="CONFLICT"):
    """The state after `action`, or IllegalTransition with the catalogue code `refusal` (by default
    CONFLICT: the state moved under the caller)."""
    try:
        return table[(state, action)]
    except KeyError:
        raise IllegalTransition(refusal, state, action) from None
