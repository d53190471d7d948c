import gc

from services.archive.adapters.replay import no_cyclic_gc


def test_what_a_replay_built_is_not_walked_by_the_collector_afterwards() -> None:
    was_frozen = gc.get_freeze_count()
    with no_cyclic_gc(freeze=True):
        assert not gc.isenabled()
        docs = [{"entries": [i]} for i in range(20_000)]
    try:
        assert gc.isenabled()
        assert gc.get_freeze_count() - was_frozen >= len(docs)  # moved out of the collector's way …
        assert gc.get_count()[0] < len(docs)  # … so its next pass does not walk them all
    finally:
        gc.unfreeze()
