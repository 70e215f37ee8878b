"""Sign-in: every way to a session asks for the second factor, and no answer tells one account from another
(docs/two-factor.md)."""
