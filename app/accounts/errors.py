from app.core.errors import Conflict, Forbidden, NotAuthenticated, TooManyRequests


class EmailTaken(Conflict):
    code = "email-taken"
    title = "The email is already registered"


class InvalidCredentials(NotAuthenticated):
    code = "invalid-credentials"
    title = "Wrong email or password"


class InvalidToken(NotAuthenticated):
    code = "invalid-token"
    title = "The token is not valid"


class TooManyLoginFailures(TooManyRequests):
    code = "too-many-login-failures"
    title = "Too many failed logins"


class RefreshTokenReused(InvalidToken):
    code = "refresh-token-reused"
    title = "The refresh token was already used"
    keeps_changes = True  # the revocation of the token's family must be stored


class WrongPassword(Forbidden):
    """403, not 401: the caller's token is good, and a 401 would tell its client to log in again."""

    code = "wrong-password"
    title = "The current password is wrong"
