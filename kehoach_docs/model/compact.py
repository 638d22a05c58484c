"""Validated plans made smaller: a province's plan has tens of thousands of rows."""

from __future__ import annotations

from pydantic import BaseModel


def share_fields_sets(root: BaseModel) -> None:
    """Let every model under ``root`` with the same given fields share one frozen set of their names.

    pydantic keeps on each instance the names of the fields its input gave (``model_fields_set``,
    a set of some 700 bytes for a row of seven fields: 40 % of a row's memory), for
    ``model_dump(exclude_unset=True)`` and ``model_copy(update=…)``; plan models are frozen and
    neither is used on them, so one read-only set per shape serves them all.
    """
    shared: dict[frozenset, frozenset] = {}
    todo: list = [root]
    while todo:
        value = todo.pop()
        if isinstance(value, BaseModel):
            names = frozenset(value.__pydantic_fields_set__)
            object.__setattr__(value, "__pydantic_fields_set__", shared.setdefault(names, names))
            todo.extend(value.__dict__.values())
        elif isinstance(value, (list, tuple)):
            todo.extend(value)
        elif isinstance(value, dict):
            todo.extend(value.values())
