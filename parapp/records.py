"""Record classes for the core: what @dataclasses.dataclass makes of them, made quicker at import.

Every command and the window import the core's few dozen record classes (a unit, a period, an indicator...).
The standard decorator costs about half a millisecond a class (it compiles each method on its own and works out
a signature), and its module pulls in `inspect`; at start-up that was a third of a command's own time. `record`
generates the same methods (__init__ with defaults, default factories and __post_init__; __repr__; __eq__;
__hash__; the order methods; a frozen class's __setattr__ and __delattr__; __match_args__) from one piece of
source compiled once per class. The classes behave as dataclasses do, with these limits: no `dataclasses`
functions (fields, replace, asdict) apply to them, and only these options exist: frozen, eq, order, and for a
field default, default_factory, init, repr and compare. A class that needs more stays a dataclass.
"""

from __future__ import annotations

__all__ = ["FrozenInstanceError", "field", "record"]

_MISSING = object()


class FrozenInstanceError(AttributeError):
    """A field of a frozen record was assigned or deleted (as dataclasses.FrozenInstanceError)."""


class _Field:
    __slots__ = ("name", "default", "default_factory", "init", "repr", "compare")

    def __init__(self, default=_MISSING, default_factory=_MISSING, init=True, repr=True, compare=True):  # noqa: A002
        if default is not _MISSING and default_factory is not _MISSING:
            raise ValueError("cannot specify both default and default_factory")
        self.name = ""
        self.default = default
        self.default_factory = default_factory
        self.init = init
        self.repr = repr
        self.compare = compare


def field(*, default=_MISSING, default_factory=_MISSING, init: bool = True, repr: bool = True,  # noqa: A002
          compare: bool = True):
    """A field's default (or the factory of one) and whether __init__, __repr__ and comparisons take it."""
    return _Field(default, default_factory, init, repr, compare)


def _is_classvar(annotation) -> bool:
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__qualname__", "")
    return text.startswith(("ClassVar", "typing.ClassVar"))


def _fields(cls) -> list[_Field]:
    fields: dict[str, _Field] = {}
    for base in reversed(cls.__mro__[1:]):
        for f in getattr(base, "__record_fields__", ()):
            fields[f.name] = f
    for name, annotation in cls.__dict__.get("__annotations__", {}).items():
        if _is_classvar(annotation):
            continue
        value = cls.__dict__.get(name, _MISSING)
        f = value if isinstance(value, _Field) else _Field(default=value)
        if isinstance(f.default, (list, dict, set)):
            raise ValueError(f"mutable default {type(f.default)} for field {name} is not allowed: use default_factory")
        f.name = name
        fields[name] = f
        if isinstance(value, _Field):  # as dataclasses: the class attribute is the default, or none
            if f.default is _MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, f.default)
    return list(fields.values())


def _tuple(names: list[str], of: str) -> str:
    return "(" + "".join(f"{of}.{n}," for n in names) + ")"


def record(cls=None, /, *, frozen: bool = False, eq: bool = True, order: bool = False):
    """@record, @record(frozen=True), ...: the class with the methods @dataclass would give it."""
    def wrap(cls):
        return _process(cls, frozen, eq, order)

    return wrap if cls is None else wrap(cls)


