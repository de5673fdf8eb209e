"""The adversary with a copy of the store and without the secret key (issue #13, docs/SECURITY.md).

A realistic secret budget vote is run — residents through the console channel (the same command table as
Telegram), NGO members by e-mail replies through the real mail processor, paper ballots entered by a moderator,
changed and withdrawn votes, erasures and returning accounts, the vote closed and published, "your projects"
summaries and e-mail confirmations claimed and marked sent as the senders do — on SQLite and on PostgreSQL. Then
the test reads the store as a thief would (every table, in physical order: rowid, or PostgreSQL's ctid) and tries
every join path it can think of to pair a counted ballot with its voter:

* ballot id order, physical order, and time order (``cast_at``) against participation id, physical and time order;
* the channel of the ballot against the channel of the participation;
* how many rows a ballot key has (changes, withdrawals) against how active a person was (participation times,
  e-mails received, audit entries);
* any row of any table that names the person (their id or address) and also holds their ballot's content (the
  titles of the projects they chose) — the outbox, mail tables, the audit log, tokens, tombstones, dialogue state.

The statistic: for each attack, how many of the n ≥ 30 counted online ballots it pairs with their true voter. A
random guess pairs about one (the number of fixed points of a random matching is about Poisson(1)), and
P(Poisson(1) ≥ 8) ≈ 10⁻⁵, so every attack must pair at most 7; before this issue the id-order attack paired all
of them. Every receipt handed out is searched for in every column of every table, as stored text.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from bot.clock import FakeClock
from bot.console import ConsoleChannel
from bot.definition import load_definition
from bot.domain import Channel
from bot.scheduling.policy import SchedulePolicy
from bot.scheduling.publishing import send_summary
from bot.services import Services
from bot.services.eligibility import RosterRow
from mail.invite import invite_roster
from mail.processor import MailAddressing, MailProcessor
from mail.tokens import expand_tokens

SLUG = "tajny-bo"
TITLES = [
    "Ławki nad Wisłą",
    "Zielone podwórko przy Kaliskiej",
    "Rowerownia na Zaciszu",
    "Pracownia ceramiki w bibliotece",
    "Lodowisko pod chmurką",
    "Ogród deszczowy przy szkole",
    "Siłownia plenerowa na Bródnie",
    "Kino letnie w parku",
    "Budki lęgowe dla jerzyków",
    "Toaleta publiczna przy targowisku",
]
DEFINITION = f"""
slug = "{SLUG}"
kind = "budget"
title = "Tajny budżet obywatelski"
secret = true
[eligibility]
mode = "open"
[[pools]]
key = "city"
budget = 10_000_000
ballot = {{ rule = "up_to", max = 3 }}
counting = {{ rule = "greedy" }}
""" + "".join(
    f'[[items]]\nkey = "{n}"\nkind = "project"\npool = "city"\ncost = {100_000 * n}\ntitle = "{title}"\n'
    for n, title in enumerate(TITLES, start=1)
)
RESIDENTS = 26
MEMBERS = 10
RECEIPT = re.compile(r"\b[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}\b")
MOST_BY_CHANCE = 7  # P(Poisson(1) >= 8) ≈ 1e-5: see the module docstring


class World:
    """The run: who voted how, every receipt and text handed out."""

    def __init__(self, services: Services, console: Callable[..., ConsoleChannel], clock: FakeClock) -> None:
        self.services = services
        self.console = console
        self.clock = clock
        self.rng = random.Random(2027)
        self.handed: list[str] = []  # every text a voter or moderator was shown
        self.addressing = MailAddressing("glos@glos.example.org", "glos.example.org")
        self.mail = MailProcessor(services, self.addressing)
        self.tokens: dict[str, str] = {}
        self.open_copy: dict[str, list[dict[str, Any]]] = {}  # ballot and participation, before closing

    def later(self) -> None:
        self.clock.advance(timedelta(minutes=self.rng.randint(1, 95), seconds=self.rng.randint(0, 59)))

    def choice(self) -> list[str]:
        return [str(n) for n in sorted(self.rng.sample(range(1, len(TITLES) + 1), self.rng.randint(1, 3)))]

    def say(self, user: str, line: str) -> str:
        answer = "\n".join(self.console(user).handle(line))
        self.handed.append(answer)
        return answer

    def invite(self) -> None:
        invite_roster(self.services, self.addressing, SLUG)
        with self.services.context.reading() as connection:
            rows = connection.execute(
                text("SELECT address, payload FROM outbox_message WHERE purpose = 'mail.invitation'")
            ).all()
        for address, payload in rows:
            payload = payload if isinstance(payload, dict) else json.loads(payload)
            reply_to = expand_tokens(payload["headers"]["Reply-To"], self.services.context.secret)
            self.tokens.setdefault(address, reply_to.split("+", 1)[1].split("@", 1)[0])

    def reply(self, address: str, body: str) -> None:
        message = EmailMessage()
        message["From"] = f"Członek <{address}>"
        message["To"] = self.addressing.reply_to(self.tokens[address])
        message["Subject"] = "Re: Zaproszenie"
        message["Message-ID"] = make_msgid(domain="example.org")
        message.set_content(body)
        assert self.mail.process(message.as_bytes()).kind == "accepted"

    def send_everything(self) -> None:
        """What the Telegram and SMTP senders do: claim, (send,) mark sent — the texts are what people read."""
        outbox = self.services.outbox
        for channel in (Channel.TELEGRAM, Channel.EMAIL, Channel.CONSOLE):
            while claimed := outbox.claim(channel, worker="adversary-test", limit=500):
                for message in claimed:
                    self.handed.append(str(message.payload.get("text", "")))
                    outbox.mark_sending(message.id, worker="adversary-test")
                    outbox.mark_sent(message.id, worker="adversary-test")


def _run(services: Services, console: Callable[..., ConsoleChannel], clock: FakeClock, engine: Engine) -> World:
    world = World(services, console, clock)
    services.processes.import_definition(load_definition(DEFINITION))
    services.processes.open(SLUG)
    members = [f"czlonek{n:02d}@fundacja.example.org" for n in range(MEMBERS)]
    services.eligibility.import_roster(SLUG, [RosterRow(Channel.EMAIL, address) for address in members])
    world.invite()
    residents = [f"mieszkaniec{n:02d}" for n in range(RESIDENTS)]
    voters: list[tuple[str, str]] = [("console", r) for r in residents] + [("email", m) for m in members]
    world.rng.shuffle(voters)

    def vote(kind: str, who: str) -> None:
        chosen = world.choice()
        if kind == "console":
            assert "okwitowanie: " in world.say(who, f"/glosuj {SLUG} city: {', '.join(chosen)}")
        else:
            world.reply(who, ", ".join(chosen))

    for kind, who in voters:
        world.later()
        vote(kind, who)
        if world.rng.random() < 0.15:
            world.say("moderator", f"/papierowy {SLUG} city: {', '.join(world.choice())}")
    # changes, withdrawals, erasures (some come back), in a random order at random times
    later_steps: list[tuple[str, str, str]] = []
    later_steps += [("change", kind, who) for kind, who in world.rng.sample(voters, 10)]
    later_steps += [("withdraw", "console", who) for who in world.rng.sample(residents, 3)]
    erased = world.rng.sample(residents, 4)
    later_steps += [("erase", "console", who) for who in erased]
    world.rng.shuffle(later_steps)
    for step, kind, who in later_steps:
        world.later()
        if step == "change":
            vote(kind, who)
        elif step == "withdraw":
            world.say(who, f"/wycofaj {SLUG}")
        else:
            world.say(who, "/usun_dane TAK")
    for who in erased[:2]:  # two erased residents come back and vote again: their ballot is replaced
        world.later()
        vote("console", who)
    world.say("moderator", f"/papierowy {SLUG} city: 1, 2")
    world.send_everything()
    # a copy taken while the vote is still open: PostgreSQL's heap is then in the order ballots were written
    world.open_copy = {name: _table(engine, name) for name in ("ballot", "participation")}
    world.later()
    world.say("moderator", f"/zamknij {SLUG}")
    world.say("moderator", f"/opublikuj {SLUG}")
    send_summary(services, SLUG, SchedulePolicy())
    world.send_everything()
    return world


def _table(engine: Engine, name: str) -> list[dict[str, Any]]:
    """Every row of a table in physical order, as a thief reading the files (or a plain dump) sees it."""
    physical = "ctid" if engine.dialect.name == "postgresql" else "rowid"
    rowid = "" if engine.dialect.name == "postgresql" else "rowid AS _physical, "
    with engine.connect() as connection:
        without_rowid = (
            engine.dialect.name == "sqlite"
            and connection.execute(
                text("SELECT 1 FROM sqlite_master WHERE name = :name AND sql LIKE '%WITHOUT ROWID%'"), {"name": name}
            ).first()
        )
        if without_rowid:  # stored in primary-key order (register_entry: keyed by an HMAC), which SELECT * returns
            rows = connection.execute(text(f"SELECT * FROM {name}")).mappings().all()
        else:
            rows = connection.execute(text(f"SELECT {rowid}* FROM {name} ORDER BY {physical}")).mappings().all()
    return [dict(row, _order=index) for index, row in enumerate(rows)]


def _content(row: dict[str, Any]) -> dict[str, Any]:
    """A ballot's content as stored (JSON text on SQLite, a dict on PostgreSQL)."""
    content = row["content"]
    return dict(content) if isinstance(content, dict) else dict(json.loads(content))


