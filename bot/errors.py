"""Failures of the bot's own faces that the CLI reports as one line."""


class BotError(Exception):
    """A problem a person can fix (a missing token, an unreachable server): one line."""
