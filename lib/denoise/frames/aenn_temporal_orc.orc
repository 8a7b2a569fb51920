# Row kernels of aedenoise's temporal mode (denoise/frames/temporal.c). All
# floats, values on the 0..1 scale. Each function has a plain C twin
# aenn_ref_temporal_<op> in denoise/frames/temporal_ref.c, compared on random
# data at odd lengths by tests/lib/denoise/frames/test_temporal.c; the twins
# do the same operations in the same order. Every function keeps to 8
# arrays at most; no array is both read and written (ORC's are restrict).

# The two motion statistics of a pixel (temporal.h): with v = 1 + 1 / n,
# q = (x - t)^2 / (s2 v) and r = (s - t)^2 / (s2r v); x the noisy input,
# s the spatial result, t and n the running mean of the spatial results and
# its count, s2 the noise variance, s2r = s2 / cr.
.function aenn_orc_temporal_motion
.dest 4 q float
.dest 4 r float
.source 4 x float
.source 4 s float
.source 4 t float
.source 4 n float
.floatparam 4 s2
.floatparam 4 s2r
.const 4 one 0x3f800000
.temp 4 inv
.temp 4 v
.temp 4 vq
.temp 4 vr
.temp 4 dq
.temp 4 dr
.temp 4 eq
.temp 4 er

divf inv, one, n
addf v, inv, one
mulf vq, v, s2
mulf vr, v, s2r
subf dq, x, t
mulf eq, dq, dq
divf q, eq, vq
subf dr, s, t
mulf er, dr, dr
divf r, er, vr

# d = a + b + c + e + f, summed left to right: five rows of a vertical box,
# or one row read at five offsets for a horizontal one.
.function aenn_orc_temporal_sum5
.dest 4 d float
.source 4 a float
.source 4 b float
.source 4 c float
.source 4 e float
.source 4 f float
.temp 4 t1
.temp 4 t2
.temp 4 t3

addf t1, a, b
addf t2, t1, c
addf t3, t2, e
addf d, t3, f

# The weight of the past: w = clamp(bq + aq sq, 0, 1) * clamp(br + ar sr,
# 0, 1), sq and sr the box sums of q and r (the ramps of temporal.h, their
# slopes aq, ar and intercepts bq, br folded by the caller).
.function aenn_orc_temporal_weight
.dest 4 w float
.source 4 sq float
.source 4 sr float
.floatparam 4 aq
.floatparam 4 bq
.floatparam 4 ar
.floatparam 4 br
.const 4 zero 0
.const 4 one 0x3f800000
.temp 4 pq
.temp 4 tq
.temp 4 uq
.temp 4 vq
.temp 4 pr
.temp 4 tr
.temp 4 ur
.temp 4 vr

mulf pq, sq, aq
addf tq, pq, bq
maxf uq, tq, zero
minf vq, uq, one
mulf pr, sr, ar
addf tr, pr, br
maxf ur, tr, zero
minf vr, ur, one
mulf w, vq, vr

# The looks a pixel's means hold after this frame: n2 = min (w n + 1,
# nmax), w the weight of the past.
.function aenn_orc_temporal_count
.dest 4 n2 float
.source 4 w float
.source 4 n float
.floatparam 4 nmax
.const 4 one 0x3f800000
.temp 4 wn
.temp 4 m

mulf wn, w, n
addf m, wn, one
minf n2, m, nmax

# One frame's update and fusion: a2 = a + (x - a) / n2, t2 = t + (s - t) /
# n2, o = t2 + g (a2 - t2) with g = (n2 - 1) / (n2 - 1 + c); a the mean of
# the noisy inputs, t that of the spatial results.
.function aenn_orc_temporal_update
.dest 4 a2 float
.dest 4 t2 float
.dest 4 o float
.source 4 x float
.source 4 s float
.source 4 a float
.source 4 t float
.source 4 n2 float
.floatparam 4 c
.const 4 one 0x3f800000
.temp 4 dx
.temp 4 sx
.temp 4 na
.temp 4 ds
.temp 4 ss
.temp 4 nt
.temp 4 k
.temp 4 kc
.temp 4 g
.temp 4 e
.temp 4 ge

subf dx, x, a
divf sx, dx, n2
addf na, a, sx
subf ds, s, t
divf ss, ds, n2
addf nt, t, ss
subf k, n2, one
addf kc, k, c
divf g, k, kc
subf e, na, nt
mulf ge, g, e
addf o, nt, ge
copyl a2, na
copyl t2, nt

# The fusion alone, for a repeated frame (the state is not updated):
# o = t + g (a - t), g = (n - 1) / (n - 1 + c).
.function aenn_orc_temporal_fuse
.dest 4 o float
.source 4 t float
.source 4 a float
.source 4 n float
.floatparam 4 c
.const 4 one 0x3f800000
.temp 4 k
.temp 4 kc
.temp 4 g
.temp 4 e
.temp 4 ge

subf k, n, one
addf kc, k, c
divf g, k, kc
subf e, a, t
mulf ge, g, e
addf o, t, ge

# d = min (a, b): a chroma weight and its luma row's.
.function aenn_orc_temporal_min
.dest 4 d float
.source 4 a float
.source 4 b float

minf d, a, b

# d[i] = min (s[2 i], s[2 i + 1]): a luma weight row down to chroma width.
.function aenn_orc_temporal_min_pairs
.dest 4 d float
.source 8 s uint64_t
.temp 4 lo
.temp 4 hi

select0ql lo, s
select1ql hi, s
minf d, lo, hi
