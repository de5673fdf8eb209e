"""Exports of a process for moderators: results as CSV or JSON, one pool's ballots in pabulib ``.pb``, and a
consultation's report (``report-html``, ``report-docx``, ``report-odt``, ``report-csv``; for a consultation
``csv``, ``docx``, ``odt`` and ``html`` mean the report too: its results are its remarks).

Exports carry results, so they obey the same visibility as ``/wyniki`` for moderators: available once the
process is closed. The ``.pb`` export lists ballots in an order unrelated to when they were cast (sorted by
their opaque key) with sequential voter ids, so it reveals nobody.
"""

from __future__ import annotations

import csv
import io
import json
from fractions import Fraction

from sqlmodel import col, select

from bot.counting.pb import PbElection, PbProject, PbVote, write_pb
from bot.definition import Pool, ProcessDefinition
from bot.domain import BallotRuleKind, CountingRuleKind, ProcessKind
from bot.errors import InputError, WrongPhase
from bot.i18n import Translator, translator
from bot.replies import Document
from bot.services import ProcessResults, Services
from bot.services.sealing import open_ballot
from bot.text import for_csv_cell
from bot.views.report_files import REPORT_FORMATS, render_report
from storage.models import Ballot as BallotRow

__all__ = ["FORMATS", "export_process"]

FORMATS = ("csv", "json", "pb", *REPORT_FORMATS)
_CONSULTATION_ALIASES = {"csv": "report-csv", "docx": "report-docx", "odt": "report-odt", "html": "report-html"}


def export_process(
    services: Services,
    slug: str,
    fmt: str,
    pool_key: str | None = None,
    *,
    counted: ProcessResults | None = None,
    t: Translator | None = None,
) -> Document:
    """The export of ``slug`` in ``fmt`` (``csv``, ``json`` or ``pb`` — ``pb`` for one pool, default the first).

    ``counted``: the process's results when the caller already has them (the web page's cache), else they are
    counted here (as a moderator sees them). ``t``: the language and zone of a report (default Polish, Warsaw)."""
    fmt, _, rest = fmt.strip().lower().partition(" ")
    pool_key = pool_key or (rest.strip() or None)
    info = services.processes.get(slug)
    if info.kind is ProcessKind.CONSULTATION:
        fmt = _CONSULTATION_ALIASES.get(fmt, fmt)
    if fmt not in FORMATS:
        raise InputError("export.unknown_format", format=fmt[:20])
    if fmt in REPORT_FORMATS:
        t = t or translator("pl")
        report = services.report.report(slug, language=t.language, moderator=True)
        content, suffix, media = render_report(report, t, fmt)
        return Document(f"{slug}-raport.{suffix}", content, media.split(";")[0])
    results = counted if counted is not None else services.results.results(slug, moderator=True)
    if fmt == "json":
        payload = {"process": info.definition.model_dump(mode="json"), "results": results.to_json()}
        content = json.dumps(payload, ensure_ascii=False, indent=2).encode()
        return Document(f"{slug}.json", content, "application/json")
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";")
        writer.writerow(
            [
                "round",
                "pool",
                "item",
                "title",
                "votes",
                "points",
                "score",
                "yes",
                "no",
                "abstain",
                "cost",
                "selected",
                "reason",
            ]
        )
        titles = {item.key: item.title.pl for item in info.definition.items}
        for number, pools in enumerate(results.rounds, start=1):
            for pool, result in pools.items():
                for row in result.rows:
                    data = row.to_json()
                    writer.writerow(
                        for_csv_cell(value)
                        for value in [
                            number,
                            pool,
                            row.item,
                            titles.get(row.item, ""),
                            *(
                                data.get(name, "")
                                for name in ("votes", "points", "score", "yes", "no", "abstain", "cost")
                            ),
                            int(row.selected),
                            row.reason or "",
                        ]
                    )
        return Document(f"{slug}.csv", buffer.getvalue().encode("utf-8-sig"), "text/csv")
    if info.kind is ProcessKind.SURVEY and info.definition.eligibility.districts:
        # ballot by ballot, a municipality's one response would be there to read: only figures leave a survey of
        # areas, and only those of areas with min_responses responses (bot/services/results.py)
        raise InputError("export.no_ballots_by_area", slug=slug)
    return _pabulib(services, slug, info.definition, pool_key, results)