def _correct(guess: list[tuple[str, int]], truth: dict[str, int]) -> int:
    return sum(1 for key, person in guess if truth.get(key) == person)


def _pair(ballots: list[dict[str, Any]], people: list[dict[str, Any]], by_ballot: Any, by_person: Any) -> list:
    ordered_ballots = sorted(ballots, key=by_ballot)
    ordered_people = sorted(people, key=by_person)
    return [(b["ballot_key"], p["person_id"]) for b, p in zip(ordered_ballots, ordered_people, strict=False)]


def test_a_copy_of_the_store_pairs_no_ballot_with_its_voter_better_than_chance(
    services: Services, console: Callable[..., ConsoleChannel], clock: FakeClock, engine: Engine
) -> None:
    world = _run(services, console, clock, engine)
    ctx = services.context
    # -- the truth, known only with the secret key --------------------------------------------------------
    tables = {name: _table(engine, name) for name in inspect(engine).get_table_names() if name != "alembic_version"}
    process_id = next(row["id"] for row in tables["process"] if row["slug"] == SLUG)
    voters = [row for row in tables["participation"] if row["process_id"] == process_id and not row["withdrawn"]]
    truth = {ctx.ballot_key(process_id, row["person_id"]): row["person_id"] for row in voters}
    counted = [
        row
        for row in tables["ballot"]
        if row["process_id"] == process_id and row["is_current"] and not row["withdrawn"] and row["channel"] != "paper"
    ]
    assert {row["ballot_key"] for row in counted} == set(truth)  # one counted ballot per voter, nothing else
    assert len(counted) >= 30
    # -- the attacks, without the secret key ---------------------------------------------------------------
    activity: dict[int, int] = {}
    for row in tables["mail_message"] + tables["audit_entry"]:
        person = row.get("person_id", row.get("actor_person_id"))
        if person is not None:
            activity[person] = activity.get(person, 0) + 1
    revisions: dict[str, int] = {}
    for row in tables["ballot"]:
        revisions[row["ballot_key"]] = revisions.get(row["ballot_key"], 0) + 1

    def by_cast(ballot: dict[str, Any]) -> tuple[str, int]:
        return str(ballot["cast_at"] or ""), ballot["_order"]

    attacks = {
        "ballot id order ↔ participation id order": _pair(counted, voters, lambda b: b["id"], lambda p: p["id"]),
        "physical order ↔ physical order": _pair(counted, voters, lambda b: b["_order"], lambda p: p["_order"]),
        "cast_at ↔ first_at": _pair(counted, voters, by_cast, lambda p: (str(p["first_at"]), p["_order"])),
        "cast_at ↔ last_at": _pair(counted, voters, by_cast, lambda p: (str(p["last_at"]), p["_order"])),
        "channel ↔ channel": _pair(
            counted, voters, lambda b: (str(b["channel"]), b["_order"]), lambda p: (str(p["channel"]), p["_order"])
        ),
        "revisions ↔ activity": _pair(
            counted,
            voters,
            lambda b: (-revisions[b["ballot_key"]], b["_order"]),
            lambda p: (-activity.get(p["person_id"], 0), p["last_at"] == p["first_at"], p["_order"]),
        ),
    }
    recovered = {name: _correct(guess, truth) for name, guess in attacks.items()}
    assert all(count <= MOST_BY_CHANCE for count in recovered.values()), (recovered, len(counted))
    # -- the copy taken while the vote was open --------------------------------------------------------------
    # Row order then is casting order on PostgreSQL (the heap; the shuffle comes at closing), so the order attacks
    # may pair rows with voters; what they must not give is what a voter chose. A pair is a hit when the ballot row
    # it gives a voter shows, as stored, that voter's final choice.
    chose = {truth[row["ballot_key"]]: _content(row) for row in counted}
    open_ballots = [row for row in world.open_copy["ballot"] if row["process_id"] == process_id]
    open_counted = [row for row in open_ballots if row["is_current"] and row["channel"] != "paper"]
    open_voters = [
        row for row in world.open_copy["participation"] if row["process_id"] == process_id and not row["withdrawn"]
    ]
    assert len(open_counted) == len(counted)
    orders: dict[str, tuple[Callable[[dict[str, Any]], Any], Callable[[dict[str, Any]], Any]]] = {
        "physical order ↔ physical order": (lambda b: b["_order"], lambda p: p["_order"]),
        "ballot id order ↔ participation id order": (lambda b: b["id"], lambda p: p["id"]),
    }
    shown = {
        name: sum(
            1
            for ballot, person in zip(sorted(open_counted, key=key), sorted(open_voters, key=order), strict=False)
            if _content(ballot) == chose.get(person["person_id"])
        )
        for name, (key, order) in orders.items()
    }
    assert all(count <= MOST_BY_CHANCE for count in shown.values()), (shown, len(open_counted))
    # every ballot row of the open secret vote, paper included, is sealed, and all are the same length
    sealed = [_content(row) for row in open_ballots]
    assert all(list(content) == ["@sealed"] for content in sealed), sealed[:3]
    assert len({len(content["@sealed"]) for content in sealed}) == 1
    # Any row that names a voter (their person id or address) and also carries their choice, anywhere. (The
    # content is plain text in every column but the sealed ones; a plain "your projects" message would be found.)
    addresses: dict[int, set[str]] = {}
    for row in tables["identity"]:
        addresses.setdefault(row["person_id"], set()).add(str(row["address"]))
    titles = {str(n): title for n, title in enumerate(TITLES, start=1)}
    pairing_rows = []
    for row in counted:
        person = truth[row["ballot_key"]]
        content = row["content"] if isinstance(row["content"], dict) else json.loads(row["content"])
        chosen = [titles[key] for key in content["city"]]
        names = addresses.get(person, set())
        for name, rows in tables.items():
            if name == "ballot":
                continue
            for stored in rows:
                flat = " ".join(str(value) for value in stored.values())
                names_them = person in stored.values() or any(address in flat for address in names)
                # a row listing every project (an invitation) says nothing about a choice
                if names_them and all(t in flat for t in chosen) and not all(t in flat for t in TITLES):
                    pairing_rows.append((name, person, chosen))
    assert pairing_rows == []
    # -- receipts: never in the store, in any form ---------------------------------------------------------
    receipts = set(RECEIPT.findall("\n".join(world.handed)))
    assert len(receipts) >= len(counted)  # every vote, change, e-mail confirmation and paper ballot gave one
    dump = "\n".join(" ".join(str(value) for value in row.values()) for rows in tables.values() for row in rows)
    for receipt in receipts:
        for form in (receipt, receipt.replace("-", ""), receipt.lower(), receipt.replace("-", "").lower()):
            assert form not in dump, receipt
