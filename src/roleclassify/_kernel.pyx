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

from libc.stdlib cimport malloc, free, realloc
from libcpp.algorithm cimport sort
from libc.math cimport sqrt
from cpython.dict cimport PyDict_GetItemWithError
from cpython.exc cimport PyErr_Occurred
from cpython.object cimport PyObject
from cpython.unicode cimport PyUnicode_READ_CHAR, PyUnicode_GET_LENGTH

ctypedef long long i64


cdef inline Py_ssize_t _slot(i64 key, int bits) noexcept nogil:
    return <Py_ssize_t>((<unsigned long long>key * 0x9E3779B97F4A7C15ULL) >> (64 - bits))


cdef inline i64 _probe(const i64* hkeys, const int* hcols, int bits, i64 key) noexcept nogil:
    """Column of ``key`` in an open-addressing table built by :func:`hash_table` (-1 when absent). Raw pointers,
    not memoryviews: a memoryview argument is a struct of some 200 bytes copied on every call."""
    cdef Py_ssize_t mask = (<Py_ssize_t>1 << bits) - 1
    cdef Py_ssize_t i = _slot(key, bits)
    while True:
        if hkeys[i] == key:
            return hcols[i]
        if hkeys[i] == -1:
            return -1
        i = (i + 1) & mask


def hash_table(const i64[::1] keys, const i64[::1] cols):
    """An open-addressing table (linear probing, at most half full) of non-negative ``keys`` -> ``cols``:
    (slot keys, -1 where empty; slot columns; bits). The same lookups as a binary search in the sorted keys."""
    import numpy as np
    cdef int bits = 4
    while (1 << bits) < 2 * keys.shape[0] + 2:
        bits += 1
    hk = np.full(1 << bits, -1, dtype=np.int64)
    hc = np.full(1 << bits, -1, dtype=np.int32)
    cdef i64[::1] hkv = hk
    cdef int[::1] hcv = hc
    cdef Py_ssize_t n, i, mask = (1 << bits) - 1
    for n in range(keys.shape[0]):
        i = _slot(keys[n], bits)
        while hkv[i] != -1 and hkv[i] != keys[n]:
            i = (i + 1) & mask
        hkv[i] = keys[n]
        hcv[i] = <int>cols[n]
    return hk, hc, bits


