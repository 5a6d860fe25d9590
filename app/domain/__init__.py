"""Pure domain rules: no Flask, no SQL, no WeChat."""
