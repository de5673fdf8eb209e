"""The basket: a budget ballot built with buttons, one project at a time, then confirmed.

``/koszyk [slug] [pool] [page]`` shows the voter's basket for one pool: the chosen projects, their cost, the money
left and the pool's limits (:func:`bot.ballot_rules.basket_summary`), with a button per project to add or remove it,
a button per other pool the voter may use, and a confirm button. A pool of more than :data:`PAGE_SIZE` projects is
shown a page at a time ("strona 2/7", ◀ ▶ buttons), so a keyboard never passes Telegram's 100 buttons (a Warsaw
district pool has up to 137 projects); adding or removing a project shows the page it is on.
``/koszyk_dodaj`` and ``/koszyk_usun`` change the basket; a project that would break the pool's count or budget
limit is refused at once and the basket stays as it was. ``/koszyk_zatwierdz`` casts the basket through
:meth:`VotingService.cast` (which validates it again).

The basket lives in the dialogue state (``basket`` → slug → pool → item keys), so it survives a restart; it
starts from the voter's counted ballot, so changing a vote starts from what was cast. Ballots that are lists
(one of, up to, exactly, within budget, ranking — in the order chosen) can be built here; the others are cast
with ``/glosuj``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.ballot_rules import basket_summary
from bot.commands.args import take_process
from bot.commands.base import Invocation
from bot.commands.names import command_in
from bot.definition import Pool, ProcessDefinition
from bot.domain import BallotRuleKind, ProcessKind
from bot.errors import InputError
from bot.replies import Button, Reply
from bot.services import ProcessInfo
from bot.views.ballot import ballot_lines
from bot.views.labels import label
from bot.views.process import ballot_rule_text

__all__ = ["PAGE_SIZE", "cmd_basket", "cmd_basket_add", "cmd_basket_confirm", "cmd_basket_remove"]

PAGE_SIZE = 20  # project buttons on one page: with navigation, other pools and confirm, far below 100 buttons

_LIST_RULES = frozenset(
    {
        BallotRuleKind.ONE_OF,
        BallotRuleKind.UP_TO,
        BallotRuleKind.EXACTLY,
        BallotRuleKind.MIN_MAX,
        BallotRuleKind.WITHIN_BUDGET,
        BallotRuleKind.RANKING,
    }
)
Basket = dict[str, list[str]]


def cmd_basket(inv: Invocation) -> Sequence[Reply]:
    """Show the basket of one pool (the first usable pool unless named)."""
    slug, rest = take_process(inv)
    assert slug is not None
    info, pools = _usable_pools(inv, slug)
    basket = _load(inv, slug, pools)
    words = rest.lower().split()
    pool = next((p for p in pools if words and p.key == words[0]), pools[0])
    page = int(words[-1]) if words and words[-1].isdigit() and len(words[-1]) < 6 else 1
    return [_view(inv, info, pools, basket, pool, page=page)]


def cmd_basket_add(inv: Invocation) -> Sequence[Reply]:
    """Add a project to a pool's basket, unless that breaks the pool's count or budget limit."""
    return _change(inv, add=True)


def cmd_basket_remove(inv: Invocation) -> Sequence[Reply]:
    """Take a project out of a pool's basket."""
    return _change(inv, add=False)


def cmd_basket_confirm(inv: Invocation) -> Sequence[Reply]:
    """Cast the basket as the voter's ballot; the receipt comes back."""
    slug, _ = take_process(inv)
    assert slug is not None
    info, pools = _usable_pools(inv, slug)
    basket = _load(inv, slug, pools)
    ballot: dict[str, Any] = {key: items for key, items in basket.items() if items}
    if not ballot:
        raise InputError("basket.empty", slug=slug)
    result = inv.services.voting.cast(slug, inv.caller.person_id, ballot, inv.caller.channel)
    # A basket kept after the cast would pair the person with their ballot in the store (docs/SECURITY.md).
    _forget(inv, slug)
    key = "vote.changed" if result.replaced else "vote.accepted"
    summary = ballot_lines(info.definition, result.ballot, inv.t)  # titles, as /glosuj says it: never pool keys
    return [Reply(inv.t(key, slug=slug, title=info.definition.title, ballot=summary, receipt=result.receipt))]


