"""``docs/plugins.md`` rendered from the contract's docstrings (issue 26 item 1).

The page is :mod:`openclaw_venice.runtime.plugins` as a plugin author reads it: the module's
docstring (what a plugin is, a whole example), then every name of its ``__all__`` with its
signature and docstring, grouped by what it is for. ``tests/test_contract_page.py`` checks
that the page in the repository is this rendering; after changing a docstring or the
contract's names, rewrite the page with

    python -m tests.support.contract_page
"""

from __future__ import annotations

import collections.abc
import enum
import inspect
import re
import sys
import types
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from openclaw_venice.runtime import plugins

PAGE = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"
HEADER = (
    "<!-- rendered from the docstrings of openclaw_venice/runtime/plugins.py and the modules it\n"
    "     re-exports by `python -m tests.support.contract_page`; edit those, not this page -->\n"
)

#: the page's sections, in order: (title, what decides that a name belongs to it)
_PROVIDER_SIDE = ("plugins", "context", "auth", "secret")
SECTIONS: tuple[tuple[str, Callable[[str, Any], bool]], ...] = (
    ("A plugin and its provider", lambda n, v: _module(v) in _PROVIDER_SIDE and n not in _RUNTIME),
    ("Models", lambda n, v: _module(v) == "catalog"),
    ("A chat turn", lambda n, v: _module(v) == "ai"),
    ("Errors", lambda n, v: inspect.isclass(v) and issubclass(v, BaseException)),
    ("For a runtime that loads plugins", lambda n, v: n in _RUNTIME),
    ("Capabilities beyond chat", lambda n, v: True),  # capabilities and their records
)
_RUNTIME = (
    "Registry", "load_plugins", "close_provider", "host_context", "host_api_key",
    "provider_cache_dir",
)  # fmt: skip


def _module(value: Any) -> str:
    """The contract module that defines ``value`` (for a type alias or a constant: the first
    module, the lightest first, that holds it)."""
    if inspect.isclass(value) or inspect.isfunction(value):
        return str(value.__module__).rsplit(".", 1)[-1]
    prefix = "openclaw_venice.runtime."
    loaded = sorted(n for n in sys.modules if n.startswith(prefix) and n != plugins.__name__)
    first = [f"{prefix}catalog", f"{prefix}ai"]  # ai holds the catalog's NOTHING too
    for module in [*first, *(n for n in loaded if n not in first)]:
        held = sys.modules.get(module)
        if held is not None and any(v is value for v in vars(held).values()):
            return module.rsplit(".", 1)[-1]
    return "plugins"


def render() -> str:
    names = {name: getattr(plugins, name) for name in plugins.__all__}
    placed: dict[str, list[str]] = {title: [] for title, _ in SECTIONS}
    for name, value in names.items():
        title = next(t for t, belongs in SECTIONS if belongs(name, value))
        placed[title].append(name)
    out = [HEADER, markdown(inspect.getdoc(plugins) or ""), ""]
    for title, members in placed.items():
        if not members:
            continue
        out += [f"## {title}", ""]
        if title == "Errors":
            out += _errors([names[n] for n in members])
            continue
        for name in sorted(members, key=lambda n: _order(names[n], n)):
            out += list(_entry(name, names[name]))
    return "\n".join(out).rstrip() + "\n"


#: the plugin's side in the order a plugin author meets it
_FIRST = ("Plugin", "PluginApi", "Provider", "ChatProvider", "ChatSession", "DirectClientRules",
          "ProviderContext", "AuthMethod", "ChatFlag", "SecretStr")  # fmt: skip


def _order(value: Any, name: str) -> tuple[int, str]:
    """The plugin's side as met, then protocols, records, functions, the rest (type names,
    constants)."""
    if name in _FIRST:
        return -1, f"{_FIRST.index(name):03}"
    if _is_protocol(value):
        rank = 0
    elif inspect.isclass(value):
        rank = 1
    elif inspect.isfunction(value):
        rank = 2
    else:
        rank = 3
    return rank, name.lower()


