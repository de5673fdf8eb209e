"""The core services bound to one open database transaction, so that a message and its effects commit together.

The services open their own transactions (``ServiceContext.connection()`` / ``.transaction()``). For the
e-mail channel a message must be recorded (its Message-ID) in the *same* transaction as the vote or opinion it
carries, or a crash between the two would lose or double-count a reply. :func:`bound_services` gives the same
services on a context whose transactions are SAVEPOINTs inside the caller's connection: a refused vote rolls
back its savepoint only; everything commits when the caller's transaction does. Nothing in the core changes.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy.engine import Connection
from sqlmodel import Session

from bot.services import ServiceContext, Services

__all__ = ["bound_services"]


@dataclass
class _BoundContext(ServiceContext):
    bound: Any = None  # the caller's Connection (typed Any: dataclass fields after defaults need a default)

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        nested = self.bound.begin_nested()
        try:
            yield self.bound
        except BaseException:
            nested.rollback()
            raise
        nested.commit()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        # "create_savepoint": the session's commit releases a SAVEPOINT and its rollback undoes only that.
        session = Session(bind=self.bound, join_transaction_mode="create_savepoint", expire_on_commit=False)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()


def bound_services(services: Services, connection: Connection) -> Services:
    """``services`` rewired onto ``connection``'s transaction (the definition cache is shared).

    Generic on purpose: each service is shallow-copied and every attribute that pointed at the original
    context or at another original service is pointed at the bound one, so services added to the core later
    need no change here.
    """
    base = services.context
    context = _BoundContext(
        sessions=base.sessions,
        clock=base.clock,
        secret=base.secret,
        zone=base.zone,
        bot_name=base.bot_name,
        metrics=base.metrics,
        _definitions=base._definitions,
        _lock=base._lock,
        bound=connection,
    )
    originals = {name.name: getattr(services, name.name) for name in fields(services) if name.name != "context"}
    copies = {name: copy.copy(service) for name, service in originals.items()}
    swap: dict[int, Any] = {id(base): context} | {id(originals[name]): copies[name] for name in originals}
    for service in copies.values():
        for attribute, value in vars(service).items():
            if id(value) in swap:
                setattr(service, attribute, swap[id(value)])
    return Services(context=context, **copies)
