"""The one base class of privwatch's domain errors.

Code below the CLI (config, crawlers, nlp, storage and privwatch's domain modules) raises a subclass with
a one-line message; the `privwatch` click group turns every PrivwatchError into a one-line CLI error in
one place, so no command needs its own except clause for it.
"""


class PrivwatchError(Exception):
    """A domain error whose message is one line, fit to show the user as it is."""
