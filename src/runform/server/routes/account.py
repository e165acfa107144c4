"""Logging in and out, and who is logged in."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.encoders import jsonable_encoder
from starlette.responses import JSONResponse, Response

from runform.server.auth import (
    SESSION_COOKIE,
    CoachDep,
    CoachIdentity,
    LoginRefused,
    NewLogin,
    log_in,
    log_out,
)
from runform.server.context import ContextDep
from runform.server.database import open_session
from runform.server.routes.schemas import CoachOut, LoginIn, LoginOut

__all__ = ["attach_login_cookie", "detach_login_cookie", "router"]

router = APIRouter(prefix="/api", tags=["account"])


def _describe_login(identity: CoachIdentity, login: NewLogin | None = None) -> LoginOut:
    coach = CoachOut(id=identity.coach_id, email=identity.email, name=identity.name)
    return LoginOut(coach=coach, csrf_token=identity.csrf_token,
                    expires=login.expires if login else None)  # fmt: skip


def attach_login_cookie(response: Response, login: NewLogin, secure: bool) -> None:
    """Set a new login's cookie: ``HttpOnly``, ``SameSite=Lax``, ``Secure`` behind TLS."""
    response.set_cookie(SESSION_COOKIE, login.token, expires=login.expires, path="/",
                        httponly=True, samesite="lax", secure=secure)  # fmt: skip


def detach_login_cookie(response: Response, secure: bool) -> None:
    """Clear the login cookie (the login itself is deleted by :func:`log_out`)."""
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax",
                           secure=secure)  # fmt: skip


@router.post(
    "/login",
    response_model=LoginOut,
    responses={401: {"description": "wrong email or password"},
               429: {"description": "too many failed logins (see Retry-After)"}},
)  # fmt: skip
def post_login(body: LoginIn, request: Request, context: ContextDep) -> JSONResponse:
    """Log a coach in: sets the session cookie and returns the CSRF token.

    Send the token in an ``X-CSRF-Token`` header with every ``POST``,
    ``PUT``, ``PATCH`` and ``DELETE``.
    """
    address = request.client.host if request.client else "unknown"
    refused: LoginRefused | None = None
    with open_session(context.sessions) as db:  # failed attempts are committed too
        try:
            login = log_in(db, body.email, body.password, address)
        except LoginRefused as error:
            refused = error
    if refused is not None:
        if refused.retry_after_s is not None:
            return JSONResponse({"detail": str(refused)}, status_code=429,
                                headers={"Retry-After": str(refused.retry_after_s)})  # fmt: skip
        return JSONResponse({"detail": str(refused)}, status_code=401)
    response = JSONResponse(jsonable_encoder(_describe_login(login.identity, login)))
    attach_login_cookie(response, login, context.settings.secure_cookies)
    return response


@router.post("/logout", status_code=204)
def post_logout(
    request: Request,
    coach: CoachDep,
    context: ContextDep,
) -> Response:
    """Log out: the login is deleted on the server and the cookie cleared."""
    with open_session(context.sessions) as db:
        log_out(db, request.cookies.get(SESSION_COOKIE, ""))
    response = Response(status_code=204)
    detach_login_cookie(response, context.settings.secure_cookies)
    return response


@router.get("/me", response_model=LoginOut)
def get_me(coach: CoachDep) -> LoginOut:
    """Say who is logged in, with this login's CSRF token (after a page reload, say)."""
    return _describe_login(coach)
