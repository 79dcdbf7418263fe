"""`@record`: the subset of `@dataclass` hardenlint uses, without its start-up cost.

The standard `dataclasses` module imports `inspect` (and with it `ast`, `dis`, `tokenize`) and
compiles four to six methods per class; a one-file run paid for that on every start. A record
shares one `__repr__`, `__eq__` and (when frozen) `__hash__`, and compiles its own `__init__` only
once it is used a lot (a generic one serves the first instances).

Same spelling and meaning as dataclasses: fields are the class's annotations in order, defaults
are class attributes or `field(default=..., default_factory=..., repr=..., compare=...)`;
`frozen=True` makes instances immutable and hashable, otherwise they are unhashable like a
dataclass with `eq=True`; `__post_init__` runs after `__init__`. `replace(obj, **changes)` copies
with changes.
"""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, Tuple


class FrozenInstanceError(AttributeError):
    """Assignment to a field of a frozen record."""


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class Field:
    __slots__ = ("name", "default", "default_factory", "repr", "compare")

    def __init__(self, default: Any = MISSING, default_factory: Any = MISSING, repr: bool = True,
                 compare: bool = True) -> None:
        self.name = ""
        self.default = default
        self.default_factory = default_factory
        self.repr = repr
        self.compare = compare


def field(*, default: Any = MISSING, default_factory: Any = MISSING, repr: bool = True, compare: bool = True) -> Any:
    """A field with a default, a default factory, or left out of repr or comparison."""
    if default is not MISSING and default_factory is not MISSING:
        raise ValueError("field() takes default or default_factory, not both")
    return Field(default, default_factory, repr, compare)


def record(cls: Any = None, *, frozen: bool = False) -> Any:
    """Class decorator (`@record` or `@record(frozen=True)`)."""
    if cls is None:
        return lambda c: _build(c, frozen)
    return _build(cls, frozen)


def replace(obj: Any, **changes: Any) -> Any:
    """A copy of record `obj` with some fields changed."""
    values = {f.name: getattr(obj, f.name) for f in obj.__record_fields__}
    values.update(changes)
    return type(obj)(**values)


def _build(cls: Any, frozen: bool) -> Any:
    fields = []
    for name in cls.__dict__.get("__annotations__", {}):
        value = cls.__dict__.get(name, MISSING)
        f = value if isinstance(value, Field) else Field(default=value)
        f.name = name
        fields.append(f)
        if isinstance(value, Field):
            if f.default is MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, f.default)
    cls.__record_fields__ = tuple(fields)
    cls.__record_compare__ = tuple(f.name for f in fields if f.compare)
    cls.__record_repr__ = tuple(f.name for f in fields if f.repr)
    _set_if_missing(cls, "__init__", _init(cls, fields))
    _set_if_missing(cls, "__repr__", _repr)
    _set_if_missing(cls, "__eq__", _eq)
    if frozen:
        cls.__setattr__ = _frozen_setattr
        cls.__delattr__ = _frozen_delattr
        _set_if_missing(cls, "__hash__", _hash)
    elif "__hash__" not in cls.__dict__ or cls.__dict__["__hash__"] is None:
        cls.__hash__ = None
    return cls


def _set_if_missing(cls: Any, name: str, value: Any) -> None:
    if name not in cls.__dict__ or (name == "__hash__" and cls.__dict__[name] is None):
        setattr(cls, name, value)


HOT = 32  # instances of a class before it gets its own compiled __init__


def _init(cls: Any, fields: list) -> Callable:
    """`__init__` for `cls`. Compiling one per class at import cost more than everything else a
    record does, and most classes make a handful of instances per run; so a record starts with a
    generic `__init__` and compiles its own on its HOT-th instance."""
    names = tuple(f.name for f in fields)
    known = frozenset(names)
    specs = tuple((f.name, f.default, f.default_factory) for f in fields)
    for i, f in enumerate(fields):
        if f.default is MISSING and f.default_factory is MISSING and any(
                g.default is not MISSING or g.default_factory is not MISSING for g in fields[:i]):
            raise TypeError(f"{cls.__name__}: field {f.name!r} without a default follows one with a default")
    calls = [0]
    post_init = hasattr(cls, "__post_init__")

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        calls[0] += 1
        if calls[0] == HOT:
            cls.__init__ = _compiled_init(cls, fields)
        if len(args) > len(names):
            raise TypeError(f"{cls.__name__}() takes {len(names)} positional arguments but {len(args)} were given")
        d = self.__dict__  # fresh instance: empty
        d.update(zip(names, args))
        for key, value in kwargs.items():
            if key not in known:
                raise TypeError(f"{cls.__name__}() got an unexpected keyword argument {key!r}")
            if key in d:
                raise TypeError(f"{cls.__name__}() got multiple values for argument {key!r}")
            d[key] = value
        if len(d) < len(names):
            for name, default, factory in specs:
                if name not in d:
                    if factory is not MISSING:
                        d[name] = factory()
                    elif default is not MISSING:
                        d[name] = default
                    else:
                        raise TypeError(f"{cls.__name__}() missing required argument {name!r}")
        if post_init:
            self.__post_init__()

    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    return __init__


def _compiled_init(cls: Any, fields: list) -> Callable:
    ns: Dict[str, Any] = {"_rec_missing": MISSING}
    params, body = ["self"], ["  _rec_d = self.__dict__"]
    for f in fields:
        if f.default_factory is not MISSING:
            ns[f"_rec_f_{f.name}"] = f.default_factory
            params.append(f"{f.name}=_rec_missing")
            body.append(f"  _rec_d[{f.name!r}] = _rec_f_{f.name}() if {f.name} is _rec_missing else {f.name}")
        else:
            if f.default is not MISSING:
                ns[f"_rec_d_{f.name}"] = f.default
                params.append(f"{f.name}=_rec_d_{f.name}")
            else:
                params.append(f.name)
            body.append(f"  _rec_d[{f.name!r}] = {f.name}")
    if hasattr(cls, "__post_init__"):
        body.append("  self.__post_init__()")
    exec(f"def __init__({', '.join(params)}):\n" + "\n".join(body) + "\n", ns)
    fn = ns["__init__"]
    fn.__qualname__ = f"{cls.__qualname__}.__init__"
    return fn


def _repr(self: Any) -> str:
    args = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__record_repr__)
    return f"{type(self).__qualname__}({args})"


def _values(obj: Any) -> Tuple:
    return tuple(getattr(obj, name) for name in obj.__record_compare__)


def _eq(self: Any, other: Any) -> Any:
    if other.__class__ is not self.__class__:
        return NotImplemented
    return _values(self) == _values(other)


def _hash(self: Any) -> int:
    return hash(_values(self))


def _frozen_setattr(self: Any, name: str, value: Any) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self: Any, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")
