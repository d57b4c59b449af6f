"""PCG64 generators seeded with ``[seed, year, establishment_id]``, many at once.

The comparator draw gives every (school, year) its own generator,
``np.random.PCG64([seed, year, establishment_id])`` (see :func:`.comparator.draw_rows`).
Constructing one runs numpy's ``SeedSequence`` in Python-level steps per generator, which costs
more than the numbers a school-year draws. Here the same ``SeedSequence`` hash (numpy's
``bit_generator.pyx``: ``mix_entropy`` over a pool of four 32-bit words, then
``generate_state(4, uint64)``) runs on arrays, one element per generator, and PCG64's seeding
(``pcg64_set_seed``: ``inc = initseq << 1 | 1``, one step, add ``initstate``, one step) on
Python integers. :func:`pcg64_states` returns the states numpy would set, bit for bit; the
test suite compares them with ``np.random.PCG64([...]).state`` over many seeds.

Entropy words above 32 bits would change the pool's input length: such seeds are refused
here (:func:`fits`) and the caller constructs the generators itself.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np

_MASK32: Final = 0xFFFFFFFF
_INIT_A: Final = 0x43B0D7E5
_MULT_A: Final = 0x931E8875
_INIT_B: Final = 0x8B51F9DD
_MULT_B: Final = 0x58F38DED
_MIX_MULT_L: Final = 0xCA01F9DD
_MIX_MULT_R: Final = 0x4973F715
_XSHIFT: Final = 16
_POOL_SIZE: Final = 4
_PCG_MULTIPLIER: Final = 0x2360ED051FC65DA44385DF649FCCF645
_MASK128: Final = (1 << 128) - 1


def fits(*words: np.ndarray | int) -> bool:
    """Whether every entropy value is one non-negative 32-bit word (what this module handles)."""
    for value in words:
        array = np.asarray(value)
        if array.size and (int(array.min()) < 0 or int(array.max()) > _MASK32):
            return False
    return True


class _HashConstant:
    """``SeedSequence``'s running hash constant: the same for every generator, so a scalar."""

    def __init__(self, start: int) -> None:
        self.value = start

    def hashmix(self, value: np.ndarray) -> np.ndarray:
        value = value ^ np.uint32(self.value)
        self.value = (self.value * _MULT_A) & _MASK32
        value = value * np.uint32(self.value)
        return value ^ (value >> np.uint32(_XSHIFT))


def _mix(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    result: Any = np.uint32(_MIX_MULT_L) * x - np.uint32(_MIX_MULT_R) * y
    return result ^ (result >> np.uint32(_XSHIFT))


def _seed_words(entropy: list[np.ndarray]) -> np.ndarray:
    """``SeedSequence(entropy).generate_state(4, np.uint64)`` per generator: (n, 4) uint64."""
    n = len(entropy[0])
    const = _HashConstant(_INIT_A)
    pool = [const.hashmix(entropy[i] if i < len(entropy) else np.zeros(n, np.uint32)) for i in range(_POOL_SIZE)]
    for i_src in range(_POOL_SIZE):
        for i_dst in range(_POOL_SIZE):
            if i_src != i_dst:
                pool[i_dst] = _mix(pool[i_dst], const.hashmix(pool[i_src]))
    for word in entropy[_POOL_SIZE:]:
        for i_dst in range(_POOL_SIZE):
            pool[i_dst] = _mix(pool[i_dst], const.hashmix(word))
    hash_b = _INIT_B
    state = np.empty((n, 2 * _POOL_SIZE), dtype=np.uint32)
    for i_dst in range(2 * _POOL_SIZE):
        value = pool[i_dst % _POOL_SIZE] ^ np.uint32(hash_b)
        hash_b = (hash_b * _MULT_B) & _MASK32
        value = value * np.uint32(hash_b)
        state[:, i_dst] = value ^ (value >> np.uint32(_XSHIFT))
    # Pairs of 32-bit words read as one little-endian 64-bit word, as numpy's ``view`` does.
    low, high = state[:, 0::2].astype(np.uint64), state[:, 1::2].astype(np.uint64)
    return low | (high << np.uint64(32))


def pcg64_states(seed: int, years: np.ndarray, establishments: np.ndarray) -> list[Any]:
    """The ``state`` of ``np.random.PCG64([seed, year, establishment])`` for each pair, in order.

    Each entry can be assigned to a ``PCG64``'s ``state`` to make it that generator. Every
    value must pass :func:`fits`.
    """
    n = len(years)
    entropy = [
        np.full(n, seed, dtype=np.uint32),
        np.asarray(years).astype(np.uint32),
        np.asarray(establishments).astype(np.uint32),
    ]
    words = _seed_words(entropy).tolist()
    states: list[Any] = []
    for w0, w1, w2, w3 in words:
        initstate = (w0 << 64) | w1
        inc = ((((w2 << 64) | w3) << 1) | 1) & _MASK128
        # From state 0: one step (0 * multiplier + inc), add initstate, one more step.
        state = (((inc + initstate) & _MASK128) * _PCG_MULTIPLIER + inc) & _MASK128
        states.append({"bit_generator": "PCG64", "state": {"state": state, "inc": inc}, "has_uint32": 0, "uinteger": 0})
    return states
