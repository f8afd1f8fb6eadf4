"""A system's parameters, declared once: the typed schema every other view is derived from.

A :class:`Schema` is an ordered set of :class:`Param` declarations. From it come

* the defaults and the required names (``REQUIRED`` for none): the schema is a read-only
  mapping ``name -> default``, which is how the scenario parser and the run level see it;
* validation with one wording (``"k: got -3; allowed: an integer >= 1"``, from
  :mod:`linksim.checks`): :meth:`Schema.validate` checks each value against its declaration;
  cross-parameter rules (``k <= n``) stay in the system's builder, which calls it first;
* the command-line options of a system's command (:meth:`Schema.add_arguments`, e.g.
  ``linksim bler``): flag, type, default and help text;
* axis labels (mathtext for figures, HTML for tables) and units of swept parameters
  (:meth:`Schema.axis_label`, :meth:`Schema.axis_html`).

A plugin may give a plain ``{name: default}`` mapping instead of a schema
(:meth:`Schema.from_defaults`): its parameters are then untyped and its builder checks them.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, replace
from typing import Any, Callable, Iterable, Iterator, Mapping

from linksim import checks

__all__ = ["REQUIRED", "Param", "Schema"]


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


#: Marks a parameter without a default.
REQUIRED = _Required()

#: The kinds of value a parameter may declare (``"any"``: not checked here).
KINDS = ("int", "real", "choice", "bool", "any")


@dataclass(frozen=True)
class Param:
    """One parameter of a system.

    Attributes
    ----------
    kind : one of :data:`KINDS`: how a value is checked (``int``: :func:`checks.check_int` in
        ``[lo, hi]``; ``real``: :func:`checks.check_real`; ``choice``: one of ``choices``,
        case-insensitive, returned as spelled in ``choices``; ``bool``: True or False)
    default : the value when a scenario leaves it out; :data:`REQUIRED` for none
    help : what the parameter is, one line (``--help`` text, "missing" messages)
    lo, hi, strict_lo : bounds of ``int`` and ``real`` values (None: unbounded)
    choices : the allowed names of a ``choice``
    nullable : None is allowed (and means "off", e.g. no CRC)
    unit : the unit, e.g. ``"dB"``, ``"mW"``, ``"bits"`` (None: dimensionless or a name)
    label, html : axis label of a sweep over it, mathtext (figures) and HTML (tables);
        None: the report's generic rule
    flag : the command-line option (None: ``--`` + the name with ``-`` for ``_``; a boolean
        whose default is True becomes ``--no-<name>``)
    cli : whether the system's command exposes it as an option
    """

    kind: str = "any"
    default: Any = REQUIRED
    help: str = ""
    lo: float | None = None
    hi: float | None = None
    strict_lo: bool = False
    choices: tuple = ()
    nullable: bool = False
    unit: str | None = None
    label: str | None = None
    html: str | None = None
    flag: str | None = None
    cli: bool = False

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind: got {self.kind!r}; allowed: one of {', '.join(KINDS)}")
        if self.kind == "choice" and not self.choices:
            raise ValueError("choices: got none; allowed: the names a 'choice' parameter takes")

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def allowed(self) -> str:
        """What the parameter allows, in words (the ``allowed:`` part of a message)."""
        if self.kind == "int":
            text = checks.int_allowed(self.lo, self.hi)
        elif self.kind == "real":
            text = "a finite real number"
            if self.lo is not None:
                text += f" {'>' if self.strict_lo else '>='} {self.lo}"
            if self.hi is not None:
                text += f" {'and ' if self.lo is not None else ''}<= {self.hi}"
        elif self.kind == "choice":
            text = f"one of {', '.join(self.choices)}"
        elif self.kind == "bool":
            text = "true or false"
        else:
            text = "a value"
        if self.unit:
            text += f" ({self.unit})"
        return text + (" or None" if self.nullable else "")

    def check(self, name: str, value):
        """``value`` checked and normalised; ``TypeError``/``ValueError`` naming ``name``."""
        if value is None:
            if self.nullable or self.kind == "any":
                return None
            raise TypeError(f"{name}: missing; allowed: {self.allowed()}"
                            + (f" ({self.help})" if self.help else ""))
        if self.kind == "int":
            return checks.check_int(name, value, self.lo, self.hi)
        if self.kind == "real":
            return checks.check_real(name, value, self.lo, self.hi, strict_lo=self.strict_lo)
        if self.kind == "choice":
            return checks.check_choice(name, value, self.choices, none_ok=self.nullable)
        if self.kind == "bool":
            return checks.check_bool(name, value)
        return value


class Schema(Mapping):
    """The parameters of one system, in order: a read-only mapping ``name -> default``
    (``REQUIRED`` for none) whose :class:`Param` declarations are :attr:`params`."""

    def __init__(self, params: Mapping[str, Param] | None = None, **more: Param):
        self.params: dict[str, Param] = {**(params or {}), **more}
        for name, param in self.params.items():
            if not isinstance(param, Param):
                raise TypeError(f"{name}: got {param!r}; allowed: a linksim.systems.Param")

    @classmethod
    def from_defaults(cls, defaults: Mapping[str, Any]) -> "Schema":
        """Untyped parameters with these defaults (``REQUIRED`` for none)."""
        return cls({name: Param(default=value) for name, value in defaults.items()})

    # Mapping: name -> default
    def __getitem__(self, name: str):
        return self.params[name].default

    def __iter__(self) -> Iterator[str]:
        return iter(self.params)

    def __len__(self) -> int:
        return len(self.params)

    def __repr__(self) -> str:
        return f"Schema({', '.join(self.params)})"

    @property
    def required(self) -> tuple[str, ...]:
        """The names without a default, in order."""
        return tuple(name for name, p in self.params.items() if p.required)

    def with_defaults(self, **defaults) -> "Schema":
        """This schema with other defaults for some parameters."""
        unknown = sorted(set(defaults) - set(self.params))
        if unknown:
            raise ValueError(f"{unknown[0]}: not a parameter of this schema")
        return Schema({name: replace(p, default=defaults[name]) if name in defaults else p
                       for name, p in self.params.items()})

    def complete(self, params: Mapping[str, Any], system: str = "the system") -> dict:
        """``params`` with defaults filled in; ``ValueError`` for an unknown or missing name."""
        unknown = sorted(set(params) - set(self.params))
        if unknown:
            raise ValueError(f"{unknown[0]}: unknown parameter of system {system!r}; allowed: "
                             f"{', '.join(self.params)}")
        full = {name: params.get(name, p.default) for name, p in self.params.items()}
        missing = [name for name, value in full.items() if value is REQUIRED]
        if missing:
            raise ValueError(f"{missing[0]}: missing; system {system!r} requires "
                             f"{', '.join(self.required)}")
        return full

    def validate(self, values: Mapping[str, Any]) -> dict:
        """Each of ``values`` (names of this schema) checked against its declaration, in the
        schema's order: the normalised values (``"QPSK"`` -> ``"qpsk"``, ``3.0`` stays a float
        for a real, an int for an int)."""
        return {name: self.params[name].check(name, values[name])
                for name in self.params if name in values}

    # ------------------------------------------------------------------ labels and units
    def axis_label(self, name: str) -> str | None:
        """The declared mathtext axis label of ``name``; None when it declares none."""
        p = self.params.get(name)
        return None if p is None else p.label

    def axis_html(self, name: str) -> str | None:
        """The declared HTML heading of ``name``; None when it declares none."""
        p = self.params.get(name)
        return None if p is None else p.html

    def unit(self, name: str) -> str | None:
        p = self.params.get(name)
        return None if p is None else p.unit

    # ------------------------------------------------------------------ command line
    def cli_names(self) -> tuple[str, ...]:
        """The parameters declared ``cli``, in order."""
        return tuple(name for name, p in self.params.items() if p.cli)

    def flag(self, name: str) -> str:
        """The command-line option of parameter ``name``."""
        p = self.params[name]
        return p.flag or ("--no-" if p.kind == "bool" and p.default is True else "--") \
            + name.replace("_", "-")

    def add_arguments(self, group, type_of: Callable[[str, Param], Callable[[str], Any] | None],
                      names: Iterable[str] | None = None) -> None:
        """Add the command-line options of ``names`` (default: those declared ``cli``) to an
        argparse parser or group, in order. ``dest`` is the parameter's name, so the parsed
        namespace gives the system's parameters (:func:`parameter_namespace`); the help text is
        the parameter's ``help``; a required parameter is a required option.

        ``type_of(name, param)`` is the argparse ``type`` of an option (the command line's own
        parsers, e.g. "1e6" as a count); a choice lists its names, except a nullable one
        (free text the system checks, case-insensitively); a boolean is a switch that flips
        its default (``--no-early-stop``).
        """
        for name in (self.cli_names() if names is None else names):
            p = self.params[name]
            kwargs: dict[str, Any] = {"dest": name, "help": p.help}
            listed = p.kind == "choice" and not p.nullable      # argparse shows the choices
            if self.flag(name) != "--" + name.replace("_", "-") and p.kind != "bool" \
                    and not listed:
                kwargs["metavar"] = self.flag(name).lstrip("-").replace("-", "_").upper()
            if p.kind == "bool":
                kwargs["action"] = "store_false" if p.default is True else "store_true"
                group.add_argument(self.flag(name), **kwargs)
                continue
            if listed:
                kwargs["choices"] = p.choices
            elif type_of(name, p) is not None:
                kwargs["type"] = type_of(name, p)
            if p.required:
                kwargs["required"] = True
            else:
                kwargs["default"] = p.default
            group.add_argument(self.flag(name), **kwargs)


def parameter_namespace(namespace: argparse.Namespace, schema: Schema,
                        names: Iterable[str] | None = None) -> dict:
    """The system parameters an argparse namespace holds (:meth:`Schema.add_arguments`)."""
    names = schema.cli_names() if names is None else names
    return {name: getattr(namespace, name) for name in names}