def _entry(name: str, value: Any) -> Iterator[str]:
    if _is_protocol(value):
        yield f"### `{name}` (protocol)"
        yield ""
        yield from _doc(value)
        yield from _members(value)
    elif inspect.isclass(value) and hasattr(value, "_fields"):
        yield f"### `{name}` (record)"
        yield ""
        yield "```python"
        yield from _call(name, [_field(value, f) for f in value._fields])
        yield "```"
        yield ""
        yield from _doc(value)
        yield from _members(value, skip=set(value._fields))
    elif inspect.isclass(value):
        yield f"### `{name}`"
        yield ""
        yield "```python"
        yield from _call(name, _params(value))
        yield "```"
        yield ""
        yield from _doc(value)
        yield from _members(value)
    elif inspect.isfunction(value):
        yield f"### `{name}{_signature(value)}`"
        yield ""
        yield from _doc(value)
    else:
        yield f"### `{name}`"
        yield ""
        yield f"`{name} = {_type(value, own=name) if _is_type(value) else repr(value)}`"
        yield ""


def _members(cls: type, skip: set[str] | frozenset[str] = frozenset()) -> Iterator[str]:
    """A class's own public attributes, properties and methods, one bullet each."""
    lines = []
    seen: set[str] = set()
    for owner in (cls,):  # its own: a protocol's base is documented on its own
        hints = vars(owner).get("__annotations__", {})
        for attr, hint in hints.items():
            if attr.startswith("_") or attr in skip or attr in seen:
                continue
            seen.add(attr)
            lines.append(f"- `{attr}: {_type(hint)}`")
        for attr, member in vars(owner).items():
            if attr.startswith("_") or attr in skip or attr in seen:
                continue
            seen.add(attr)
            func = member.__func__ if isinstance(member, classmethod | staticmethod) else member
            if isinstance(member, property):
                lines.append(f"- `{attr}` (property){_line(member.__doc__)}")
            elif inspect.isfunction(func):
                sig = _signature(func, drop_self=not isinstance(member, staticmethod))
                prefix = "async " if inspect.iscoroutinefunction(func) else ""
                lines.append(f"- `{prefix}{attr}{sig}`{_line(func.__doc__)}")
    if lines:
        yield from lines
        yield ""


def _line(doc: str | None) -> str:
    if not doc:
        return ""
    text = markdown(inspect.cleandoc(doc))
    return ": " + "\n  ".join(text.splitlines())


def _doc(value: Any) -> Iterator[str]:
    doc = vars(value).get("__doc__") if inspect.isclass(value) else value.__doc__
    fields = getattr(value, "_fields", None)
    if fields is not None and doc == f"{value.__name__}({', '.join(fields)})":
        doc = None  # what NamedTuple writes when the class says nothing
    if doc:
        yield markdown(inspect.cleandoc(doc))
        yield ""


def _errors(classes: list[type]) -> list[str]:
    """The error tree: each class under its base, with the first line of its docstring."""
    lines = ["```"]
    chosen = set(classes)

    def walk(cls: type, depth: int) -> None:
        paragraph = inspect.cleandoc(vars(cls).get("__doc__") or "").split("\n\n")[0]
        sentence = " ".join(paragraph.split()).split(". ")[0].rstrip(".")
        summary = markdown(sentence)
        lines.append(f"{'    ' * depth}{cls.__name__:<{28 - 4 * depth}} {summary}".rstrip())
        for sub in sorted(cls.__subclasses__(), key=lambda c: c.__name__):
            if sub in chosen:
                walk(sub, depth + 1)

    roots = [c for c in classes if not any(b in chosen for b in c.__mro__[1:])]
    for root in sorted(roots, key=lambda c: c.__name__):
        walk(root, 0)
    lines += ["```", ""]
    return lines


def _call(name: str, words: list[str]) -> list[str]:
    """``Name(a, b)``, or one argument a line when that is too long for the page."""
    line = f"{name}({', '.join(words)})"
    if len(line) <= 92:
        return [line]
    lines, current = [f"{name}("], "   "
    for word in words:
        if len(current) + len(word) + 2 > 92 and current.strip():
            lines.append(current)
            current = "   "
        current += f" {word},"
    return [*lines, current, ")"]