def _change(inv: Invocation, *, add: bool) -> Sequence[Reply]:
    slug, rest = take_process(inv)
    assert slug is not None
    words = rest.split()
    if len(words) != 2:
        raise InputError("basket.usage", slug=slug)
    pool_key, item_key = words[0].lower(), words[1]
    info, pools = _usable_pools(inv, slug)
    pool = next((p for p in pools if p.key == pool_key), None)
    if pool is None:
        known = next((p for p in info.definition.pools if p.key == pool_key), None)  # another district's pool
        shown = _pool_name(known, inv.t.language) if known is not None else pool_key[:40]
        raise InputError("basket.no_pool", pool=shown, slug=slug)
    basket = _load(inv, slug, pools)
    chosen = [key for key in basket.get(pool.key, []) if key != item_key]
    if add:
        chosen.append(item_key)
        if pool.ballot.rule is BallotRuleKind.ONE_OF:
            chosen = [item_key]
    summary = basket_summary(info.definition, {pool.key: chosen}, pool.key)  # unknown items are refused here
    t = inv.t
    if add and summary.max is not None and summary.count > summary.max:
        raise InputError("basket.too_many", max=summary.max, pool=_pool_name(pool, t.language))
    if add and summary.rule is BallotRuleKind.WITHIN_BUDGET and summary.left is not None and summary.left < 0:
        raise InputError("basket.over_budget", left=t.money(summary.left + _cost(info.definition, item_key)))
    basket[pool.key] = chosen
    _save(inv, slug, basket)
    return [_view(inv, info, pools, basket, pool, focus=item_key)]


def _usable_pools(inv: Invocation, slug: str) -> tuple[ProcessInfo, list[Pool]]:
    """The process and the pools this voter may fill with buttons (eligibility is checked here)."""
    info = inv.services.processes.get(slug)
    if info.kind is ProcessKind.CONSULTATION:
        raise InputError("vote.consultation", slug=slug)
    district = inv.services.eligibility.check(slug, inv.caller.person_id).district
    pools = [
        pool
        for pool in info.definition.pools
        if (pool.district is None or pool.district == district) and pool.ballot.rule in _LIST_RULES
    ]
    if not pools:
        raise InputError("basket.unsupported", slug=slug)
    return info, pools


def _load(inv: Invocation, slug: str, pools: list[Pool]) -> Basket:
    stored = inv.services.dialogue.get(inv.caller.person_id, inv.caller.channel).get("basket", {})
    mine = stored.get(slug) if isinstance(stored, dict) else None
    if isinstance(mine, dict):
        return {str(k): [str(i) for i in v] for k, v in mine.items() if isinstance(v, list)}
    # A new basket starts from the counted ballot, so a change of vote starts from what was cast.
    current = inv.services.voting.current_ballot(slug, inv.caller.person_id) or {}
    usable = {pool.key for pool in pools}
    return {str(k): [str(i) for i in v] for k, v in current.items() if k in usable and isinstance(v, list)}


def _save(inv: Invocation, slug: str, basket: Basket) -> None:
    state = inv.services.dialogue.get(inv.caller.person_id, inv.caller.channel).get("basket", {})
    baskets = dict(state) if isinstance(state, dict) else {}
    baskets[slug] = basket
    inv.services.dialogue.update(inv.caller.person_id, inv.caller.channel, basket=baskets)


def _forget(inv: Invocation, slug: str) -> None:
    state = inv.services.dialogue.get(inv.caller.person_id, inv.caller.channel).get("basket", {})
    if isinstance(state, dict) and slug in state:
        inv.services.dialogue.update(
            inv.caller.person_id, inv.caller.channel, basket={key: value for key, value in state.items() if key != slug}
        )


