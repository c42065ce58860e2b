"""Login recipes: how to get through a tenant's own login pages in a real browser.

A recipe is a set of CSS selectors. The authorize flow waits until the browser shows
one of them (or is back at the client), then performs one *step*: fill what is visible,
click submit. Identifier-first logins (username, then password on a second page) and
consent screens are just more steps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from playwright.sync_api import Page

from hybridcheck.profile import Login, TestUser


@dataclass(frozen=True)
class LoginRecipe:
    """Selectors of a tenant's login UI. ``error`` marks the tenant's error page, ``login_error``
    the message of a login page that refused the credentials (if known)."""

    name: str
    username: str
    password: str
    submit: str
    next: str | None = None  # identifier-first: the button after the username
    consent: str | None = None  # a consent/confirmation screen's accept button
    error: str | None = None
    login_error: str | None = None

    def markers(self) -> list[str]:
        """Selectors whose presence means "the tenant wants something from the user or gave up"."""
        return [s for s in (self.username, self.password, self.consent, self.error) if s]

    def perform_step(self, page: Page, user: TestUser) -> bool:
        """Fill and submit the page on screen. Returns True when a password was submitted."""
        if self.consent and page.locator(self.consent).count():
            page.locator(self.consent).first.click()
            return False
        username = page.locator(self.username)
        password = page.locator(self.password)
        has_password = password.count() > 0 and password.first.is_visible()
        if username.count() and username.first.is_visible() and username.first.is_editable():
            username.first.fill(user.username)
        if has_password:
            password.first.fill(user.password)
        button = self.submit if has_password or not self.next else self.next
        page.locator(button).first.click()
        return has_password


_AUTH0_SUBMIT = "button[type=submit][name=action][value=default]"
_AUTH0_CONSENT = "button[type=submit][name=action][value=accept]"

RECIPES: Mapping[str, LoginRecipe] = {
    # The reference tenant: Universal-Login-like login, and its consent page for prompt=consent.
    "local": LoginRecipe(
        name="local",
        username="input#username",
        password="input#password",
        submit=_AUTH0_SUBMIT,
        consent=_AUTH0_CONSENT,
        error="#error-code",
        login_error="#login-error",
    ),
    # Auth0 Universal Login: one page, or identifier-first (username page, then password page);
    # a consent screen (third-party or localhost callback confirmation) is accepted.
    "auth0-universal-login": LoginRecipe(
        name="auth0-universal-login",
        username="input#username",
        password="input#password",
        submit=_AUTH0_SUBMIT,
        consent=_AUTH0_CONSENT,
        error="#error-page, .error-page, [data-error-code]",
        login_error="#login-error, [id^=error-element-], .ulp-input-error-message",
    ),
    # panva/oidc-provider's development interactions (v9): a login page, then a consent page
    # "Continue"; both post to /interaction/<uid> and differ only by their hidden `prompt`.
    "oidc-provider-dev": LoginRecipe(
        name="oidc-provider-dev",
        username="input[name=login]",
        password="input[name=password]",
        submit="form:has(input[name=prompt][value=login]) button[type=submit]",
        consent="form:has(input[name=prompt][value=consent]) button[type=submit]",
        error="h1:has-text('oops! something went wrong')",
    ),
}


def recipe_for(login: Login) -> LoginRecipe:
    """The recipe a profile names; ``selectors`` builds one from the profile's selectors."""
    if login.recipe != "selectors":
        return RECIPES[login.recipe]
    s = login.selectors
    return LoginRecipe(
        name="selectors",
        username=s["username"],
        password=s["password"],
        submit=s["submit"],
        next=s.get("next"),
        consent=s.get("consent"),
        error=s.get("error"),
        login_error=s.get("login_error"),
    )
