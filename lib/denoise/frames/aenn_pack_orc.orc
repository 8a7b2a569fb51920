# Row conversions of the aedenoise frame code (denoise/frames/denoiser.c): 8-bit
# samples to float planes scaled to [0, 1], and back with the strength blend,
# rounding and clamping. Each function has a plain C twin aenn_ref_<op> in
# denoise/frames/pack_ref.c, compared on random data at odd lengths by
# tests/lib/denoise/frames/test_pack.c. Every function keeps to 8 arrays at most.
#
# The blend writes s + t * (255 n - s) clamped to 0..255 and rounded to
# the nearest integer (ties to even), s the input sample, n the network's
# output (scale 0..1), t the strength: t = 0 gives s back exactly. The
# rounding adds 1.5 * 2^23 (magic), after which the integer sits in the low
# bits of the float; this avoids convfl, whose generated C does not build
# with -Werror. (A NaN, which no finite model gives, makes some byte.)

.function aenn_orc_u8_to_f32
.dest 4 d float
.source 1 s uint8_t
.floatparam 4 scale
.temp 2 w
.temp 4 l
.temp 4 f

convubw w, s
convuwl l, w
convlf f, l
mulf d, f, scale

# Byte pairs (semi-planar chroma, packed 4:2:2 luma and chroma) -> the first
# byte of each pair to d0, the second to d1.
.function aenn_orc_unpack2_f32
.dest 4 d0 float
.dest 4 d1 float
.source 2 s uint16_t
.floatparam 4 scale
.temp 1 b
.temp 2 w
.temp 4 l
.temp 4 f

select0wb b, s
convubw w, b
convuwl l, w
convlf f, l
mulf d0, f, scale
select1wb b, s
convubw w, b
convuwl l, w
convlf f, l
mulf d1, f, scale

# Packed 32-bit pixels -> one float row per byte, in memory order.
.function aenn_orc_unpack4_f32
.dest 4 d0 float
.dest 4 d1 float
.dest 4 d2 float
.dest 4 d3 float
.source 4 s uint32_t
.floatparam 4 scale
.temp 2 h
.temp 1 b
.temp 2 w
.temp 4 l
.temp 4 f

select0lw h, s
select0wb b, h
convubw w, b
convuwl l, w
convlf f, l
mulf d0, f, scale
select1wb b, h
convubw w, b
convuwl l, w
convlf f, l
mulf d1, f, scale
select1lw h, s
select0wb b, h
convubw w, b
convuwl l, w
convlf f, l
mulf d2, f, scale
select1wb b, h
convubw w, b
convuwl l, w
convlf f, l
mulf d3, f, scale

.function aenn_orc_blend_u8
.dest 1 d uint8_t
.source 1 s uint8_t
.source 4 n float
.floatparam 4 t
.const 4 c255 0x437f0000
.const 4 magic 0x4b400000
.const 4 zero 0
.temp 2 w
.temp 4 l
.temp 4 f
.temp 4 g

convubw w, s
convuwl l, w
convlf f, l
mulf g, n, c255
subf g, g, f
mulf g, g, t
addf f, f, g
minf f, f, c255
maxf f, f, zero
addf f, f, magic
convlw w, f
convwb d, w

# Byte pairs: the first byte blended with n0, the second with n1.
.function aenn_orc_blend2_u8
.dest 2 d uint16_t
.source 2 s uint16_t
.source 4 n0 float
.source 4 n1 float
.floatparam 4 t
.const 4 c255 0x437f0000
.const 4 magic 0x4b400000
.const 4 zero 0
.temp 1 b
.temp 1 b0
.temp 2 w
.temp 4 l
.temp 4 f
.temp 4 g

select0wb b, s
convubw w, b
convuwl l, w
convlf f, l
mulf g, n0, c255
subf g, g, f
mulf g, g, t
addf f, f, g
minf f, f, c255
maxf f, f, zero
addf f, f, magic
convlw w, f
convwb b0, w
select1wb b, s
convubw w, b
convuwl l, w
convlf f, l
mulf g, n1, c255
subf g, g, f
mulf g, g, t
addf f, f, g
minf f, f, c255
maxf f, f, zero
addf f, f, magic
convlw w, f
convwb b, w
mergebw d, b0, b

# Packed 32-bit pixels, in two calls (one function for all four bytes
# exceeds what ORC 0.4.33 compiles): bytes 0 and 1 blended with na and nb at
# strengths ta and tb, bytes 2 and 3 copied; then the reverse, on the first
# call's output. A byte to carry through untouched (alpha, padding) takes a
# strength of 0 and a row of zeros.
.function aenn_orc_blend4lo_u8
.dest 4 d uint32_t
.source 4 s uint32_t
.source 4 na float
.source 4 nb float
.floatparam 4 ta
.floatparam 4 tb
.const 4 c255 0x437f0000
.const 4 magic 0x4b400000
.const 4 zero 0
.temp 2 h
.temp 1 b
.temp 1 b0
.temp 2 w
.temp 4 l
.temp 4 f
.temp 4 g

select0lw h, s
select0wb b, h
convubw w, b
convuwl l, w
convlf f, l
mulf g, na, c255
subf g, g, f
mulf g, g, ta
addf f, f, g
minf f, f, c255
maxf f, f, zero
addf f, f, magic
convlw w, f
convwb b0, w
select1wb b, h
convubw w, b
convuwl l, w
convlf f, l
mulf g, nb, c255
subf g, g, f
mulf g, g, tb
addf f, f, g
minf f, f, c255
maxf f, f, zero
addf f, f, magic
convlw w, f
convwb b, w
mergebw w, b0, b
select1lw h, s
mergewl d, w, h

.function aenn_orc_blend4hi_u8
.dest 4 d uint32_t
.source 4 s uint32_t
.source 4 na float
.source 4 nb float
.floatparam 4 ta
.floatparam 4 tb
.const 4 c255 0x437f0000
.const 4 magic 0x4b400000
.const 4 zero 0
.temp 2 h
.temp 1 b
.temp 1 b0
.temp 2 w
.temp 4 l
.temp 4 f
.temp 4 g

select1lw h, s
select0wb b, h
convubw w, b
convuwl l, w
convlf f, l
mulf g, na, c255
subf g, g, f
mulf g, g, ta
addf f, f, g
minf f, f, c255
maxf f, f, zero
addf f, f, magic
convlw w, f
convwb b0, w
select1wb b, h
convubw w, b
convuwl l, w
convlf f, l
mulf g, nb, c255
subf g, g, f
mulf g, g, tb
addf f, f, g
minf f, f, c255
maxf f, f, zero
addf f, f, magic
convlw w, f
convwb b, w
mergebw w, b0, b
select0lw h, s
mergewl d, h, w
