# Row kernels of the aedenoise network (aenn_kernels.c). Each function has a
# plain C twin aenn_ref_<op>_<dtype> in aenn_kernels_ref.c, compared on
# random data at odd lengths by tests/lib/test_aenn_kernels.c. ORC 0.4.33
# has no FMA and no float accumulator, so taps are chained multiply then
# add, six per call to amortise the call (about 13 ns); every function keeps
# to 8 arrays at most (ORC 0.4.33 corrupts a register beyond that).

# d = a + w0*s0 + w1*s1 + ... + w5*s5, added left to right; d may be a.
.function aenn_orc_mac6_f32
.dest 4 d float
.source 4 a float
.source 4 s0 float
.source 4 s1 float
.source 4 s2 float
.source 4 s3 float
.source 4 s4 float
.source 4 s5 float
.floatparam 4 w0
.floatparam 4 w1
.floatparam 4 w2
.floatparam 4 w3
.floatparam 4 w4
.floatparam 4 w5
.temp 4 t
.temp 4 acc

mulf t, s0, w0
addf acc, a, t
mulf t, s1, w1
addf acc, acc, t
mulf t, s2, w2
addf acc, acc, t
mulf t, s3, w3
addf acc, acc, t
mulf t, s4, w4
addf acc, acc, t
mulf t, s5, w5
addf d, acc, t

# d = b + w0*s0 + ... + w5*s5: the first six taps of an output row.
.function aenn_orc_mac6b_f32
.dest 4 d float
.source 4 s0 float
.source 4 s1 float
.source 4 s2 float
.source 4 s3 float
.source 4 s4 float
.source 4 s5 float
.floatparam 4 w0
.floatparam 4 w1
.floatparam 4 w2
.floatparam 4 w3
.floatparam 4 w4
.floatparam 4 w5
.floatparam 4 b
.temp 4 t
.temp 4 acc

mulf t, s0, w0
addf acc, b, t
mulf t, s1, w1
addf acc, acc, t
mulf t, s2, w2
addf acc, acc, t
mulf t, s3, w3
addf acc, acc, t
mulf t, s4, w4
addf acc, acc, t
mulf t, s5, w5
addf d, acc, t

.function aenn_orc_relu_f32
.dest 4 d float
.source 4 s float
.const 4 zero 0

maxf d, s, zero

# max (s, 0) + slope * min (s, 0): s itself or slope * s, exactly.
.function aenn_orc_lrelu_f32
.dest 4 d float
.source 4 s float
.floatparam 4 slope
.const 4 zero 0
.temp 4 p
.temp 4 n

maxf p, s, zero
minf n, s, zero
mulf n, n, slope
addf d, p, n

.function aenn_orc_add_f32
.dest 4 d float
.source 4 a float
.source 4 b float

addf d, a, b

.function aenn_orc_sub_f32
.dest 4 d float
.source 4 a float
.source 4 b float

subf d, a, b

# Even elements of s to d0, odd ones to d1 (pixel unshuffle of one row).
.function aenn_orc_deinterleave2_f32
.dest 4 d0 float
.dest 4 d1 float
.source 8 s float

splitql d1, d0, s

# d[2i] = a[i], d[2i+1] = b[i] (pixel shuffle of one row).
.function aenn_orc_interleave2_f32
.dest 8 d float
.source 4 a float
.source 4 b float

mergelq d, a, b
