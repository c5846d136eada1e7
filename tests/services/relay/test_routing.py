"""Channel order: priority groups, weights, sticky keys."""
import random
from collections import Counter

from services.catalog.snapshot import ChannelInfo, route_order


def channel(cid: int, weight: int, priority: int = 0) -> ChannelInfo:
    return ChannelInfo(id=cid, name=f"c{cid}", provider="openai", base_url="https://x.example/v1", api_key="",
                       models=("m",), model_map={}, priority=priority, weight=weight)


def test_weights_are_honoured_within_a_few_percent_over_2000_picks():
    channels = [channel(1, 1), channel(2, 3), channel(3, 6)]
    rng = random.Random(2026)
    picks = Counter(route_order(channels, rng)[0].id for _ in range(2000))
    for cid, share in ((1, 0.1), (2, 0.3), (3, 0.6)):
        assert abs(picks[cid] / 2000 - share) < 0.03, picks


def test_higher_priority_groups_come_first_and_zero_weight_last():
    channels = [channel(1, 5, priority=0), channel(2, 1, priority=10), channel(3, 0, priority=10)]
    for seed in range(50):
        assert [c.id for c in route_order(channels, random.Random(seed))] == [2, 3, 1]


def test_every_channel_is_in_the_order_for_failover():
    channels = [channel(i, i) for i in range(1, 6)]
    assert sorted(c.id for c in route_order(channels, random.Random(1))) == [1, 2, 3, 4, 5]


def test_sticky_keys_keep_their_channel_and_spread_over_keys():
    channels = [channel(1, 1), channel(2, 1), channel(3, 2)]
    firsts = Counter()
    for key in range(400):
        order = [c.id for c in route_order(channels, sticky=f"{key}:m")]
        assert order == [c.id for c in route_order(channels, sticky=f"{key}:m")]
        firsts[order[0]] += 1
    assert all(firsts[c] > 60 for c in (1, 2)) and firsts[3] > firsts[1]
