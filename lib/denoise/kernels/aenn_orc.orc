# Row kernels of the aedenoise network (denoise/kernels/kernels.c). Each function has a
# plain C twin aenn_ref_<op>_<dtype> in denoise/kernels/kernels_ref.c, compared on
# random data at odd lengths by tests/lib/denoise/kernels/test_kernels.c. ORC 0.4.33
# has no FMA and no float accumulator, so taps are chained multiply then
# add, several per call (8 parameters at most), over several rows per call
# to amortise the call (bench/aenn-orc-call); every function keeps to 8 arrays at
# most (ORC 0.4.33 corrupts a register beyond that).

# Convolution kernels over m rows (2D: each array has its own row stride).
# An output block is summed in place (d is read, then written, as in
# GStreamer's volume kernels): the first call of a block starts from the
# bias (the "b" forms), the last applies the activation (the "a" forms:
# max (v, 0) + slope * min (v, 0), v itself or slope * v exactly; ReLU is
# slope 0). Taps are added left to right.
#
# conv3x2: the three horizontal taps of two input rows of a 3x3
# convolution, s0 and s1 pointing one pixel left of the output:
# taps = w0*s0[0] + w1*s0[1] + w2*s0[2] + w3*s1[0] + w4*s1[1] + w5*s1[2].

# d += taps
.function aenn_orc_conv3x2_f32
.flags 2d
.dest 4 d float
.source 4 s0 float
.source 4 s1 float
.floatparam 4 w0
.floatparam 4 w1
.floatparam 4 w2
.floatparam 4 w3
.floatparam 4 w4
.floatparam 4 w5
.temp 4 t
.temp 4 x
.temp 4 acc

mulf t, s0, w0
addf acc, d, t
loadoffl x, s0, 1
mulf t, x, w1
addf acc, acc, t
loadoffl x, s0, 2
mulf t, x, w2
addf acc, acc, t
mulf t, s1, w3
addf acc, acc, t
loadoffl x, s1, 1
mulf t, x, w4
addf acc, acc, t
loadoffl x, s1, 2
mulf t, x, w5
addf d, acc, t

# d = b + taps
.function aenn_orc_conv3x2b_f32
.flags 2d
.dest 4 d float
.source 4 s0 float
.source 4 s1 float
.floatparam 4 w0
.floatparam 4 w1
.floatparam 4 w2
.floatparam 4 w3
.floatparam 4 w4
.floatparam 4 w5
.floatparam 4 b
.temp 4 t
.temp 4 x
.temp 4 acc

mulf t, s0, w0
addf acc, b, t
loadoffl x, s0, 1
mulf t, x, w1
addf acc, acc, t
loadoffl x, s0, 2
mulf t, x, w2
addf acc, acc, t
mulf t, s1, w3
addf acc, acc, t
loadoffl x, s1, 1
mulf t, x, w4
addf acc, acc, t
loadoffl x, s1, 2
mulf t, x, w5
addf d, acc, t

# d = act (d + taps)
.function aenn_orc_conv3x2a_f32
.flags 2d
.dest 4 d float
.source 4 s0 float
.source 4 s1 float
.floatparam 4 w0
.floatparam 4 w1
.floatparam 4 w2
.floatparam 4 w3
.floatparam 4 w4
.floatparam 4 w5
.floatparam 4 slope
.const 4 zero 0
.temp 4 p
.temp 4 n
.temp 4 t
.temp 4 x
.temp 4 acc

mulf t, s0, w0
addf acc, d, t
loadoffl x, s0, 1
mulf t, x, w1
addf acc, acc, t
loadoffl x, s0, 2
mulf t, x, w2
addf acc, acc, t
mulf t, s1, w3
addf acc, acc, t
loadoffl x, s1, 1
mulf t, x, w4
addf acc, acc, t
loadoffl x, s1, 2
mulf t, x, w5
addf acc, acc, t
maxf p, acc, zero
minf n, acc, zero
mulf n, n, slope
addf d, p, n

