from app.core.errors import Conflict, NotAuthenticated, TooManyRequests


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