def _view(
    inv: Invocation,
    info: ProcessInfo,
    pools: list[Pool],
    basket: Basket,
    pool: Pool,
    *,
    page: int = 1,
    focus: str | None = None,
) -> Reply:
    """The basket of ``pool`` with the buttons of page ``page`` (clamped), or of the page showing ``focus``."""
    t, lang, definition = inv.t, inv.t.language, info.definition
    chosen = basket.get(pool.key, [])
    summary = basket_summary(definition, {pool.key: chosen}, pool.key)
    titles = {item.key: item for item in definition.items_of(pool.key)}
    lines = [t("basket.header", title=info.title(lang), pool=_pool_name(pool, lang))]
    for position, key in enumerate(chosen, start=1):
        item = titles[key]
        cost = f" — {t.money(item.cost)}" if item.cost is not None else ""
        lines.append(f"{position}. [{key}] {item.title.get(lang)}{cost}")
    if not chosen:
        lines.append(t("basket.nothing_yet"))
    if summary.max is None:  # no cap: "(at most: —)" would read as if nothing may be chosen
        lines.append(t("basket.count.unlimited", chosen=summary.count))
    else:
        lines.append(t("basket.count", chosen=summary.count, max=summary.max))
    if summary.budget is not None and summary.left is not None:
        lines.append(
            t("basket.money", cost=t.money(summary.cost), left=t.money(summary.left), budget=t.money(summary.budget))
        )
    lines += [ballot_rule_text(pool, t), t("basket.hint")]
    keys = list(titles)
    pages = max(1, -(-len(keys) // PAGE_SIZE))
    if focus in titles:
        page = keys.index(focus) // PAGE_SIZE + 1
    page = min(max(page, 1), pages)
    first = (page - 1) * PAGE_SIZE
    shown = keys[first : first + PAGE_SIZE]
    if pages > 1:
        lines.append(
            t("basket.page", page=page, pages=pages, first=first + 1, last=first + len(shown), total=len(keys))
        )
    rows: list[tuple[Button, ...]] = []
    for key in shown:
        project = titles[key]
        cost = f" ({t.money(project.cost)})" if project.cost is not None else ""
        if key in chosen:
            shown_label = label(f"✅ {key}. ", project.title.get(lang), cost)
            command = f"{command_in('koszyk_usun', lang)} {info.slug} {pool.key} {key}"
        else:
            shown_label = label(f"➕ {key}. ", project.title.get(lang), cost)
            command = f"{command_in('koszyk_dodaj', lang)} {info.slug} {pool.key} {key}"
        rows.append((Button(shown_label, command),))
    if pages > 1:
        turn = f"{command_in('koszyk', lang)} {info.slug} {pool.key}"
        navigation = []
        if page > 1:
            navigation.append(Button(t("basket.previous", page=page - 1, pages=pages), f"{turn} {page - 1}"))
        if page < pages:
            navigation.append(Button(t("basket.next", page=page + 1, pages=pages), f"{turn} {page + 1}"))
        rows.append(tuple(navigation))
    show = command_in("koszyk", lang)
    others = [Button("🗂 " + _pool_name(p, lang), f"{show} {info.slug} {p.key}") for p in pools if p.key != pool.key]
    rows += [tuple(others[start : start + 2]) for start in range(0, len(others), 2)]
    rows.append((Button(t("basket.confirm"), f"{command_in('koszyk_zatwierdz', lang)} {info.slug}"),))
    return Reply("\n".join(lines), buttons=tuple(rows))


def _pool_name(pool: Pool, language: str) -> str:
    return pool.name.get(language) if pool.name is not None else pool.key


def _cost(definition: ProcessDefinition, item_key: str) -> Any:
    item = next((item for item in definition.items if item.key == item_key), None)
    return item.cost if item is not None and item.cost is not None else 0
