# distutils: language = c++
# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Compiled tagging kernel: features of a batch of analysed units and their linear scores in one pass.

The compiled twin of :meth:`roleclassify.features.Featurizer.transform_arrays` followed by
:meth:`roleclassify.model.RoleClassifier.decision_function_units`, for the feature layout the shipped model uses
(word n-grams of orders 1 and 2, character n-grams of orders 1 to 3). It does the same arithmetic in the same
order and precision (float32 weights and products, float64 norms and sums), so its scores are bit for bit the pure-Python
path's; ``tests/test_kernel.py`` proves it. Built at install time from this file (``hatch_build.py``); when it is
missing, tagging uses the pure-Python path, which stays the reference.
"""

from libc.stdlib cimport calloc, malloc, free, realloc
from libc.math cimport sqrt
from cpython.dict cimport PyDict_GetItemWithError
from cpython.exc cimport PyErr_Occurred
from cpython.object cimport PyObject
from cpython.unicode cimport PyUnicode_READ_CHAR, PyUnicode_GET_LENGTH

ctypedef long long i64


ctypedef unsigned long long u64

cdef extern from *:
    """
    #define RC_CTZ(x) __builtin_ctzll(x)
    """
    int ctz "RC_CTZ"(unsigned long long x) noexcept nogil

cdef extern from *:
    """
    #define RC_COL_BITS 24
    #define RC_EMPTY 0xFFFFFFFFFFFFFFFFULL
    """
    const int COL_BITS "RC_COL_BITS"
    const u64 EMPTY "RC_EMPTY"

#: A slot packs a key (below 2**40) and its column (below 2**24) in one word: one memory read per probe.
MAX_KEY = 2 ** 40
MAX_COLUMNS = 2 ** 24


cdef inline Py_ssize_t _slot(u64 key, int bits) noexcept nogil:
    return <Py_ssize_t>((key * 0x9E3779B97F4A7C15ULL) >> (64 - bits))


cdef inline i64 _probe(const u64* table, int bits, u64 key) noexcept nogil:
    """Column of ``key`` in an open-addressing table built by :func:`hash_table` (-1 when absent)."""
    cdef Py_ssize_t mask = (<Py_ssize_t>1 << bits) - 1
    cdef Py_ssize_t i = _slot(key, bits)
    cdef u64 e
    while True:
        e = table[i]
        if e == EMPTY:
            return -1
        if (e >> COL_BITS) == key:
            return <i64>(e & (((<u64>1) << COL_BITS) - 1))
        i = (i + 1) & mask


def hash_table(const i64[::1] keys, const i64[::1] cols):
    """An open-addressing table (linear probing, at most half full) of ``keys`` -> ``cols``, each slot the key
    and its column packed in one word (all ones: empty): (slots, bits). The same lookups as a binary search in
    the sorted keys. ValueError for a key of 2**40 or more or a column of 2**24 or more."""
    import numpy as np
    cdef int bits = 4
    while (1 << bits) < 2 * keys.shape[0] + 2:
        bits += 1
    slots = np.full(1 << bits, np.iinfo(np.uint64).max, dtype=np.uint64)
    cdef u64[::1] t = slots
    cdef Py_ssize_t n, i, mask = (1 << bits) - 1
    cdef u64 key
    cdef i64 max_key = (<i64>1) << (64 - COL_BITS), max_col = (<i64>1) << COL_BITS
    for n in range(keys.shape[0]):
        if keys[n] < 0 or keys[n] >= max_key or cols[n] < 0 or cols[n] >= max_col:
            raise ValueError("key or column beyond the kernel's tables")
        key = <u64>keys[n]
        i = _slot(key, bits)
        while t[i] != EMPTY and (t[i] >> COL_BITS) != key:
            i = (i + 1) & mask
        t[i] = (key << COL_BITS) | <u64>cols[n]
    return slots, bits


cdef class Buffer:
    """Growable int buffers reused across calls: columns of one unit, term frequency per column."""
    cdef int* cols
    cdef float* dv  # each distinct column's tf-idf value in the unit, as the scores use it
    cdef Py_ssize_t cap
    cdef int* tf
    cdef Py_ssize_t nf
    cdef i64* ids
    cdef Py_ssize_t ids_cap
    cdef i64* ks
    cdef Py_ssize_t ks_cap
    cdef u64* bits  # one bit per column: seen in this unit
    cdef u64* summary  # one bit per word of ``bits``: that word has a bit set
    cdef Py_ssize_t n_bits, n_summary

    def __cinit__(self, Py_ssize_t nf):
        self.nf = nf
        self.n_bits = (nf + 63) // 64 + 1
        self.n_summary = (self.n_bits + 63) // 64 + 1
        self.bits = <u64*>calloc(self.n_bits, sizeof(u64))
        self.summary = <u64*>calloc(self.n_summary, sizeof(u64))
        if self.bits == NULL or self.summary == NULL:
            raise MemoryError()
        self.tf = <int*>malloc(max(nf, 1) * sizeof(int))
        self.cap = 1024
        self.cols = <int*>malloc(self.cap * sizeof(int))
        self.dv = <float*>malloc(self.cap * sizeof(float))
        self.ids_cap = 256
        self.ids = <i64*>malloc(self.ids_cap * sizeof(i64))
        self.ks_cap = 1024
        self.ks = <i64*>malloc(self.ks_cap * sizeof(i64))
        if self.tf == NULL or self.cols == NULL or self.dv == NULL or self.ids == NULL or self.ks == NULL:
            raise MemoryError()
        cdef Py_ssize_t i
        for i in range(nf):
            self.tf[i] = 0

    def __dealloc__(self):
        free(self.bits)
        free(self.summary)
        free(self.tf)
        free(self.cols)
        free(self.dv)
        free(self.ids)
        free(self.ks)

    cdef int reserve(self, Py_ssize_t n) except -1:
        cdef int* p
        cdef float* q
        if n > self.cap:
            p = <int*>realloc(self.cols, n * sizeof(int))
            if p == NULL:
                raise MemoryError()
            self.cols = p
            q = <float*>realloc(self.dv, n * sizeof(float))
            if q == NULL:
                raise MemoryError()
            self.dv = q
            self.cap = n
        return 0

    cdef int reserve_ids(self, Py_ssize_t n) except -1:
        cdef i64* p
        if n > self.ids_cap:
            p = <i64*>realloc(self.ids, n * sizeof(i64))
            if p == NULL:
                raise MemoryError()
            self.ids = p
            self.ids_cap = n
        return 0

    cdef int reserve_ks(self, Py_ssize_t n) except -1:
        cdef i64* p
        if n > self.ks_cap:
            p = <i64*>realloc(self.ks, n * sizeof(i64))
            if p == NULL:
                raise MemoryError()
            self.ks = p
            self.ks_cap = n
        return 0


def decision(
    list units,
    dict words,
    const i64[::1] w1_dense,
    const u64[::1] w2,
    int w2_bits,
    const i64[::1] k_of,
    const i64[::1] c1_cols,
    i64 size,
    const u64[::1] c2,
    int bits2,
    const u64[::1] c3,
    int bits3,
    const float[:, ::1] weights,
    const float[:, ::1] gated,
    const i64[::1] group_role,
    const i64[::1] group_start,
    const i64[::1] group_end,
    const double[::1] need,
    const float[::1] tf_weight,
    const double[::1] intercept,
    const i64[::1] out_col,
    double[:, ::1] z,
    Buffer buf,
    int orders,
):
    """Scores ``z`` (units x labels) of analysed units (``Unit(chars, words)``): tf-idf rows of their word and
    character n-grams, L2-normalised, times ``coef`` plus ``intercept``.

    ``orders`` is a bit set of the n-gram kinds on: 1 = w1, 2 = w2, 4 = c1, 8 = c2, 16 = c3. ``tf_weight[t]`` is the
    weight of a term frequency ``t`` (1 + log t, or t). Returns the largest term frequency seen; the caller checks
    it is below ``len(tf_weight)`` (a unit repeating one n-gram that often is left to the reference path).

    ``weights`` holds each column's idf and the weights of the columns always scored (``z``'s first ones);
    ``gated`` those of the gated columns (``z``'s next ones), in groups: group ``g`` is the gated columns
    ``group_start[g]`` to ``group_end[g]`` and is scored only for a unit whose score in column ``group_role[g]``
    (an always-scored one) is at least ``need[g]``; a group not scored keeps its intercepts. Two tables, so a unit
    whose groups are all off reads only the short rows. ``intercept`` is in that order too, and the score of the
    ``j``-th column in it is written to ``z[:, out_col[j]]``.
    """
    cdef Py_ssize_t n_always = weights.shape[1] - 1, n_labels = n_always + gated.shape[1]
    cdef Py_ssize_t r, i, j, n, nw, nc, g, g0, g1
    cdef Py_ssize_t n_groups = group_role.shape[0]
    cdef float* dv
    cdef Py_ssize_t n_units = len(units)
    cdef Py_ssize_t w1n = w1_dense.shape[0], kn = k_of.shape[0]
    cdef Py_ssize_t ntf = tf_weight.shape[0]
    cdef i64 base = len(words) + 1
    cdef i64 wid, prev, key, col, cp, k0, k1, k2, code2
    cdef int c2col, t, max_tf = 0
    cdef const float* row
    cdef int* tf = buf.tf
    cdef u64* bits = buf.bits
    cdef u64* summary = buf.summary
    cdef u64 sw, word
    cdef Py_ssize_t s_i, wi
    cdef int c
    cdef tuple unit
    cdef str chars
    cdef list wlist
    cdef PyObject* found
    cdef double norm
    cdef float w, d
    cdef double acc[64]
    cdef int* cols
    cdef i64* ids
    cdef i64* ks
    if n_labels > 64:
        raise ValueError("the compiled kernel takes at most 64 labels")
    # the hash tables as raw pointers (each has at least 16 slots)
    cdef const u64* w2p = &w2[0]
    cdef const u64* c2p = &c2[0]
    cdef const u64* c3p = &c3[0]
    for r in range(n_units):
        # a unit of another shape is a TypeError, not a crash (the casts below are unchecked)
        obj = units[r]
        if not isinstance(obj, tuple) or len(<tuple>obj) < 2 or not isinstance((<tuple>obj)[0], str):
            raise TypeError(f"unit {r}: expected Unit(chars: str, words: list), got {obj!r:.80}")
        unit = <tuple>obj
        chars = <str>unit[0]
        wlist = unit[1] if type(unit[1]) is list else list(unit[1])
        nw = len(wlist)
        nc = PyUnicode_GET_LENGTH(chars)
        buf.reserve(nw * 2 + nc * 3 + 8)
        buf.reserve_ids(nw + 1)
        buf.reserve_ks(nc + 1)
        cols = buf.cols
        ids = buf.ids
        ks = buf.ks
        n = 0
        # ---- word n-grams: ids of known words, unigram columns by direct index, bigrams by binary search
        for i in range(nw):
            found = PyDict_GetItemWithError(words, wlist[i])
            if found == NULL and PyErr_Occurred():
                raise
            ids[i] = -1 if found == NULL else <i64><object>found
        if orders & 1:
            for i in range(nw):
                wid = ids[i]
                if wid >= 0:
                    col = w1_dense[wid if wid < w1n - 1 else w1n - 1]
                    if col >= 0:
                        cols[n] = <int>col
                        n += 1
        if orders & 2:
            for i in range(1, nw):
                prev = ids[i - 1]
                wid = ids[i]
                if prev >= 0 and wid >= 0:
                    col = _probe(w2p, w2_bits, <u64>(prev * base + wid))
                    if col >= 0:
                        cols[n] = <int>col
                        n += 1
        # ---- character n-grams: each character's index among the vocabulary's (size = not one of them)
        for i in range(nc):
            cp = PyUnicode_READ_CHAR(chars, i)
            if cp == 0:
                cp = kn - 1
            ks[i] = k_of[cp if cp < kn - 1 else kn - 1]
        for i in range(nc):
            k0 = ks[i]
            if (orders & 4) and k0 < size:
                cols[n] = <int>c1_cols[k0]
                n += 1
            if i + 1 < nc and (orders & 24):
                k1 = ks[i + 1]
                code2 = k0 * (size + 1) + k1
                c2col = <int>_probe(c2p, bits2, <u64>code2) if k0 < size and k1 < size else -1
                if (orders & 8) and c2col >= 0:
                    cols[n] = c2col
                    n += 1
                if (orders & 16) and c2col >= 0 and i + 2 < nc:
                    k2 = ks[i + 2]
                    if k2 < size:
                        col = _probe(c3p, bits3, <u64>(code2 * (size + 1) + k2))
                        if col >= 0:
                            cols[n] = <int>col
                            n += 1
        # ---- term frequencies: counted per column, the distinct columns read back in ascending order (the order
        # the reference sums in) from a two-level bit set instead of a sort
        for i in range(n):
            c = cols[i]
            if tf[c] == 0:
                bits[c >> 6] |= (<u64>1) << (c & 63)
                summary[c >> 12] |= (<u64>1) << ((c >> 6) & 63)
            tf[c] += 1
        n = 0
        for s_i in range(buf.n_summary):
            sw = summary[s_i]
            while sw:
                wi = (s_i << 6) + ctz(sw)
                sw &= sw - 1
                word = bits[wi]
                while word:
                    cols[n] = <int>((wi << 6) + ctz(word))
                    n += 1
                    word &= word - 1
                bits[wi] = 0
            summary[s_i] = 0
        norm = 0.0
        for i in range(n):
            t = tf[cols[i]]
            if t > max_tf:
                max_tf = t
            if t >= ntf:
                t = ntf - 1
            w = tf_weight[t] * weights[cols[i], 0]
            norm += <double>(w * w)
        norm = sqrt(norm)
        if norm == 0.0:
            norm = 1.0
        for j in range(n_labels):
            acc[j] = intercept[j]
        dv = buf.dv
        for i in range(n):
            t = tf[cols[i]]
            tf[cols[i]] = 0
            if t >= ntf:
                t = ntf - 1
            row = &weights[cols[i], 0]
            w = tf_weight[t] * row[0]
            d = <float>(<double>w / norm)
            dv[i] = d
            for j in range(n_always):
                acc[j] += <double>(row[j + 1] * d)  # float32 products added in order in float64
        for g in range(n_groups):
            if acc[group_role[g]] < need[g]:
                continue
            g0 = group_start[g]
            g1 = group_end[g]
            for i in range(n):
                row = &gated[cols[i], 0]
                d = dv[i]
                for j in range(g0, g1):
                    acc[n_always + j] += <double>(row[j] * d)
        for j in range(n_labels):
            z[r, out_col[j]] = acc[j]
    return max_tf