cdef class Buffer:
    """Growable int buffers reused across calls: columns of one unit, term frequency per column."""
    cdef int* cols
    cdef Py_ssize_t cap
    cdef int* tf
    cdef Py_ssize_t nf
    cdef i64* ids
    cdef Py_ssize_t ids_cap
    cdef i64* ks
    cdef Py_ssize_t ks_cap

    def __cinit__(self, Py_ssize_t nf):
        self.nf = nf
        self.tf = <int*>malloc(max(nf, 1) * sizeof(int))
        self.cap = 1024
        self.cols = <int*>malloc(self.cap * sizeof(int))
        self.ids_cap = 256
        self.ids = <i64*>malloc(self.ids_cap * sizeof(i64))
        self.ks_cap = 1024
        self.ks = <i64*>malloc(self.ks_cap * sizeof(i64))
        if self.tf == NULL or self.cols == NULL or self.ids == NULL or self.ks == NULL:
            raise MemoryError()
        cdef Py_ssize_t i
        for i in range(nf):
            self.tf[i] = 0

    def __dealloc__(self):
        free(self.tf)
        free(self.cols)
        free(self.ids)
        free(self.ks)

    cdef int reserve(self, Py_ssize_t n) except -1:
        cdef int* p
        if n > self.cap:
            p = <int*>realloc(self.cols, n * sizeof(int))
            if p == NULL:
                raise MemoryError()
            self.cols = p
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
    const i64[::1] w2_keys,
    const int[::1] w2_cols,
    int w2_bits,
    const i64[::1] k_of,
    const i64[::1] c1_cols,
    i64 size,
    const i64[::1] keys2,
    const int[::1] cols2,
    int bits2,
    const i64[::1] keys3,
    const int[::1] cols3,
    int bits3,
    const float[::1] idf,
    const float[::1] tf_weight,
    const float[:, ::1] coef,
    const double[::1] intercept,
    double[:, ::1] z,
    Buffer buf,
    int orders,
):
    """Scores ``z`` (units x labels) of analysed units (``Unit(chars, words)``): tf-idf rows of their word and
    character n-grams, L2-normalised, times ``coef`` plus ``intercept``.

    ``orders`` is a bit set of the n-gram kinds on: 1 = w1, 2 = w2, 4 = c1, 8 = c2, 16 = c3. ``tf_weight[t]`` is the
    weight of a term frequency ``t`` (1 + log t, or t). Returns the largest term frequency seen; the caller checks
    it is below ``len(tf_weight)`` (a unit repeating one n-gram that often is left to the reference path).
    """
    cdef Py_ssize_t r, i, j, n, nw, nc, n_labels = coef.shape[1]
    cdef Py_ssize_t n_units = len(units)
    cdef Py_ssize_t w1n = w1_dense.shape[0], kn = k_of.shape[0]
    cdef Py_ssize_t ntf = tf_weight.shape[0]
    cdef i64 base = len(words) + 1
    cdef i64 wid, prev, key, col, cp, k0, k1, k2, code2
    cdef int c2col, t, max_tf = 0
    cdef tuple unit
    cdef str chars
    cdef list wlist
    cdef PyObject* found
    cdef double norm, wd
    cdef float w, d
    cdef double acc[64]
    cdef int* cols
    cdef int* tf = buf.tf
    cdef i64* ids
    cdef i64* ks
    if n_labels > 64:
        raise ValueError("the compiled kernel takes at most 64 labels")
    # the hash tables as raw pointers (each has at least 16 slots)
    cdef const i64* w2k = &w2_keys[0]
    cdef const int* w2c = &w2_cols[0]
    cdef const i64* k2p = &keys2[0]
    cdef const int* c2p = &cols2[0]
    cdef const i64* k3p = &keys3[0]
    cdef const int* c3p = &cols3[0]
    for r in range(n_units):
        unit = <tuple>units[r]
        chars = <str>unit[0]
        wlist = <list>unit[1]
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
                    col = _probe(w2k, w2c, w2_bits, prev * base + wid)
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
                c2col = <int>_probe(k2p, c2p, bits2, code2) if k0 < size and k1 < size else -1
                if (orders & 8) and c2col >= 0:
                    cols[n] = c2col
                    n += 1
                if (orders & 16) and c2col >= 0 and i + 2 < nc:
                    k2 = ks[i + 2]
                    if k2 < size:
                        col = _probe(k3p, c3p, bits3, code2 * (size + 1) + k2)
                        if col >= 0:
                            cols[n] = <int>col
                            n += 1
        # ---- term frequencies over the distinct columns, in ascending column order
        j = 0
        for i in range(n):
            if tf[cols[i]] == 0:
                cols[j] = cols[i]
                j += 1
            tf[cols[i]] += 1
        n = j
        sort(cols, cols + n)
        norm = 0.0
        for i in range(n):
            t = tf[cols[i]]
            if t > max_tf:
                max_tf = t
            if t >= ntf:
                t = ntf - 1
            w = tf_weight[t] * idf[cols[i]]
            norm += <double>(w * w)
        norm = sqrt(norm)
        if norm == 0.0:
            norm = 1.0
        for j in range(n_labels):
            acc[j] = intercept[j]
        for i in range(n):
            t = tf[cols[i]]
            if t >= ntf:
                t = ntf - 1
            w = tf_weight[t] * idf[cols[i]]
            d = <float>(<double>w / norm)
            for j in range(n_labels):
                acc[j] += <double>(coef[cols[i], j] * d)  # float32 products added in order in float64
            tf[cols[i]] = 0
        for j in range(n_labels):
            z[r, j] = acc[j]
    return max_tf