def _field(cls: Any, name: str) -> str:
    hint = cls.__annotations__.get(name, Any)
    text = f"{name}: {_type(hint)}"
    if name in cls._field_defaults:
        text += f" = {_default(cls._field_defaults[name])}"
    return text


def _default(value: Any) -> str:
    if isinstance(value, tuple) and hasattr(value, "_fields") and value == type(value)():
        return f"{type(value).__name__}()"
    if isinstance(value, enum.Enum):
        return f"{type(value).__name__}.{value.name}"
    if callable(value) and not inspect.isclass(value):
        return getattr(value, "__name__", repr(value))
    return repr(value)


def _signature(func: Any, drop_self: bool = False) -> str:
    result = f"({', '.join(_params(func, drop_self))})"
    ret = inspect.signature(func).return_annotation
    if ret is not inspect.Signature.empty and not inspect.isclass(func):
        result += f" -> {_type(ret)}"
    return result


def _params(func: Any, drop_self: bool = False) -> list[str]:
    """The parameters, annotated as the source writes them."""
    sig = inspect.signature(func)
    params = list(sig.parameters.values())
    if drop_self and params and params[0].name in ("self", "cls"):
        params = params[1:]
    words = []
    star = False
    for p in params:
        if p.kind is p.KEYWORD_ONLY and not star:
            words.append("*")
            star = True
        if p.kind is p.VAR_POSITIONAL:
            star = True
        hint = p.annotation
        text = ("*" if p.kind is p.VAR_POSITIONAL else "**" if p.kind is p.VAR_KEYWORD else "")
        text += p.name
        if hint is not inspect.Parameter.empty:
            text += f": {_type(hint)}"
        if p.default is not inspect.Parameter.empty:
            text += f" = {_default(p.default)}"
        words.append(text)
    return words


def _is_type(value: Any) -> bool:
    return typing.get_origin(value) is not None or isinstance(value, type)


def _type(hint: Any, own: str = "") -> str:
    """A type as the source writes it: the contract's alias names kept (but ``own``, the
    alias being shown), ``X | None``."""
    if isinstance(hint, str):
        return hint
    if isinstance(hint, typing.ForwardRef):  # a record of plugins.py, whose annotations
        return hint.__forward_arg__  # are strings (``from __future__ import annotations``)
    for name in plugins.__all__:
        if not name[0].isupper() or name in ("NOTHING", "ENTRY_POINT_GROUP", own):
            continue
        value = getattr(plugins, name)
        if typing.get_origin(value) is not None and value == hint:
            return name
    if hint is type(None):
        return "None"
    if hint is Ellipsis:
        return "..."
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return " | ".join(_type(a) for a in args)
    if origin is typing.Literal:
        return f"Literal[{', '.join(repr(a) for a in args)}]"
    if origin is not None and args:
        if origin is collections.abc.Callable and isinstance(args[0], list):
            return f"Callable[[{', '.join(_type(a) for a in args[0])}], {_type(args[1])}]"
        base = getattr(origin, "__name__", repr(origin))
        return f"{base}[{', '.join(_type(a) for a in args)}]"
    if isinstance(hint, type):
        return hint.__name__
    return re.sub(r"\b(typing|collections\.abc)\.", "", repr(hint))


def _is_protocol(value: Any) -> bool:
    return inspect.isclass(value) and bool(getattr(value, "_is_protocol", False))


def markdown(doc: str) -> str:
    """A docstring's reST roles and literals as Markdown."""
    doc = re.sub(r":(?:class|func|meth|mod|data|attr|exc):`[~.]*([^`]+)`", r"`\1`", doc)
    return re.sub(r"(?<!`)``(?!`)", "`", doc)  # a ``` fence stays one


def main() -> int:
    check = "--check" in sys.argv[1:]
    text = render()
    if check:
        if PAGE.read_text() != text:
            print(f"{PAGE.name} is not the rendering of the docstrings: run "
                  "python -m tests.support.contract_page")  # fmt: skip
            return 1
        return 0
    PAGE.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