def _process(cls, frozen: bool, eq: bool, order: bool):
    if order and not eq:
        raise ValueError("eq must be true if order is true")
    fields = _fields(cls)
    cls.__record_fields__ = tuple(fields)
    own = cls.__dict__
    names = {"__MISSING": _MISSING, "__object_setattr": object.__setattr__, "__cls": cls,
             "FrozenInstanceError": FrozenInstanceError}
    src: list[str] = []
    # __init__
    params, body, seen_default = ["self"], [], False
    for f in fields:
        if f.init:
            if f.default is not _MISSING:
                names[f"__d_{f.name}"] = f.default
                params.append(f"{f.name}=__d_{f.name}")
                seen_default = True
            elif f.default_factory is not _MISSING:
                names[f"__f_{f.name}"] = f.default_factory
                params.append(f"{f.name}=__MISSING")
                seen_default = True
            else:
                if seen_default:
                    raise TypeError(f"non-default argument {f.name!r} follows default argument")
                params.append(f.name)
            if f.default_factory is not _MISSING:
                value = f"__f_{f.name}() if {f.name} is __MISSING else {f.name}"
            else:
                value = f.name
        elif f.default_factory is not _MISSING:
            names[f"__f_{f.name}"] = f.default_factory
            value = f"__f_{f.name}()"
        elif f.default is not _MISSING:
            names[f"__d_{f.name}"] = f.default
            value = f"__d_{f.name}"
        else:
            continue
        body.append(f"  __object_setattr(self, {f.name!r}, {value})" if frozen else f"  self.{f.name} = {value}")
    if hasattr(cls, "__post_init__"):
        body.append("  self.__post_init__()")
    if "__init__" not in own:
        src.append(f"def __init__({', '.join(params)}):\n" + ("\n".join(body) or "  pass"))
    if "__repr__" not in own:
        shown = ", ".join(f"{f.name}={{self.{f.name}!r}}" for f in fields if f.repr)
        src.append(f"def __repr__(self):\n  return f\"{{self.__class__.__qualname__}}({shown})\"")
    compared = [f.name for f in fields if f.compare]
    mine, theirs = _tuple(compared, "self"), _tuple(compared, "other")
    if eq and "__eq__" not in own:
        src.append(f"def __eq__(self, other):\n  if other.__class__ is self.__class__:\n"
                   f"    return {mine} == {theirs}\n  return NotImplemented")
    if order:
        for op, name in (("<", "__lt__"), ("<=", "__le__"), (">", "__gt__"), (">=", "__ge__")):
            if name in own:
                raise TypeError(f"Cannot overwrite attribute {name} in class {cls.__name__}. "
                                "Consider using functools.total_ordering")
            src.append(f"def {name}(self, other):\n  if other.__class__ is self.__class__:\n"
                       f"    return {mine} {op} {theirs}\n  return NotImplemented")
    # __hash__ as dataclasses sets it: from the fields when frozen, none when only eq, else left alone
    class_hash = own.get("__hash__", _MISSING)
    explicit_hash = not (class_hash is _MISSING or (class_hash is None and "__eq__" in own))
    set_hash = eq and frozen and not explicit_hash
    if set_hash:
        src.append(f"def __hash__(self):\n  return hash({mine})")
    if frozen:
        field_names = tuple(f.name for f in fields)
        names["__field_names"] = field_names
        src.append("def __setattr__(self, name, value):\n  if type(self) is __cls or name in __field_names:\n"
                   "    raise FrozenInstanceError(f'cannot assign to field {name!r}')\n"
                   "  super(__cls, self).__setattr__(name, value)")
        src.append("def __delattr__(self, name):\n  if type(self) is __cls or name in __field_names:\n"
                   "    raise FrozenInstanceError(f'cannot delete field {name!r}')\n"
                   "  super(__cls, self).__delattr__(name)")
    made: dict = {}
    exec("\n".join(src), names, made)  # noqa: S102 - source made above from the class's own field names
    for name, fn in made.items():
        fn.__qualname__ = f"{cls.__qualname__}.{name}"
        if name == "__repr__":
            fn = _recursive_repr(fn)
        if name in ("__setattr__", "__delattr__") and name in own:
            raise TypeError(f"Cannot overwrite attribute {name} in class {cls.__name__}")
        setattr(cls, name, fn)
    if eq and not frozen and not explicit_hash:
        cls.__hash__ = None
    if "__match_args__" not in own:
        cls.__match_args__ = tuple(f.name for f in fields if f.init)
    return cls


def _recursive_repr(fn):
    """The repr of a record that contains itself shows '...' there, as a dataclass's does."""
    from _thread import get_ident

    running: set = set()

    def wrapper(self):
        key = id(self), get_ident()
        if key in running:
            return "..."
        running.add(key)
        try:
            return fn(self)
        finally:
            running.discard(key)

    wrapper.__qualname__ = fn.__qualname__
    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper
