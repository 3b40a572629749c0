"""Test helpers shared by `tests/` and `bench/`: the fake Bot API, a running bot, knowledge trees.

Nothing here is installed with the bot; `tests/` and `bench/` import it, never the other way round.
"""
