"""A tiny helper for states written as a table: {(state, action): next_state}."""


class IllegalTransition(ValueError):
    """The table has no move for (state, action); callers turn it into their own error."""

    def __init__(self, state, action):
        super().__init__(f"no transition from {state!r} on {action!r}")
        self.state = state
        self.action = action


def next_state(table, state, action):
    try:
        return table[(state, action)]
    except KeyError:
        raise IllegalTransition(state, action) from None
