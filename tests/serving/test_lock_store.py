"""serving/stores.py's Redis lock store on a real redis-server: replicas taking messages of one
conversation at the same moment never share a ticket, so Rasa handles them one at a time."""
from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from serving.stores import RedisLockStore
from tests.support.services import running_redis

REPLICAS = 6
TICKETS_EACH = 40


@pytest.fixture(scope="module")
def redis_url():
    with running_redis() as redis:
        yield redis.url


def test_replicas_issuing_tickets_at_once_never_get_the_same_one(redis_url):
    conversation = f"race-{uuid.uuid4().hex[:8]}"
    stores = [RedisLockStore(redis_url) for _ in range(REPLICAS)]

    def issue(store):
        return [store.issue_ticket(conversation, 60) for _ in range(TICKETS_EACH)]

    with ThreadPoolExecutor(REPLICAS) as pool:
        tickets = [t for batch in pool.map(issue, stores) for t in batch]
    assert len(tickets) == REPLICAS * TICKETS_EACH
    assert len(set(tickets)) == len(tickets), f"{len(tickets) - len(set(tickets))} tickets issued twice"
    assert len(stores[0].get_lock(conversation).tickets) == len(tickets), "a ticket was overwritten"


def test_messages_at_once_on_two_replicas_are_handled_one_after_the_other(redis_url):
    """Each replica is a thread with its own event loop and connection, as two processes would be."""
    conversation = f"turns-{uuid.uuid4().hex[:8]}"
    inside, overlaps = [], []

    async def handle(store, name):
        async with store.lock(conversation, 60, wait_time_in_seconds=0.01):
            if inside:
                overlaps.append((inside[-1], name))
            inside.append(name)
            await asyncio.sleep(0.02)
            inside.remove(name)

    def replica(tag):
        store = RedisLockStore(redis_url)

        async def messages():
            await asyncio.gather(*(handle(store, f"{tag}{i}") for i in range(15)))

        asyncio.run(messages())
        return store

    with ThreadPoolExecutor(2) as pool:
        one, _ = pool.map(replica, "ab")
    assert overlaps == [], f"{len(overlaps)} messages ran while another held the conversation"
    assert one.get_lock(conversation) is None, "the last message leaves no lock behind"
