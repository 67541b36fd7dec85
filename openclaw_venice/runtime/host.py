"""One command's view of the runtime: environment, config file, plugins, caches, output.

Everything is loaded on first use, so a command pays only for what it touches.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from . import settings
from .catalog import Catalog, ModelInfo, overlay_config_models
from .config_file import ConfigDocument, config_path, get_path, load_config
from .plugins import Provider, ProviderContext, Registry, load_plugins
from .settings import APP_NAME

if TYPE_CHECKING:
    from .key_advice import UsedKey
    from .secrets import ResolvedKey

__all__ = ["APP_NAME", "Host"]


class Host:
    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
        registry: Registry | None = None,
        stdin: TextIO | None = None,
    ) -> None:
        self.env: Mapping[str, str] = dict(os.environ if env is None else env)
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr
        self.stdin = stdin or sys.stdin
        self._registry = registry
        self.verbose = False
        self.used_key: UsedKey | None = None  # the last key resolved, for error advice
        self.key_flags: dict[str, str] = {}  # provider id -> its key option's value

    # -- output -------------------------------------------------------------------------
    def out(self, text: str = "") -> None:
        print(text, file=self.stdout)

    def err(self, text: str = "") -> None:
        """Prompts and progress: stderr, so stdout stays clean for results."""
        print(text, file=self.stderr)

    def warn(self, message: str) -> None:
        from .terminal import for_stream

        print(f"warning: {for_stream(message, self.stderr)}", file=self.stderr)

    # -- state --------------------------------------------------------------------------
    @functools.cached_property
    def config_path(self) -> Path:
        return config_path(self.env)

    @functools.cached_property
    def config(self) -> ConfigDocument:
        return load_config(self.config_path)

    def reload_config(self) -> ConfigDocument:
        self.__dict__.pop("config", None)
        return self.config

    @functools.cached_property
    def cache_dir(self) -> Path:
        return settings.cache_dir()

    @property
    def registry(self) -> Registry:
        if self._registry is None:
            self._registry = load_plugins()
            for failure in self._registry.failures:
                self.warn(failure)
        return self._registry

    # -- providers and models -------------------------------------------------------------
    @functools.cached_property
    def state_dir(self) -> Path:
        return settings.state_dir(self.env)

    def lookup_variable(self, name: str) -> str | None:
        """``${NAME}``: process env, then the config ``env`` block, then the keyring."""
        return settings.variable_lookup(self.env, self.config.data, self.warn)(name)

    def provider_config(self, provider_id: str) -> Mapping[str, Any]:
        """``models.providers.<id>`` with ``${VAR}`` substituted (``apiKey`` is left as
        written: it is resolved, with its own order, only when a key is needed)."""
        return settings.provider_config(self.config.data, provider_id, self.env, self.warn)

    def resolve_key(self, provider: Provider, flag_value: str | None = None) -> ResolvedKey:
        """The provider's API key from the first source that has one (see ``secrets``)."""
        method = provider.auth_methods[0]
        if flag_value is None:
            flag_value = self.key_flags.get(provider.id)
        key = settings.api_key(
            method, provider.id, self.env, self.config.data, flag_value, warn=self.warn
        )
        if self.verbose:
            print(
                f"{provider.auth_methods[0].env_var}: using the key from {key.source}",
                file=self.stderr,
            )
        from .key_advice import UsedKey
        from .secrets import referenced_variable

        block = get_path(self.config.data, "models", "providers", provider.id)
        written = block.get("apiKey") if isinstance(block, Mapping) else None
        variable = referenced_variable(written, method.env_var)
        self.used_key = UsedKey(key, method, variable, self.config_path)
        return key

    def explain(self, error: BaseException) -> str:
        """The one line an error of the tree is shown as: a refused key says where it came
        from (only the host knows) instead of the provider's generic advice."""
        from .errors import KeyRefusedError

        if isinstance(error, KeyRefusedError) and error.blames_key and self.used_key:
            from .key_advice import refused

            return f"{error.headline}; {refused(self.used_key)}"
        return str(error)

    def provider_context(
        self,
        provider: Provider,
        refresh: bool = False,
        warn: Callable[[str], None] | None = None,
    ) -> ProviderContext:
        """``warn``: where the provider's warnings go (default: stderr, as ``warning: ...``)."""
        return ProviderContext(
            config=self.provider_config(provider.id),
            env=self.env,
            cache_dir=self.provider_cache_dir(provider.id),
            refresh=refresh,
            warn=self.warn if warn is None else warn,
            state_dir=self.state_dir / "providers" / provider.id,
        )

    def provider_cache_dir(self, provider_id: str) -> Path:
        return self.cache_dir / "providers" / provider_id

    def catalog(self, provider_id: str, refresh: bool = False) -> Catalog:
        """The provider's catalog with the config file's models and tags applied.

        What the provider says while making it (a fallback to its bundled models, a cache it
        could not write) is kept in ``notes``, not printed: a command that shows the catalog
        shows them, one that only looks a model up names the fallback if the lookup fails.
        """
        provider = self.registry.provider(provider_id)
        heard: list[str] = []
        catalog = provider.catalog(self.provider_context(provider, refresh, heard.append))
        block = self.provider_config(provider_id)
        configured = block.get("models")
        from .config_model import MODE, check_choice

        mode = check_choice(MODE, self.setting("models", "mode"), "models.mode") or "merge"
        models = catalog.models
        if isinstance(configured, list):
            entries = [e for e in configured if isinstance(e, Mapping)]
            gone = [m.id for m in catalog.retired]
            models = overlay_config_models(models, entries, provider_id, mode, gone)
        tag = self._tagger()
        return catalog._replace(
            models=tuple(tag(m) for m in models),
            retired=tuple(tag(m) for m in catalog.retired),
            unlisted=tuple(tag(m) for m in catalog.unlisted),
            notes=(*catalog.notes, *heard),
        )

    def setting(self, *keys: str) -> Any:
        """The config value at ``keys`` with ``${VAR}`` substituted (None when absent); a
        level on the way that is not an object is a :class:`ConfigValueError` naming it."""
        from .errors import ConfigValueError
        from .substitution import substitute

        node: Any = self.config.data
        for depth, key in enumerate(keys):
            if node is None:
                return None
            if not isinstance(node, Mapping):
                where = ".".join(keys[:depth])
                raise ConfigValueError(where, "expected an object; fix or remove it")
            node = node.get(key)
        return substitute(node, self.lookup_variable, ".".join(keys))

    def default_model_ref(self) -> str | None:
        from .errors import ConfigValueError

        model = self.setting("agents", "defaults", "model")
        if isinstance(model, str) or model is None:
            return model or None
        if not isinstance(model, Mapping):
            raise ConfigValueError(
                "agents.defaults.model", 'expected "provider/model" or {primary: "provider/model"}'
            )
        primary = model.get("primary")
        return primary if isinstance(primary, str) and primary else None

    def model_aliases(self) -> dict[str, str]:
        """``agents.defaults.models``: model ref -> alias, for those that have one."""
        entries = self.setting("agents", "defaults", "models")
        if not isinstance(entries, Mapping):
            return {}
        return {
            ref: str(entry["alias"])
            for ref, entry in entries.items()
            if isinstance(entry, Mapping) and isinstance(entry.get("alias"), str)
        }

    def _tagger(self) -> Callable[[ModelInfo], ModelInfo]:
        """Tags from the config (default, configured, alias), looked up once per catalog."""
        from .errors import ConfigError

        try:
            default, aliases = self.default_model_ref(), self.model_aliases()
        except ConfigError:  # said where the model is used; a listing still works
            default, aliases = None, {}
        entries = get_path(self.config.data, "agents", "defaults", "models")
        configured = entries if isinstance(entries, Mapping) else {}

        def tag(model: ModelInfo) -> ModelInfo:
            tags = [
                name
                for name, applies in (
                    ("default", model.ref == default),
                    ("configured", model.ref in configured),
                    ("alias", model.ref in aliases),
                )
                if applies
            ]
            return model.with_tags(*tags) if tags else model

        return tag
