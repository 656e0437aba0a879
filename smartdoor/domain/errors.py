"""Domain errors. Adapters raise these; only the edges turn them into API errors."""


class DomainError(Exception):
    """Base of every error the core raises on purpose."""


class InvalidInput(DomainError):
    """The caller sent something the rules reject; the message says what and how to fix it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class NotFound(DomainError):
    """The thing asked for does not exist (or is not visible to the caller)."""


class NotAllowed(DomainError):
    """The caller may not do this: missing or wrong owner credentials, a bad link token."""


class Conflict(DomainError):
    """The thing is no longer in a state that allows the operation (decided, registered, forgotten)."""


class RateLimited(DomainError):
    """Too many requests of this kind; retry after ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PasscodeCollision(DomainError):
    """A live passcode already has this code; the issuer draws another."""


class BadFaceEvent(DomainError):
    """A face event record that cannot be decoded; it is skipped and reported, never retried forever."""


class StorageUnavailable(DomainError):
    """A store or provider failed; the operation may be retried."""


class SmsLimitReached(DomainError):
    """The phone's SMS send limit is reached: the passcode is held back (the flow goes on without it)."""


class BadJson(DomainError):
    """Bytes from outside that are not the JSON the door accepts (bad UTF-8, too deep, huge numbers)."""


class FaceNotIndexed(BadFaceEvent):
    """The face index found no face it could keep where the event said one was (too small, blurred,
    turned away, or no frame to look at): the face is skipped and reported, never retried."""


class UnreadableFrame(FaceNotIndexed):
    """The frame is no image the door can read (bytes that decode as no JPEG, or Rekognition's
    InvalidImageFormat): the same bytes fail the same way on every try, so nothing waits for them."""
