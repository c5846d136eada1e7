"""Request and task ids sort by the time they were made, so the unique
indexes they key grow at their last leaf; their tail stays random."""
import re
import time

from services.ids import sortable_id


def test_ids_made_later_sort_later():
    earlier = [sortable_id("req_") for _ in range(50)]
    time.sleep(0.002)
    later = [sortable_id("req_") for _ in range(50)]
    assert max(earlier) < min(later)


def test_an_id_is_the_prefix_and_24_hex_digits_and_ids_do_not_repeat():
    ids = [sortable_id("req_") for _ in range(10_000)]
    assert all(re.fullmatch(r"req_[0-9a-f]{24}", i) for i in ids)
    assert len(set(ids)) == len(ids)
    # The clock part is milliseconds now; the tail is not the same every time.
    assert abs(int(ids[0][4:16], 16) - time.time() * 1000) < 60_000
    assert len({i[16:] for i in ids}) > 9_000
