"""The docstring template of docs/ARCHITECTURE.md ("Docstring template") on the block packages.

Every module of :mod:`linksim.fec`, :mod:`linksim.channel`, :mod:`linksim.mimo`,
:mod:`linksim.ofdm`, :mod:`linksim.multiple_access`, :mod:`linksim.security` and
:mod:`linksim.mapping` is imported
(new modules are found by walking the packages). Each public function and class defined there
(``__module__`` equal to the module, name not starting with ``_``) and each public method or
property of such a class is one test case. The rules:

1. A docstring whose first line (the line of the opening quotes) is non-empty.
2. Section headers (Parameters, Input, Returns, Output, ...) are underlined NumPy style with
   exactly as many dashes as the header has characters.
3. A callable that takes parameters besides ``self`` / ``cls`` (for a class: its own
   ``__init__``) has a "Parameters" or "Input" section, and every parameter name appears in
   those sections.
4. A function or method (not a property, not a class) that returns something, by a non-None
   return annotation or a ``return <value>`` in its body, has a "Returns" or "Output" section.
5. Each entry of a section is ``name : type`` at the section's indentation; in "Input" and
   "Output" (arrays by the template) the type names a dtype and a shape in brackets,
   e.g. ``uint8 [batch, k]``.

The number of test cases of :func:`test_docstring` is the number of objects checked;
:func:`test_objects_found` guards against the discovery finding nothing.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
import textwrap

import pytest

BLOCK_PACKAGES = ("linksim.fec", "linksim.channel", "linksim.mimo", "linksim.ofdm",
                  "linksim.multiple_access", "linksim.security")
BLOCK_MODULES = ("linksim.mapping",)

PARAM_SECTIONS = ("Parameters", "Input")
RETURN_SECTIONS = ("Returns", "Output", "Yields")
ARRAY_SECTIONS = ("Input", "Output")
KNOWN_SECTIONS = PARAM_SECTIONS + RETURN_SECTIONS + (
    "Attributes", "Raises", "Notes", "Examples", "See Also", "References", "Implements")

_DTYPE = re.compile(r"\b(u?int(8|16|32|64)?|bool|float(16|32|64)?|complex(64|128)?)\b")
_ENTRY = re.compile(r"^(?P<names>[\w*][\w*, ]*?) : (?P<type>\S.*)$")


def _module_names() -> list[str]:
    names = set(BLOCK_MODULES)
    for pkg_name in BLOCK_PACKAGES:
        pkg = importlib.import_module(pkg_name)
        names.add(pkg_name)
        for info in pkgutil.walk_packages(pkg.__path__, pkg_name + "."):
            names.add(info.name)
    return sorted(names)


def _collect() -> list[tuple[str, str, object]]:
    """(qualified name, kind, object): kind is "function", "class", "method" or "property"."""
    found = []
    for mod_name in _module_names():
        module = importlib.import_module(mod_name)
        for name, obj in sorted(vars(module).items()):
            if name.startswith("_") or getattr(obj, "__module__", None) != mod_name:
                continue
            if inspect.isclass(obj):
                found.append((f"{mod_name}.{name}", "class", obj))
                for attr, member in sorted(vars(obj).items()):
                    if attr.startswith("_"):
                        continue
                    if isinstance(member, property):
                        found.append((f"{mod_name}.{name}.{attr}", "property", member.fget))
                    elif isinstance(member, (staticmethod, classmethod)):
                        found.append((f"{mod_name}.{name}.{attr}", "method", member.__func__))
                    elif inspect.isfunction(member):
                        found.append((f"{mod_name}.{name}.{attr}", "method", member))
            elif callable(obj) and inspect.isfunction(inspect.unwrap(obj)):
                # functools.lru_cache and other wrappers: check the wrapped function.
                found.append((f"{mod_name}.{name}", "function", inspect.unwrap(obj)))
    return found


OBJECTS = _collect()


def _sections(qualname: str, doc: str) -> dict[str, list[str]]:
    """Header -> body lines (dedented) of each underlined section; checks the underlines."""
    lines = doc.splitlines()
    heads = [i for i in range(len(lines) - 1)
             if lines[i].strip() and re.fullmatch(r"\s*-{3,}\s*", lines[i + 1])]
    out: dict[str, list[str]] = {}
    for j, i in enumerate(heads):
        head = lines[i].strip()
        if head in KNOWN_SECTIONS:
            dashes = lines[i + 1].strip()
            assert len(dashes) == len(head), (
                f"{qualname}: section {head!r}: underline of {len(dashes)} dashes; "
                f"allowed: {len(head)}")
        end = heads[j + 1] if j + 1 < len(heads) else len(lines)
        body = textwrap.dedent("\n".join(lines[i + 2:end])).splitlines()
        out.setdefault(head, []).extend(body)
    return out


def _parameters(obj, kind: str) -> list[str]:
    if kind == "class":
        init = vars(obj).get("__init__")
        if init is None or getattr(init, "__module__", None) != obj.__module__:
            return []
        obj = init
    params = list(inspect.signature(obj).parameters)
    if params and params[0] in ("self", "cls") and kind in ("class", "method"):
        params = params[1:]
    return params


def _returns_value(func) -> bool:
    """A non-None return annotation, or a ``return <value>`` outside nested definitions."""
    ann = inspect.signature(func).return_annotation
    if ann is not inspect.Signature.empty and ann not in (None, "None"):
        return True
    tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    body = tree.body[0]

    def walk(node):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda,
                                  ast.ClassDef)):
                continue
            if isinstance(child, ast.Return) and child.value is not None and not (
                    isinstance(child.value, ast.Constant) and child.value.value is None):
                return True
            if walk(child):
                return True
        return False

    return walk(body)


def test_objects_found():
    modules = _module_names()
    for expected in ("linksim.fec.crc", "linksim.fec.bch", "linksim.fec.code",
                     "linksim.fec.ldpc.nr5g", "linksim.fec.ldpc.decoder", "linksim.fec.ldpc.alist",
                     "linksim.mapping", "linksim.channel.awgn", "linksim.channel.fading",
                     "linksim.mimo.equalization", "linksim.multiple_access.noma",
                     "linksim.security.cipher"):
        assert expected in modules
    kinds = {kind for _, kind, _ in OBJECTS}
    assert kinds == {"function", "class", "method", "property"}
    assert len(OBJECTS) >= 60, f"only {len(OBJECTS)} public objects found"


@pytest.mark.parametrize("qualname, kind, obj", OBJECTS, ids=[q for q, _, _ in OBJECTS])
def test_docstring(qualname, kind, obj):
    raw = obj.__doc__
    assert raw and raw.strip(), f"{qualname}: no docstring"
    assert raw.splitlines()[0].strip(), (
        f"{qualname}: the first line of the docstring is empty; the template starts with a "
        "one-line summary on the line of the opening quotes")
    doc = inspect.cleandoc(raw)
    sections = _sections(qualname, doc)

    params = _parameters(obj, kind) if kind != "property" else []
    if params:
        have = [s for s in PARAM_SECTIONS if s in sections]
        assert have, f"{qualname}: takes {params} but has no Parameters or Input section"
        text = "\n".join(line for s in have for line in sections[s])
        missing = [p for p in params if not re.search(rf"\b{re.escape(p)}\b", text)]
        assert not missing, f"{qualname}: parameters {missing} not documented in {have}"

    if kind in ("function", "method") and _returns_value(obj):
        assert any(s in sections for s in RETURN_SECTIONS), (
            f"{qualname}: returns a value but has no Returns or Output section")

    for head, body in sections.items():
        if head not in PARAM_SECTIONS + RETURN_SECTIONS + ("Attributes",):
            continue
        entries = [line for line in body if line.strip() and not line[0].isspace()]
        assert entries, f"{qualname}: section {head!r} is empty"
        for line in entries:
            m = _ENTRY.match(line)
            assert m, f"{qualname}: section {head!r}: {line!r} is not 'name : type'"
            if head in ARRAY_SECTIONS:
                spec = m["type"]
                assert _DTYPE.search(spec) and re.search(r"\[[^\]]*\]", spec), (
                    f"{qualname}: section {head!r}: {line!r} must give a dtype and a shape in "
                    "brackets, e.g. 'uint8 [batch, k]'")
