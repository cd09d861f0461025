"""Errors that services raise for bad input; views and the CLI turn them into messages."""


class ValidationError(ValueError):
    """Input refused; `field` names what was wrong, the message says why."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message