def _pabulib(
    services: Services, slug: str, definition: ProcessDefinition, pool_key: str | None, results: ProcessResults
) -> Document:
    keys = [pool.key for pool in definition.pools]
    chosen = pool_key or (keys[0] if keys else "")
    if chosen not in keys:
        raise InputError("export.unknown_pool", pool=chosen, pools=", ".join(keys))
    pool = definition.pool(chosen)
    vote_type = _vote_type(pool)
    with services.context.snapshot() as session:
        process = services.context.process(session, slug)
        contents = session.exec(
            select(BallotRow.content)
            .where(
                BallotRow.process_id == process.id,
                BallotRow.round == 1,
                col(BallotRow.is_current).is_(True),
                col(BallotRow.withdrawn).is_(False),
            )
            .order_by(col(BallotRow.ballot_key))
        ).all()
    if process.phase not in ("closed", "published"):
        raise WrongPhase("results.not_visible", slug=slug)
    result = results.rounds[0][chosen]
    votes: list[PbVote] = []
    for stored in contents:
        content = open_ballot(services.context.secret, stored)
        part = content.get(chosen)
        if not part:
            continue
        voter = str(len(votes) + 1)
        if isinstance(part, dict):
            named = tuple(part)
            votes.append(PbVote(voter, named, tuple(Fraction(int(part[item])) for item in named)))
        else:
            votes.append(PbVote(voter, tuple(part)))
    items = definition.items_of(chosen)
    projects = tuple(
        PbProject(
            item.key,
            Fraction(str(item.cost or 0)),
            item.title.pl,
            int(result.row(item.key).selected),
            {"votes": str(result.row(item.key).votes or 0)},
        )
        for item in items
    )
    meta = {
        "description": definition.title.pl,
        "country": "Poland",
        "unit": services.context.bot_name,
        "instance": slug,
        "subunit": chosen,
        "num_projects": str(len(projects)),
        "num_votes": str(len(votes)),
        "budget": str(pool.budget or sum((item.cost or 0) for item in items)),
        "vote_type": vote_type,
        "rule": _rule(pool),
        "language": "pl",
        "currency": "PLN",
    }
    if pool.counting.min_votes:
        meta["min_project_score_threshold"] = str(pool.counting.min_votes)
    if pool.ballot.max:
        meta["max_length"] = str(pool.ballot.max)
    if pool.ballot.min:
        meta["min_length"] = str(pool.ballot.min)
    if pool.ballot.max_total:
        meta["max_sum_points"] = str(pool.ballot.max_total)
    vote_columns = ("voter_id", "vote", "points") if vote_type in ("cumulative", "scoring") else ("voter_id", "vote")
    election = PbElection(
        meta, projects, tuple(votes), ("project_id", "cost", "votes", "name", "selected"), vote_columns
    )
    return Document(f"{slug}-{chosen}.pb", write_pb(election).encode(), "text/csv")


def _vote_type(pool: Pool) -> str:
    rule = pool.ballot.rule
    if rule is BallotRuleKind.RANKING:
        return "ordinal"
    if rule is BallotRuleKind.CUMULATIVE:
        return "cumulative"
    if rule is BallotRuleKind.SCORE:
        return "scoring"
    if rule is BallotRuleKind.ONE_OF:
        return "choose-1"
    return "approval"


def _rule(pool: Pool) -> str:
    counting = pool.counting
    if counting.rule is CountingRuleKind.MES:
        return "equalshares/add1" if counting.add1 else "equalshares"
    if counting.rule is CountingRuleKind.GREEDY_NO_SKIP:
        return "greedy-no-skip"
    if counting.rule is CountingRuleKind.GREEDY:
        return "greedy-threshold" if counting.min_votes else "greedy"
    return counting.rule.value
