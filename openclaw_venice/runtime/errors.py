"""The one error tree of the host and its plugins.

::

    OpenClawError                 every failure a user can be shown (one line + what to do)
    ├── UsageError                the command line asks for what cannot be (exit 2)
    │   ├── UnknownModelError     a model ref no provider offers (closest matches)
    │   ├── UnknownProviderError  a provider id no plugin registered (also a PluginError)
    │   └── UnknownCharacterError a character slug the provider does not host (closest ones)
    ├── ConfigError               the config file cannot be used
    │   ├── ConfigParseError      malformed JSON5 (file, line, column)
    │   └── ConfigValueError      a value of the wrong shape (config path)
    ├── MissingVariableError      ``${VAR}`` names an unset variable (variable, config path)
    ├── SecretError               no usable API key (which flag/env/command fixes it)
    ├── PluginError               a plugin failed to load or register
    ├── ProviderUnreachableError  a provider could not be asked (``models refresh``)
    ├── OutputError               stdout cannot be written (closed, a full disk)
    └── ProviderError             raised by provider plugins; they subclass it
        │                         (see ``openclaw_venice.errors`` for Venice's subtree)
        └── KeyRefusedError       the provider refused the API key (the host says where
                                  the key came from and how to replace it)

The CLI alone turns these into ``Error: <message>`` and an exit code; ``--debug`` adds the
traceback. Messages never contain secrets.
"""

from __future__ import annotations


class OpenClawError(Exception):
    """Base of every error the user may see. ``str(err)`` is a complete one-line message."""

    exit_code: int = 1


class UsageError(OpenClawError):
    """The command line asks for what cannot be (exit status 2)."""

    exit_code = 2


class ConfigError(OpenClawError):
    """The config file cannot be used as it is."""


class OutputError(OpenClawError):
    """Stdout cannot be written (closed, a full disk)."""


class ConfigParseError(ConfigError):
    """The file is not JSON5: ``path``, ``line``, ``column`` and ``detail`` say where."""

    def __init__(self, path: str, line: int, column: int, detail: str) -> None:
        self.path, self.line, self.column, self.detail = path, line, column, detail
        super().__init__(
            f"{path}:{line}:{column}: invalid JSON5 ({detail}); fix the file by hand, "
            "nothing was written"
        )


class ConfigValueError(ConfigError):
    """A value of the wrong shape, named by its ``config_path`` (``models.mode``)."""

    def __init__(self, config_path: str, detail: str) -> None:
        self.config_path = config_path
        super().__init__(f"config value {config_path}: {detail}")


class MissingVariableError(ConfigError):
    """A ``${VAR}`` in the config names an unset or empty variable. Only a key
    (``apiKey``) is something ``openclaw onboard`` stores; any other value (a ``baseUrl``,
    a header) the user fixes in the file, which onboarding would fail to read just the
    same."""

    def __init__(self, variable: str, config_path: str) -> None:
        self.variable, self.config_path = variable, config_path
        if config_path.rsplit(".", 1)[-1] == "apiKey":
            fix = "run `openclaw onboard` to store it"
        else:
            fix = f"change {config_path} in the config file"
        super().__init__(
            f"environment variable {variable} referenced at {config_path} is missing or empty; "
            f"set it, or {fix}"
        )


class SecretError(OpenClawError):
    """No usable API key; the message says which option, variable or command gives one."""


class PluginError(OpenClawError):
    """A plugin failed to load or register, or lacks what a command asks of it."""


class UnknownProviderError(PluginError, UsageError):
    """A provider id no installed plugin registered, named by the user."""


class UnknownModelError(UsageError):
    """A model ref no provider offers (with the closest ones). ``fallback``: why only the
    provider's bundled models were looked in (see ``Catalog.fallback``); the live list may
    well have the model."""

    def __init__(
        self,
        ref: str,
        suggestions: list[str],
        fallback: str | None = None,
        refresh: str = "openclaw models refresh",
    ) -> None:
        """``refresh``: the command that fetches the live list."""
        self.ref, self.suggestions, self.fallback = ref, suggestions, fallback
        guess = f"did you mean {', '.join(suggestions)}?" if suggestions else ""
        if fallback is None:
            hint = guess or "run `openclaw models list` to see the models"
            super().__init__(f"unknown model {ref}; {hint}")
            return
        refresh = f"run `{refresh}` to fetch the live list"
        hint = f"{guess} Or {refresh}" if guess else refresh
        where = f"in the bundled list, used because {fallback}"
        super().__init__(f"unknown model {ref} {where}; {hint}")


class UnknownCharacterError(UsageError):
    """A character slug ``provider`` does not host (raised by its ``characters``
    capability); ``suggestions``: slugs it does host that look like it."""

    def __init__(
        self,
        provider: str,
        slug: str,
        suggestions: tuple[str, ...] = (),
        request_id: str | None = None,
    ) -> None:
        self.provider, self.slug, self.suggestions = provider, slug, suggestions
        self.request_id = request_id
        listing = f"`openclaw characters --provider {provider} --search WORD` lists them"
        where = f"; request id {request_id}" if request_id else ""
        if suggestions:
            hint = f"did you mean {', '.join(suggestions)}? ({listing}{where})"
        else:
            hint = f"{listing}{f' ({where[2:]})' if where else ''}"
        super().__init__(f"{provider} has no character {slug!r}; {hint}")


class ProviderUnreachableError(OpenClawError):
    pass


class ProviderError(OpenClawError):
    """Base for errors raised by provider plugins. ``status``: the HTTP status that says
    it best: the provider's error answer's, 400 for a request the provider will not send,
    0 when the provider could not be asked; ``retry_after``: seconds the provider asked the
    caller to wait, if it did."""

    status: int = 0
    retry_after: float | None = None


class KeyRefusedError(ProviderError):
    """The provider refused the API key (HTTP 401). ``headline`` is the provider's part of
    the line (what was refused, the request id) without advice: the ``openclaw`` command adds
    where the key came from and how to replace it, which only the host knows. ``blames_key``
    is False when the key is fine but not enough (a plan that does not include the model)."""

    blames_key: bool = True

    @property
    def headline(self) -> str:
        return str(self)