# d = act (b + taps)
.function aenn_orc_conv3x2ba_f32
.flags 2d
.dest 4 d float
.source 4 s0 float
.source 4 s1 float
.floatparam 4 w0
.floatparam 4 w1
.floatparam 4 w2
.floatparam 4 w3
.floatparam 4 w4
.floatparam 4 w5
.floatparam 4 b
.floatparam 4 slope
.const 4 zero 0
.temp 4 p
.temp 4 n
.temp 4 t
.temp 4 x
.temp 4 acc

mulf t, s0, w0
addf acc, b, t
loadoffl x, s0, 1
mulf t, x, w1
addf acc, acc, t
loadoffl x, s0, 2
mulf t, x, w2
addf acc, acc, t
mulf t, s1, w3
addf acc, acc, t
loadoffl x, s1, 1
mulf t, x, w4
addf acc, acc, t
loadoffl x, s1, 2
mulf t, x, w5
addf acc, acc, t
maxf p, acc, zero
minf n, acc, zero
mulf n, n, slope
addf d, p, n

# conv1x4: four taps of a 1x1 convolution,
# taps = w0*s0 + w1*s1 + w2*s2 + w3*s3.

# d += taps
.function aenn_orc_conv1x4_f32
.flags 2d
.dest 4 d float
.source 4 s0 float
.source 4 s1 float
.source 4 s2 float
.source 4 s3 float
.floatparam 4 w0
.floatparam 4 w1
.floatparam 4 w2
.floatparam 4 w3
.temp 4 t
.temp 4 acc

mulf t, s0, w0
addf acc, d, t
mulf t, s1, w1
addf acc, acc, t
mulf t, s2, w2
addf acc, acc, t
mulf t, s3, w3
addf d, acc, t

# d = b + taps
.function aenn_orc_conv1x4b_f32
.flags 2d
.dest 4 d float
.source 4 s0 float
.source 4 s1 float
.source 4 s2 float
.source 4 s3 float
.floatparam 4 w0
.floatparam 4 w1
.floatparam 4 w2
.floatparam 4 w3
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
addf d, acc, t

# d = act (d + taps)
.function aenn_orc_conv1x4a_f32
.flags 2d
.dest 4 d float
.source 4 s0 float
.source 4 s1 float
.source 4 s2 float
.source 4 s3 float
.floatparam 4 w0
.floatparam 4 w1
.floatparam 4 w2
.floatparam 4 w3
.floatparam 4 slope
.const 4 zero 0
.temp 4 p
.temp 4 n
.temp 4 t
.temp 4 acc

mulf t, s0, w0
addf acc, d, t
mulf t, s1, w1
addf acc, acc, t
mulf t, s2, w2
addf acc, acc, t
mulf t, s3, w3
addf acc, acc, t
maxf p, acc, zero
minf n, acc, zero
mulf n, n, slope
addf d, p, n

# d = act (b + taps)
.function aenn_orc_conv1x4ba_f32
.flags 2d
.dest 4 d float
.source 4 s0 float
.source 4 s1 float
.source 4 s2 float
.source 4 s3 float
.floatparam 4 w0
.floatparam 4 w1
.floatparam 4 w2
.floatparam 4 w3
.floatparam 4 b
.floatparam 4 slope
.const 4 zero 0
.temp 4 p
.temp 4 n
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
maxf p, acc, zero
minf n, acc, zero
mulf n, n, slope
addf d, p, n

.function aenn_orc_add_f32
.flags 2d
.dest 4 d float
.source 4 a float
.source 4 b float

addf d, a, b

.function aenn_orc_sub_f32
.flags 2d
.dest 4 d float
.source 4 a float
.source 4 b float

subf d, a, b

# Even elements of s to d0, odd ones to d1 (pixel unshuffle of rows).
.function aenn_orc_deinterleave2_f32
.flags 2d
.dest 4 d0 float
.dest 4 d1 float
.source 8 s float

splitql d1, d0, s

# d[2i] = a[i], d[2i+1] = b[i] (pixel shuffle of rows).
.function aenn_orc_interleave2_f32
.flags 2d
.dest 8 d float
.source 4 a float
.source 4 b float

mergelq d, a, b
