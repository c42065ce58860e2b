"""The tenant's HTML: the login page, the error page and the form_post page.

Element ids are part of the contract with the suite's login recipe:
login — ``input#username``, ``input#password``, ``button[name=action][value=default]``,
hidden ``txn``, an error in ``#login-error``; consent — ``button[name=action][value=accept]``
(and ``value=deny``), hidden ``txn``; error page — ``#error-title``,
``#error-code``, ``#error-description``.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from starlette.responses import HTMLResponse

from hybridcheck.tenant.misconfigurations import MFA_TITLE
from hybridcheck.tenant.responses import NO_STORE

_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{title}</title></head>
<body{body_attrs}>
{content}
</body>
</html>
"""


def _page(title: str, content: str, body_attrs: str = "") -> str:
    return _PAGE.format(title=escape(title), content=content, body_attrs=body_attrs)


def login_page(txn: str, username: str = "", error: str | None = None) -> str:
    """Universal-Login-like form, one step: username, password, Continue."""
    message = f'<p id="login-error" role="alert">{escape(error)}</p>\n' if error else ""
    content = f"""<h1 id="login-title">Log in</h1>
{message}<form method="post" action="/u/login">
<input type="hidden" name="txn" value="{escape(txn)}">
<label for="username">Email address</label>
<input id="username" name="username" type="text" autocomplete="username" value="{escape(username)}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password">
<button type="submit" name="action" value="default">Continue</button>
</form>"""
    return _page("Log in", content)


def identifier_page(txn: str, username: str = "") -> str:
    """New Universal Login, identifier first: the username alone, then Continue (Auth0 mode)."""
    content = f"""<main class="ulp-container"><h1>Welcome</h1><p>Log in to continue.</p>
<form method="post" action="/u/login" data-form-primary="true">
<input type="hidden" name="txn" value="{escape(txn)}">
<input type="hidden" name="step" value="identifier">
<label for="username">Email address*</label>
<input id="username" name="username" type="text" inputmode="email" autocomplete="username" value="{escape(username)}">
<button type="submit" name="action" value="default">Continue</button>
</form></main>"""
    return _page("Log in", content)


def password_page(txn: str, username: str, error: str | None = None) -> str:
    """New Universal Login, the second page: the username shown, the password, Continue (Auth0 mode)."""
    message = (f'<div id="error-element-password" class="ulp-input-error-message">{escape(error)}</div>\n'
               if error else "")
    content = f"""<main class="ulp-container"><h1>Enter Your Password</h1>
<form method="post" action="/u/login" data-form-primary="true">
<input type="hidden" name="txn" value="{escape(txn)}">
<input type="hidden" name="username" value="{escape(username)}">
<span class="ulp-authenticator-selector-text">{escape(username)}</span>
<label for="password">Password*</label>
<input id="password" name="password" type="password" autocomplete="current-password">
{message}<button type="submit" name="action" value="default">Continue</button>
</form></main>"""
    return _page("Enter your password", content)


def mfa_page(txn: str) -> str:
    """Auth0's one-time-password challenge after the password (misconfiguration ``mfa_for_test_user``)."""
    content = f"""<h1 id="mfa-title">{escape(MFA_TITLE)}</h1>
<p>Check your preferred one-time password application for a code.</p>
<form method="post" action="/u/mfa-otp-challenge">
<input type="hidden" name="txn" value="{escape(txn)}">
<label for="code">Enter your one-time code</label>
<input id="code" name="code" type="text" autocomplete="one-time-code">
</form>"""
    return _page(MFA_TITLE, content)


def consent_page(txn: str, client_id: str, scope: tuple[str, ...]) -> str:
    """Auth0-like consent ("Authorize App"), shown for ``prompt=consent`` (Core §3.1.2.1)."""
    items = "\n".join(f"<li>{escape(value)}</li>" for value in scope)
    content = f"""<h1 id="consent-title">Authorize {escape(client_id)}</h1>
<p>The application asks for:</p>
<ul id="consent-scopes">
{items}
</ul>
<form method="post" action="/u/consent">
<input type="hidden" name="txn" value="{escape(txn)}">
<button type="submit" name="action" value="accept">Accept</button>
<button type="submit" name="action" value="deny">Decline</button>
</form>"""
    return _page("Authorize App", content)


def error_page(error: str, description: str) -> str:
    """An error shown at the tenant instead of redirecting (OAuth §4.1.2.1, first paragraph)."""
    content = f"""<h1 id="error-title">Oops!, something went wrong</h1>
<p id="error-code">{escape(error)}</p>
<p id="error-description">{escape(description)}</p>"""
    return _page("Error", content)


def auth0_error_page(error: str, description: str) -> str:
    """Auth0's error page (Auth0 mode): no redirect, the code in ``data-error-code``."""
    content = f"""<main id="error-page" class="error-page" data-error-code="{escape(error)}">
<h1>Oops!, something went wrong</h1>
<p class="error-code">{escape(error)}</p>
<p class="error-description">{escape(description)}</p>
</main>"""
    return _page("Error", content)


def error_response(error: str, description: str, status_code: int = 400, *, auth0: bool = False) -> HTMLResponse:
    """The error page as a response (never cached); ``auth0``: Auth0's markup."""
    page = auth0_error_page(error, description) if auth0 else error_page(error, description)
    return HTMLResponse(page, status_code=status_code, headers=NO_STORE)


def unmarked_error_response(error: str, description: str) -> HTMLResponse:
    """The same error in a page without the ids of the contract (fault ``error_page_unmarked``)."""
    content = f"<main><h2>Something went wrong</h2><p>{escape(error)}: {escape(description)}</p></main>"
    return HTMLResponse(_page("Error", content), status_code=400, headers=NO_STORE)


def form_post_page(action: str, pairs: Iterable[tuple[str, str]]) -> str:
    """OAuth 2.0 Form Post Response Mode §2: a page that POSTs the response (``pairs`` in order) to the client."""
    inputs = "\n".join(f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'
                       for name, value in pairs)
    content = f"""<form method="post" action="{escape(action)}">
{inputs}
<noscript><button type="submit">Continue</button></noscript>
</form>"""
    return _page("Submit This Form", content, body_attrs=' onload="document.forms[0].submit()"')
