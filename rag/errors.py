"""Errors a user can act on: each says what was wrong, where, and what to do."""


class RagError(Exception):
    """Base class; the CLI prints these as one line and exits non-zero."""


class InputFileError(RagError):
    """A document cannot be ingested (unknown type, empty, binary, corrupt, too big)."""

    def __init__(self, path: object, problem: str, fix: str) -> None:
        self.path = str(path)
        self.problem, self.fix = problem, fix
        super().__init__(f"{path}: {problem} — {fix}")


class IndexMissingError(RagError):
    """Asking before anything was ingested."""


class ModelFetchError(RagError):
    """A model could not be fetched, assembled or verified."""


class ModelNotFetchedError(RagError):
    """A catalog model is named in settings but is not on disk yet."""
